// A local payment gateway for development and tests: the refund API of app/infra/payment-gateway.server.ts,
// signed result notifications with retries, injectable failures, and a page at / listing the refunds.
// Run: SANDBOX_GATEWAY_SECRET=<32+ chars> [SANDBOX_GATEWAY_PORT=4580] [SANDBOX_GATEWAY_FAILURES=unavailable:2]
//      [SANDBOX_GATEWAY_DATA=file.json] tsx scripts/sandbox-gateway.ts
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import { GATEWAY_HEADERS, gatewaySignatureValid, signedGatewayHeaders, type GatewayNotification, type GatewayRefund } from '../app/infra/payment-gateway.server'

export type FailureMode = 'unavailable' | 'decline' | 'lost-response'
export type SandboxRefund = GatewayRefund & {
  orderNo: string
  paidAmountFen: number
  notifyUrl: string
  createdAt: string
  /** The status the refund ends in once processed (decided when it is received). */
  outcome: 'SUCCEEDED' | 'FAILED'
  repeats: number
  notifyAttempts: number
  lastNotifyStatus: number | null
}
export type SandboxGateway = { url: string; port: number; stop(): Promise<void>; refunds(): SandboxRefund[]; inject(mode: FailureMode, count: number): void; clearFailures(): void }
export type SandboxOptions = { port: number; host?: string; secret: string; notifyDelayMs?: number; failures?: Partial<Record<FailureMode, number>>; dataFile?: string }

const MODES: FailureMode[] = ['unavailable', 'lost-response', 'decline'] // also the order in which they are consumed
const MAX_NOTIFY_ATTEMPTS = 6 // the first POST and 5 retries
const MAX_BODY_BYTES = 64 * 1024

/** "unavailable:2,decline:1" → { unavailable: 2, decline: 1 }; "always" as a count means every request. */
export function parseFailurePlan(text: string | undefined): Partial<Record<FailureMode, number>> {
  const plan: Partial<Record<FailureMode, number>> = {}
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [mode, count = '', extra] = part.split(':').map((p) => p.trim())
    if (!MODES.includes(mode as FailureMode) || extra !== undefined || !/^(\d+|always)$/.test(count))
      throw new Error(`Bad failure plan entry "${part}": use mode:count (${MODES.join(', ')}; count a number or "always")`)
    plan[mode as FailureMode] = count === 'always' ? Infinity : Number(count)
  }
  return plan
}

const requestSchema = z.object({
  idempotencyKey: z.string().regex(/^[\w.:-]{1,128}$/), // URL-safe as is, so GET /v1/refunds/{key} needs no decoding
  orderNo: z.string().min(1).max(128),
  paidAmountFen: z.number().int().positive(),
  amountFen: z.number(),
  notifyUrl: z.url({ protocol: /^https?$/ }),
})

export async function startSandboxGateway(options: SandboxOptions): Promise<SandboxGateway> {
  const { secret, dataFile, notifyDelayMs = 300, host = '127.0.0.1' } = options
  if (secret.length < 32) throw new Error('The sandbox gateway secret must be at least 32 characters')
  const refunds = new Map<string, SandboxRefund>()
  const failures: Partial<Record<FailureMode, number>> = { ...options.failures }
  const timers = new Set<NodeJS.Timeout>()
  const stopping = new AbortController()

  if (dataFile && existsSync(dataFile)) for (const refund of JSON.parse(readFileSync(dataFile, 'utf8')) as SandboxRefund[]) refunds.set(refund.idempotencyKey, refund)
  const save = () => {
    if (!dataFile || stopping.signal.aborted) return // a stopped sandbox never writes: a new one may own the file
    const temp = `${dataFile}.${process.pid}.tmp`
    writeFileSync(temp, JSON.stringify([...refunds.values()], null, 2))
    renameSync(temp, dataFile) // atomic: a crash leaves the old file or the new one, never half of one
  }
  const later = (ms: number, run: () => void) => {
    if (stopping.signal.aborted) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, ms).unref()
    timers.add(timer)
  }
  const takeFailure = (): FailureMode | undefined => {
    const mode = MODES.find((m) => (failures[m] ?? 0) > 0)
    if (mode) failures[mode] = (failures[mode] ?? 0) - 1 // Infinity stays Infinity
    return mode
  }

  const settle = (refund: SandboxRefund) => {
    refund.status = refund.outcome
    if (refund.outcome === 'FAILED') refund.failureReason = 'DECLINED_BY_SANDBOX'
    save()
    void notify(refund)
  }
  async function notify(refund: SandboxRefund) {
    const notification: GatewayNotification = { ...(publicRecord(refund) as GatewayNotification), at: new Date().toISOString() }
    const body = JSON.stringify(notification)
    refund.notifyAttempts += 1
    try {
      const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(5_000)])
      const headers = { 'Content-Type': 'application/json', ...signedGatewayHeaders(secret, body) }
      const response = await fetch(refund.notifyUrl, { method: 'POST', headers, body, redirect: 'manual', signal })
      void response.body?.cancel().catch(() => {})
      refund.lastNotifyStatus = response.status
    } catch {
      if (stopping.signal.aborted) return // stopped mid-call: the next start sends it again (notifications are at-least-once)
      refund.lastNotifyStatus = null // no answer at all
    }
    save()
    if (!delivered(refund) && refund.notifyAttempts < MAX_NOTIFY_ATTEMPTS) later(500 * 2 ** (refund.notifyAttempts - 1), () => void notify(refund))
  }
  // After a restart, carry on with what was in flight.
  for (const refund of refunds.values()) {
    if (refund.status === 'PROCESSING') later(notifyDelayMs, () => settle(refund))
    else if (!delivered(refund) && refund.notifyAttempts < MAX_NOTIFY_ATTEMPTS) later(0, () => void notify(refund))
  }

  function createRefund(body: unknown, res: http.ServerResponse) {
    const parsed = requestSchema.safeParse(body)
    if (!parsed.success) return json(res, 400, { error: 'INVALID_REQUEST', message: z.prettifyError(parsed.error) })
    const request = parsed.data
    if (!Number.isInteger(request.amountFen) || request.amountFen <= 0 || request.amountFen > request.paidAmountFen) {
      return json(res, 400, { error: 'INVALID_AMOUNT', message: 'amountFen must be an integer > 0 and ≤ paidAmountFen' })
    }
    const existing = refunds.get(request.idempotencyKey)
    if (existing) {
      if (existing.amountFen !== request.amountFen || existing.orderNo !== request.orderNo) return json(res, 409, { error: 'IDEMPOTENCY_KEY_REUSED' })
      existing.repeats += 1
      save()
      return json(res, 200, publicRecord(existing))
    }
    const failure = takeFailure()
    if (failure === 'unavailable') return json(res, 503, { error: 'UNAVAILABLE' })
    const refund: SandboxRefund = {
      ...request,
      gatewayRefundId: `sbx_${randomBytes(12).toString('hex')}`,
      status: 'PROCESSING',
      outcome: failure === 'decline' ? 'FAILED' : 'SUCCEEDED',
      createdAt: new Date().toISOString(),
      repeats: 0,
      notifyAttempts: 0,
      lastNotifyStatus: null,
    }
    // Recorded (and saved) before any answer: the synchronous check-and-set is what makes one key pay once.
    refunds.set(refund.idempotencyKey, refund)
    save()
    later(notifyDelayMs, () => settle(refund))
    if (failure === 'lost-response') return res.socket?.destroy()
    json(res, 200, publicRecord(refund))
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const raw = await readBody(req)
    if (raw === null) return json(res, 413, { error: 'BODY_TOO_LARGE' })
    if (url.pathname.startsWith('/v1/')) {
      const headers = { timestamp: header(req, GATEWAY_HEADERS.timestamp), signature: header(req, GATEWAY_HEADERS.signature) }
      if (!gatewaySignatureValid(secret, headers, raw)) return json(res, 401, { error: 'BAD_SIGNATURE' })
      if (req.method === 'POST' && url.pathname === '/v1/refunds') return createRefund(parseJson(raw), res)
      const key = req.method === 'GET' ? url.pathname.match(/^\/v1\/refunds\/([\w.:-]+)$/)?.[1] : undefined
      if (key) {
        const refund = refunds.get(key)
        return refund ? json(res, 200, publicRecord(refund)) : json(res, 404, { error: 'NOT_FOUND' })
      }
    } else if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'" })
      return res.end(page(listRefunds(), failures))
    } else if (req.method === 'GET' && url.pathname === '/api/refunds') {
      return json(res, 200, listRefunds())
    } else if (req.method === 'POST' && (url.pathname === '/failures' || url.pathname === '/failures/clear')) {
      if (url.pathname === '/failures/clear') gateway.clearFailures()
      else {
        const form = new URLSearchParams(raw)
        try {
          const mode = form.get('mode') ?? ''
          gateway.inject(mode as FailureMode, parseFailurePlan(`${mode}:${form.get('count') ?? ''}`)[mode as FailureMode] ?? 0)
        } catch (error) {
          res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
          return res.end(error instanceof Error ? error.message : 'bad request')
        }
      }
      res.writeHead(303, { Location: '/' })
      return res.end()
    }
    json(res, 404, { error: 'NOT_FOUND' })
  }
  const listRefunds = () => [...refunds.values()].reverse().sort((a, b) => b.createdAt.localeCompare(a.createdAt))

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: 'INTERNAL', message: error instanceof Error ? error.message : String(error) })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  const gateway: SandboxGateway = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    refunds: () => listRefunds().map((r) => ({ ...r })),
    inject(mode, count) {
      if (!MODES.includes(mode) || !(count === Infinity || (Number.isInteger(count) && count >= 0))) throw new Error(`Bad failure: ${mode}:${count}`)
      failures[mode] = count
    },
    clearFailures: () => MODES.forEach((m) => delete failures[m]),
    async stop() {
      stopping.abort()
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return gateway
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}
/** What the API shows of a refund: the GatewayRefund fields, without the sandbox's bookkeeping. */
const publicRecord = ({ idempotencyKey, gatewayRefundId, status, amountFen, failureReason }: SandboxRefund): GatewayRefund =>
  failureReason ? { idempotencyKey, gatewayRefundId, status, amountFen, failureReason } : { idempotencyKey, gatewayRefundId, status, amountFen }
const delivered = ({ lastNotifyStatus: status }: SandboxRefund) => status !== null && status >= 200 && status < 300
const header = (req: http.IncomingMessage, name: string) => [req.headers[name.toLowerCase()]].flat()[0] ?? null
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  // Reads to the end even when too large, so that the 413 still reaches the client.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= MAX_BODY_BYTES) chunks.push(chunk)
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')
}

const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`
const COLUMNS = ['Key', 'Gateway id', 'Order', 'Amount', 'Status', 'Created', 'Notify attempts / last status', 'Repeats']

function page(refunds: SandboxRefund[], failures: Partial<Record<FailureMode, number>>): string {
  const plan = MODES.filter((m) => (failures[m] ?? 0) > 0).map((m) => `${m}: ${failures[m] === Infinity ? 'always' : failures[m]}`)
  const cell = (value: unknown) => `<td>${escapeHtml(value)}</td>`
  const rows = refunds.map((r) => {
    const status = r.failureReason ? `${r.status} (${r.failureReason})` : r.status
    const values = [r.idempotencyKey, r.gatewayRefundId, r.orderNo, yuan(r.amountFen), status, r.createdAt, `${r.notifyAttempts} / ${r.lastNotifyStatus ?? '—'}`, r.repeats]
    return values.map(cell).join('')
  })
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox payment gateway</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
form{display:inline-block;margin:0 1rem 1rem 0}</style></head>
<body><h1>Sandbox payment gateway</h1>
<p>Failures pending: ${escapeHtml(plan.join(', ') || 'none')}</p>
<form method="post" action="/failures"><label>Mode <select name="mode">${MODES.map((m) => `<option>${m}</option>`).join('')}</select></label>
<label>Count <input name="count" value="1" size="6" pattern="\\d+|always" required></label> <button>Inject</button></form>
<form method="post" action="/failures/clear"><button>Clear failures</button></form> <a href="/">Refresh</a>
<table><thead><tr>${COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>${rows.map((row) => `<tr>${row}</tr>`).join('\n') || `<tr><td colspan="${COLUMNS.length}">No refunds yet</td></tr>`}</tbody></table></body></html>`
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.SANDBOX_GATEWAY_SECRET ?? ''
  if (secret.length < 32) {
    process.stderr.write('SANDBOX_GATEWAY_SECRET must be set to at least 32 characters (the same secret the portal signs with).\n')
    process.exit(1)
  }
  let failures: ReturnType<typeof parseFailurePlan> = {}
  try {
    failures = parseFailurePlan(process.env.SANDBOX_GATEWAY_FAILURES)
  } catch (error) {
    process.stderr.write(`SANDBOX_GATEWAY_FAILURES: ${(error as Error).message}\n`)
    process.exit(1)
  }
  const port = Number(process.env.SANDBOX_GATEWAY_PORT ?? 4580)
  const sandbox = await startSandboxGateway({ port, secret, failures, dataFile: process.env.SANDBOX_GATEWAY_DATA || undefined }).catch((error: NodeJS.ErrnoException) => {
    process.stderr.write(error.code === 'EADDRINUSE' ? `Port ${port} is in use: set SANDBOX_GATEWAY_PORT to another one.\n` : `${error.stack ?? error}\n`)
    process.exit(1)
  })
  process.stdout.write(`Sandbox payment gateway on ${sandbox.url} (refunds at ${sandbox.url}/)\n`)
  const shutdown = () => void sandbox.stop().then(() => process.exit(0))
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
