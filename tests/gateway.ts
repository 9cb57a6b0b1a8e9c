// The payment sandbox for integration tests: a real HTTP gateway on a free port, and a receiver for
// its signed result notifications that settles refunds exactly as the portal's route does.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { GATEWAY_HEADERS, httpPaymentGateway, verifyGatewayNotification, type PaymentGateway } from '~/infra/payment-gateway.server'
import type { ServiceDeps } from '~/services/deps'
import { applyGatewayResult, processDueRefunds, refundLanePolicy } from '~/services/refund-ledger.server'
import { startSandboxGateway, type FailureMode } from '../scripts/sandbox-gateway'

export const GATEWAY_SECRET = 'test-gateway-secret-0123456789abcdef0123'

export async function startTestGateway(deps: ServiceDeps, failures: Partial<Record<FailureMode, number>> = {}, notifyDelayMs = 5) {
  const receiver = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', async () => {
      const notification = verifyGatewayNotification(GATEWAY_SECRET, { timestamp: req.headers[GATEWAY_HEADERS.timestamp.toLowerCase()] as string, signature: req.headers[GATEWAY_HEADERS.signature.toLowerCase()] as string }, body)
      if (!notification) return res.writeHead(401).end()
      await applyGatewayResult(deps, notification)
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/payments/notify`
  const sandbox = await startSandboxGateway({ port: 0, secret: GATEWAY_SECRET, notifyDelayMs, failures })
  const gateway: PaymentGateway = httpPaymentGateway({ baseUrl: sandbox.url, secret: GATEWAY_SECRET, timeoutMs: 2_000 })
  return {
    sandbox,
    gateway,
    notifyUrl,
    /** One pass of the refund lane (the worker's), through this sandbox. */
    run: (policy = refundLanePolicy, via: PaymentGateway = gateway) => processDueRefunds(deps, via, notifyUrl, policy),
    /** Waits (real time, briefly) until the refund is final: the sandbox notifies within milliseconds. */
    async settled(refundId: string, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const refund = await deps.db.refund.findUniqueOrThrow({ where: { id: refundId } })
        if (refund.status === 'SUCCEEDED' || refund.status === 'FAILED') return refund
        if (Date.now() > until) throw new Error(`refund ${refundId} still ${refund.status}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    async stop() {
      await sandbox.stop()
      await new Promise<void>((resolve) => receiver.close(() => resolve()))
    },
  }
}
