import { db } from '~/infra/db.server'
import { env } from '~/infra/env.server'
import { s3 } from '~/infra/storage.server'
import { checkHealth } from '~/services/health.server'

// Public on purpose: load balancers call it. It reveals reachability, never addresses or secrets.
export async function loader() {
  const report = await checkHealth({ db: db(), s3: s3(), bucket: env().S3_BUCKET, smtpUrl: env().SMTP_URL })
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } })
}
