// The S3 client against a real S3 server (s3rver, or TEST_S3_ENDPOINT): bytes stay exact, and the
// start check finds a missing bucket, creates it only when allowed, proves it writable and leaves
// nothing behind.
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createS3Client, prepareBucket, PROBE_PREFIX, StorageCheckError } from '~/infra/storage.server'
import { startTestS3, type TestS3 } from './setup/s3'

function* chunks(buffer: Buffer, size: number) {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size)
}

let s3: TestS3

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['roundtrip', 'evidence'] })
})
afterAll(async () => {
  await s3.stop()
})

const problem = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof StorageCheckError ? error.reason : `not a StorageCheckError: ${String(error)}`),
  )

describe('S3 client configuration', () => {
  it('stores bytes exactly: SHA-256 in equals SHA-256 out, multipart included', async () => {
    const bucket = s3.bucket('roundtrip')
    const client = s3.client(bucket)
    for (const size of [300_000, 11 * 1024 * 1024]) {
      const body = randomBytes(size)
      const key = `roundtrip-${size}`
      // A stream, as uploads arrive: this is where aws-chunked framing could leak into the object.
      const stream = Readable.from(chunks(body, 64 * 1024))
      await new Upload({ client, params: { Bucket: bucket, Key: key, Body: stream }, partSize: 5 * 1024 * 1024 }).done()
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: `${key}-put`, Body: Readable.from(chunks(body, 64 * 1024)), ContentLength: size }),
      )
      for (const stored of [key, `${key}-put`]) {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: stored }))
        const bytes = Buffer.from(await object.Body!.transformToByteArray())
        expect(bytes.length, stored).toBe(size)
        expect(createHash('sha256').update(bytes).digest('hex'), stored).toBe(createHash('sha256').update(body).digest('hex'))
      }
    }
  })
})

describe('the bucket check at start', () => {
  it('passes on a writable bucket and leaves no probe object behind', async () => {
    const bucket = s3.bucket('evidence')
    const client = s3.client(bucket)
    await expect(prepareBucket(client, bucket, { create: false })).resolves.toEqual({ created: false })
    const left = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: PROBE_PREFIX }))
    expect(left.Contents ?? []).toEqual([])
  })

  it('refuses a missing bucket when creating is not allowed, and does not create it', async () => {
    const bucket = s3.unusedBucket('absent')
    const client = s3.client(bucket)
    expect(await problem(prepareBucket(client, bucket, { create: false }))).toBe('bucket_missing')
    await expect(client.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } })
  })

  it('creates a missing bucket when allowed (S3_CREATE_BUCKET=true), once', async () => {
    const bucket = s3.unusedBucket('created')
    const client = s3.client(bucket)
    await expect(prepareBucket(client, bucket, { create: true })).resolves.toEqual({ created: true })
    await expect(prepareBucket(client, bucket, { create: true })).resolves.toEqual({ created: false })
  })

  it('names an access key the server does not know: auth_failed', async () => {
    const bucket = s3.bucket('evidence')
    const client = createS3Client({ ...s3.config(bucket), accessKeyId: `NOSUCHKEY${randomBytes(4).toString('hex').toUpperCase()}` })
    expect(await problem(prepareBucket(client, bucket, { create: true }))).toBe('auth_failed')
  })

  it('names an endpoint where nothing listens: unreachable', async () => {
    const client = createS3Client({ ...s3.config('evidence'), endpoint: 'http://127.0.0.1:9' })
    expect(await problem(prepareBucket(client, 'evidence', { create: true, timeoutMs: 2_000 }))).toBe('unreachable')
  })
})
