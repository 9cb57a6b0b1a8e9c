import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { Readable } from 'node:stream'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createS3Client, ensureBucket } from '~/infra/storage.server'
import { S3RVER_CREDENTIALS, startS3, type RunningS3 } from '../scripts/embedded-services'

function* chunks(buffer: Buffer, size: number) {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size)
}

let s3: RunningS3
let dir: string
const BUCKET = 'roundtrip'

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portal-s3-'))
  s3 = await startS3({ directory: dir, port: 0 })
})
afterAll(async () => {
  await s3.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('S3 client configuration', () => {
  it('stores bytes exactly: SHA-256 in equals SHA-256 out, multipart included', async () => {
    const client = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', bucket: BUCKET, forcePathStyle: true, ...S3RVER_CREDENTIALS })
    await ensureBucket(client, BUCKET)
    for (const size of [300_000, 11 * 1024 * 1024]) {
      const body = randomBytes(size)
      const key = `roundtrip-${size}`
      // A stream, as uploads arrive: this is where aws-chunked framing could leak into the object.
      const stream = Readable.from(chunks(body, 64 * 1024))
      await new Upload({ client, params: { Bucket: BUCKET, Key: key, Body: stream }, partSize: 5 * 1024 * 1024 }).done()
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `${key}-put`, Body: Readable.from(chunks(body, 64 * 1024)), ContentLength: size }),
      )
      for (const stored of [key, `${key}-put`]) {
        const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: stored }))
        const bytes = Buffer.from(await object.Body!.transformToByteArray())
        expect(bytes.length, stored).toBe(size)
        expect(createHash('sha256').update(bytes).digest('hex'), stored).toBe(createHash('sha256').update(body).digest('hex'))
      }
    }
  })
})
