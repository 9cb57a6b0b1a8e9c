// The only reader of process.env for the app and the worker. Validated once, at start; a bad
// variable stops the process with one clear line per problem.
import { z } from 'zod'

const url = (what: string) => z.string({ error: `${what} is required` }).url(`${what} must be a URL`)

const schema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public address of the portal, used for links in emails. */
  APP_URL: url('APP_URL').default('http://localhost:3000'),
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is required (postgresql://user:password@host:port/db)' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgresql://'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  S3_ENDPOINT: url('S3_ENDPOINT').optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'S3_BUCKET must be a valid bucket name'),
  S3_ACCESS_KEY_ID: z.string().min(1, 'S3_ACCESS_KEY_ID is required'),
  S3_SECRET_ACCESS_KEY: z.string().min(1, 'S3_SECRET_ACCESS_KEY is required'),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * Create S3_BUCKET at start when it does not exist. Off by default: in production the bucket (and
   * its policies) belong to the operator; `npm start` and the tests turn it on for their embedded S3.
   */
  S3_CREATE_BUCKET: z
    .enum(['true', 'false'], { error: 'S3_CREATE_BUCKET must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * How browsers get evidence: `stream` through the portal (authorized, integrity-checked, logged; S3 stays private),
   * or `presigned` redirects to S3 itself (only for an S3 that browsers can reach and that checks signatures, e.g. AWS).
   */
  EVIDENCE_DELIVERY: z.enum(['stream', 'presigned'], { error: 'EVIDENCE_DELIVERY must be stream or presigned' }).default('stream'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://'),
  MAIL_FROM: z.string().min(3, 'MAIL_FROM is required, e.g. "Dispute Portal <noreply@example.com>"'),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters'),
  /** The payment gateway refunds go through (under `npm start`, the local sandbox) and its shared signing secret. */
  PAYMENT_GATEWAY_URL: url('PAYMENT_GATEWAY_URL'),
  PAYMENT_GATEWAY_SECRET: z.string({ error: 'PAYMENT_GATEWAY_SECRET is required' }).min(32, 'PAYMENT_GATEWAY_SECRET must be at least 32 characters'),
  /** Where the gateway sends its signed refund results; by default the portal's own /payments/notify. */
  PAYMENT_NOTIFY_URL: url('PAYMENT_NOTIFY_URL').optional(),
  /** Root of every integration's signing secret (API callers, webhook receivers): see signing.server. */
  API_SECRET_ROOT: z.string().min(32, 'API_SECRET_ROOT must be at least 32 characters'),
  /** Let webhooks reach loopback, private and link-local addresses: development and tests only, never in production. */
  EGRESS_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Bearer token for the Prometheus endpoints (the app's /metrics, the worker's WORKER_METRICS_PORT).
   * Unset: no metrics are served at all.
   */
  METRICS_TOKEN: z.string().min(24, 'METRICS_TOKEN must be at least 24 characters').optional(),
  /** The worker serves its own metrics (deadline lateness, lane attempts) on this port, when set. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * The e2e suite's clock hook (POST /test-hooks/clock moves time and fires every deadline). Only an
   * explicit `true` turns it on, never a missing NODE_ENV; production refuses to start with it.
   */
  TEST_HOOKS_ENABLED: z
    .enum(['true', 'false'], { error: 'TEST_HOOKS_ENABLED must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Operator policy: a preset, then JSON overrides of single settings (see app/domain/policy.ts). */
  POLICY_PRESET: z.enum(['kuaishou', 'douyin']).default('kuaishou'),
  POLICY_OVERRIDES: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return {}
      try {
        return JSON.parse(text) as Record<string, Record<string, unknown>>
      } catch {
        ctx.addIssue({ code: 'custom', message: 'POLICY_OVERRIDES must be JSON, e.g. {"dispute":{"merchantEvidenceMs":86400000}}' })
        return z.NEVER
      }
    }),
}).refine((e) => !(e.TEST_HOOKS_ENABLED && e.NODE_ENV === 'production'), {
  path: ['TEST_HOOKS_ENABLED'],
  message: 'TEST_HOOKS_ENABLED=true is for the test suite only; production refuses it',
})

export type Env = z.infer<typeof schema>

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => `  - ${issue.path.join('.') || 'env'}: ${issue.message}`)
  throw new EnvError(`Invalid environment:\n${lines.join('\n')}`)
}

let cached: Env | undefined

/** The validated environment. The first call validates; call it first thing at start. */
export function env(): Env {
  cached ??= parseEnv(process.env)
  return cached
}

export const isProduction = () => env().NODE_ENV === 'production'

/**
 * The AWS SDK prints a 9-line notice about Node < 22 from every process that makes a client, ahead
 * of anything the process says (a start error included). Node's support is the README's and
 * `engines`' business; the SDK's own switch turns the notice off. Written here, the one module that
 * touches process.env, before the first client is made (storage.server).
 */
export function quietAwsSdkNodeNotice() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
}
