// The health endpoints, answered by Express before Remix (no session, no route matching: a load
// balancer may poll every second). ADR 0015.
//   GET /healthz               ready: the database answers (200) or not (503). Load balancers poll it.
//   GET /healthz/dependencies  the database, S3 and SMTP each ok / degraded / down, always 200 while
//                              the process answers; alerting reads `status`.
// Public on purpose: they reveal reachability and a problem's name, never addresses or secrets.
import type express from 'express'
import { db } from '~/infra/db.server'
import { env } from '~/infra/env.server'
import { s3 } from '~/infra/storage.server'
import { checkDependencies, checkReadiness } from '~/services/health.server'

export const HEALTH_PATHS = ['/healthz', '/healthz/dependencies'] as const

export function mountHealth(app: express.Express) {
  app.get('/healthz', (_req, res, next) => {
    checkReadiness({ db: db() }).then((report) => {
      res.status(report.status === 'ok' ? 200 : 503).set('Cache-Control', 'no-store').json(report)
    }, next)
  })
  app.get('/healthz/dependencies', (_req, res, next) => {
    checkDependencies({ db: db(), s3: s3(), bucket: env().S3_BUCKET, smtpUrl: env().SMTP_URL }).then((report) => {
      res.status(200).set('Cache-Control', 'no-store').json(report)
    }, next)
  })
}
