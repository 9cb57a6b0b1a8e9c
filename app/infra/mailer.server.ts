// Outgoing email over SMTP. Sending happens only in the worker (see worker/), from the outbox.
import nodemailer, { type Transporter } from 'nodemailer'
import { env } from './env.server'

export type MailTimeouts = { connectionMs: number; greetingMs: number; socketMs: number }
const DEFAULT_TIMEOUTS: MailTimeouts = { connectionMs: 5_000, greetingMs: 5_000, socketMs: 15_000 }

export function createTransport(smtpUrl: string, timeouts: MailTimeouts = DEFAULT_TIMEOUTS): Transporter {
  const url = new URL(smtpUrl)
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A server that accepts the connection but never greets must not hold a worker for 30 s+.
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    // Local catchers offer STARTTLS with self-signed certificates or none at all.
    ignoreTLS: url.searchParams.get('tls') === 'off',
  })
}

const globalStore = globalThis as unknown as { __mailer?: Transporter }

export function mailer(): Transporter {
  globalStore.__mailer ??= createTransport(env().SMTP_URL)
  return globalStore.__mailer
}

export async function checkMail(transport: Transporter): Promise<void> {
  await transport.verify()
}
