// Runs before each test file: a fresh database copied from the migrated template, and an
// environment that passes validation. Services take their dependencies as arguments; the few
// singletons that read env() see these values.
import { copyTemplateDatabase } from './template-copy'

process.env.DATABASE_URL = await copyTemplateDatabase()
process.env.NODE_ENV = 'test'
process.env.SESSION_SECRET ??= 'test-session-secret-that-is-long-enough-0123456789'
process.env.API_SECRET_ROOT ??= 'test-api-secret-root-that-is-long-enough-0123'
process.env.S3_BUCKET ??= 'evidence'
process.env.S3_ACCESS_KEY_ID ??= 'S3RVER'
process.env.S3_SECRET_ACCESS_KEY ??= 'S3RVER'
process.env.S3_ENDPOINT ??= 'http://127.0.0.1:9' // tests that need S3 start their own server
process.env.SMTP_URL ??= 'smtp://127.0.0.1:9?tls=off'
process.env.PAYMENT_GATEWAY_URL ??= 'http://127.0.0.1:9' // tests that pay start their own sandbox
process.env.PAYMENT_GATEWAY_SECRET ??= 'test-gateway-secret-0123456789abcdef0123'
process.env.MAIL_FROM ??= 'Portal Tests <tests@portal.localhost>'
process.env.LOG_LEVEL ??= 'error'
