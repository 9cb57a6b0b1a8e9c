import { describe, expect, it } from 'vitest'
import { cookies } from '~/infra/cookies.server'
import { readMultipartForm, type IncomingFile } from '~/infra/multipart.server'

const TOKEN = 'a-csrf-token-of-some-length-0123456789'

async function multipartRequest(parts: Array<{ name: string; value: string; fileName?: string }>, cookieToken = TOKEN) {
  const boundary = '----portal-test-boundary'
  const body = Buffer.concat([
    ...parts.map((part) =>
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${part.fileName === undefined ? '' : `; filename="${part.fileName}"`}\r\n` +
          (part.fileName === undefined ? '' : 'Content-Type: application/octet-stream\r\n') +
          `\r\n${part.value}\r\n`,
        'utf8',
      ),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ])
  const cookie = await cookies().csrf.serialize(cookieToken)
  return new Request('http://portal.test/upload', {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, Cookie: cookie.split(';')[0]! },
    body,
  })
}

async function collect(file: IncomingFile) {
  const chunks: Buffer[] = []
  for await (const chunk of file.data) chunks.push(Buffer.from(chunk))
  return { field: file.field, fileName: file.fileName, text: Buffer.concat(chunks).toString(), before: Object.fromEntries(file.fieldsBefore) }
}

describe('readMultipartForm', () => {
  it('streams each file with its UTF-8 name and the fields sent before it', async () => {
    const seen: Awaited<ReturnType<typeof collect>>[] = []
    const form = await readMultipartForm(
      await multipartRequest([
        { name: 'csrf', value: TOKEN },
        { name: 'size', value: '5' },
        { name: 'file', value: 'hello', fileName: '实拍图.png' },
        { name: 'note', value: '说明' },
      ]),
      async (file) => {
        seen.push(await collect(file))
        return 'stored-id'
      },
    )
    expect(seen).toEqual([{ field: 'file', fileName: '实拍图.png', text: 'hello', before: { csrf: TOKEN, size: '5' } }])
    expect(form.get('file')).toBe('stored-id')
    expect(form.get('note')).toBe('说明')
  })

  it('refuses a file that arrives before a valid CSRF token, without handing it on', async () => {
    let called = false
    const attempt = readMultipartForm(
      await multipartRequest([
        { name: 'file', value: 'hello', fileName: 'a.png' },
        { name: 'csrf', value: TOKEN },
      ]),
      async () => {
        called = true
        return 'x'
      },
    )
    await expect(attempt).rejects.toMatchObject({ status: 403 })
    expect(called).toBe(false)
  })

  it('refuses a token that does not match the cookie', async () => {
    const attempt = readMultipartForm(await multipartRequest([{ name: 'csrf', value: TOKEN }], 'another-token-entirely-0123456789abc'), async () => 'x')
    await expect(attempt).rejects.toMatchObject({ status: 403 })
  })

  it('passes on the error of the file handler and stops reading', async () => {
    const attempt = readMultipartForm(
      await multipartRequest([
        { name: 'csrf', value: TOKEN },
        { name: 'file', value: 'hello', fileName: 'a.png' },
        { name: 'file', value: 'again', fileName: 'b.png' },
      ]),
      async (file) => {
        for await (const _ of file.data) {
          // drain
        }
        throw new Error('storage refused')
      },
    )
    await expect(attempt).rejects.toThrow('storage refused')
  })
})

/** A refusal that never comes fails the test instead of stalling the suite. */
const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))])

describe('refusals decided after the body ended', () => {
  it('answers a refusal decided once the whole body was read (a checksum known only at the end)', async () => {
    const attempt = readMultipartForm(
      await multipartRequest([
        { name: 'csrf', value: TOKEN },
        { name: 'file', value: 'hello', fileName: 'a.png' },
      ]),
      async (file) => {
        await collect(file)
        await new Promise((resolve) => setTimeout(resolve, 50)) // the body has ended and closed by now
        throw new Response('checksum mismatch', { status: 422 })
      },
    ).catch((e: unknown) => e)
    expect(((await within(5_000, attempt)) as Response).status).toBe(422)
  })
})

describe('bad multipart bodies', () => {
  const raw = async (body: Buffer) => {
    const cookie = await cookies().csrf.serialize(TOKEN)
    return new Request('http://portal.test/upload', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=b', Cookie: cookie.split(';')[0]! }, body: new Uint8Array(body) })
  }
  const csrfPart = `--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${TOKEN}\r\n`

  it('answers 400 to a malformed part header, and hands nothing on', async () => {
    let handed = 0
    const refusal = await readMultipartForm(await raw(Buffer.from(`${csrfPart}--b\r\nContent-Disposition form-data name\r\n\r\nx\r\n--b--\r\n`)), async () => {
      handed++
      return undefined
    }).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(Response)
    expect((refusal as Response).status).toBe(400)
    expect(await (refusal as Response).text()).toMatch(/Malformed multipart body/)
    expect(handed).toBe(0)
  })

  it.each([['\x01'], ['\x1b'], ['\x7f']])('answers 400 to a file name with the control character %j', async (control) => {
    const body = Buffer.from(`${csrfPart}--b\r\nContent-Disposition: form-data; name="file"; filename="a${control}b.png"\r\nContent-Type: image/png\r\n\r\nhello\r\n--b--\r\n`)
    const refusal = await readMultipartForm(await raw(body), async () => 'stored').catch((e: unknown) => e)
    expect((refusal as Response).status).toBe(400)
  })

  it('reads the rest of a refused body before answering (the client sees the answer, not a reset)', async () => {
    let pulled = 0
    const size = 4 * 1024 * 1024
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`${csrfPart}--b\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n`))
      },
      pull(controller) {
        if (pulled >= size) return controller.close()
        pulled += 64 * 1024
        controller.enqueue(new Uint8Array(64 * 1024))
      },
    })
    const cookie = await cookies().csrf.serialize(TOKEN)
    const request = new Request('http://portal.test/upload', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=b', Cookie: cookie.split(';')[0]! }, body: stream, duplex: 'half' } as RequestInit)
    const refusal = await readMultipartForm(request, async () => {
      throw new Response('declared size was smaller', { status: 422 })
    }).catch((e: unknown) => e)
    expect((refusal as Response).status).toBe(422)
    expect(pulled).toBeGreaterThanOrEqual(size)
  })
})
