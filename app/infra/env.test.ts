import { describe, expect, it } from 'vitest'
import { parseEnv } from './env.server'

const valid = {
  DATABASE_URL: 'postgresql://u:p@localhost:5432/db',
  S3_BUCKET: 'evidence',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
  SMTP_URL: 'smtp://localhost:25',
  MAIL_FROM: 'Portal <noreply@example.com>',
  SESSION_SECRET: 'x'.repeat(32),
  API_SECRET_ROOT: 'y'.repeat(32),
  PAYMENT_GATEWAY_URL: 'http://127.0.0.1:4580',
  PAYMENT_GATEWAY_SECRET: 'z'.repeat(32),
}

describe('parseEnv', () => {
  it('accepts a complete environment and fills defaults', () => {
    const env = parseEnv(valid)
    expect(env.PORT).toBe(3000)
    expect(env.S3_FORCE_PATH_STYLE).toBe(true)
    expect(env.NODE_ENV).toBe('development')
  })

  it('keeps the test hooks off unless TEST_HOOKS_ENABLED=true, and production refuses them at start', () => {
    expect(parseEnv(valid).TEST_HOOKS_ENABLED).toBe(false) // no NODE_ENV (development) is not enough
    expect(parseEnv({ ...valid, NODE_ENV: 'test' }).TEST_HOOKS_ENABLED).toBe(false)
    expect(parseEnv({ ...valid, NODE_ENV: 'test', TEST_HOOKS_ENABLED: 'true' }).TEST_HOOKS_ENABLED).toBe(true)
    expect(() => parseEnv({ ...valid, NODE_ENV: 'production', TEST_HOOKS_ENABLED: 'true' })).toThrow(/^ {2}- TEST_HOOKS_ENABLED: .*production refuses it/m)
    expect(() => parseEnv({ ...valid, TEST_HOOKS_ENABLED: 'yes' })).toThrow(/TEST_HOOKS_ENABLED must be true or false/)
  })

  it('names every bad variable on its own line', () => {
    let message = ''
    try {
      parseEnv({ ...valid, DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short', SMTP_URL: undefined, PORT: 'eighty' })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/^ {2}- DATABASE_URL: DATABASE_URL must start with postgresql:\/\//m)
    expect(message).toMatch(/^ {2}- SESSION_SECRET: SESSION_SECRET must be at least 32 characters/m)
    expect(message).toMatch(/^ {2}- SMTP_URL: /m)
    expect(message).toMatch(/^ {2}- PORT: /m)
    expect(message).not.toMatch(/S3_BUCKET/)
  })
})
