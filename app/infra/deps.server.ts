// What routes and the worker hand to services: the process singletons, in one place.
import type { ServiceDeps } from '~/services/deps'
import type { Storage } from '~/services/evidence-upload.server'
import { clock } from './clock.server'
import { db } from './db.server'
import { env } from './env.server'
import { policy } from './policy.server'
import { s3 } from './storage.server'

export const serviceDeps = (): ServiceDeps => ({ db: db(), clock: clock(), policy: policy(), appUrl: env().APP_URL })
export const evidenceStorage = (): Storage => ({ s3: s3(), bucket: env().S3_BUCKET })
