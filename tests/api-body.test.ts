// An API body over the limit is answered with 413 BODY_TOO_LARGE (as docs/api.md promises) after
// the body has been read, so the caller reads the answer instead of a connection reset.
import { describe, expect, it } from 'vitest'
import { requireIntegration } from '~/infra/api-route.server'

describe('API bodies over 256 KB', () => {
  it('answers 413 BODY_TOO_LARGE once the whole body has been read, running no command', async () => {
    let pulled = 0
    const total = 1024 * 1024
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close()
        pulled += 32 * 1024
        controller.enqueue(new Uint8Array(32 * 1024).fill(0x20))
      },
    })
    let ran = false
    const response = await requireIntegration(
      new Request('http://portal.test/api/v1/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, duplex: 'half' } as RequestInit),
      async () => {
        ran = true
        return { status: 200, body: {} }
      },
    )
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ ok: false, error: 'BODY_TOO_LARGE' })
    expect(pulled).toBeGreaterThanOrEqual(total)
    expect(ran).toBe(false)
  })
})
