// The S3 a test runs against: its own s3rver by default, or an external S3-compatible service given
// by TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY (optional
// TEST_S3_REGION, TEST_S3_FORCE_PATH_STYLE, TEST_S3_BUCKET_PREFIX). On an external S3 each bucket a
// test asks for is created as `<prefix>-<start time>-<random>-<name>` and emptied and deleted at
// stop(); buckets of runs that died are swept by the next run (sweepStaleTestBuckets).
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createS3Client, type StorageConfig } from '../../app/infra/storage.server'
import { S3RVER_CREDENTIALS, startS3 } from '../../scripts/embedded-services'
import { STALE_AFTER_MS } from './databases'

export type TestS3 = {
  endpoint: string
  /** true when TEST_S3_ENDPOINT points at an external S3 (which, unlike s3rver, checks signatures). */
  external: boolean
  region: string
  forcePathStyle: boolean
  credentials: { accessKeyId: string; secretAccessKey: string }
  /** The real name of a bucket asked for by its short name (the same name on s3rver). */
  bucket(name: string): string
  /** A bucket name that does not exist yet, deleted at stop() if a test created it. */
  unusedBucket(name: string): string
  config(bucket: string): StorageConfig
  client(bucket: string): S3Client
  /** The S3_* variables the app reads, for a test that runs the app's own singletons. */
  env(bucket: string): Record<string, string>
  stop(): Promise<void>
}

export type ExternalS3 = { endpoint: string; region: string; forcePathStyle: boolean; accessKeyId: string; secretAccessKey: string; bucketPrefix: string }

export function externalS3FromEnv(source = process.env): ExternalS3 | undefined {
  if (!source.TEST_S3_ENDPOINT) return undefined
  const accessKeyId = source.TEST_S3_ACCESS_KEY_ID
  const secretAccessKey = source.TEST_S3_SECRET_ACCESS_KEY
  if (!accessKeyId || !secretAccessKey) throw new Error('TEST_S3_ENDPOINT needs TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY')
  const bucketPrefix = source.TEST_S3_BUCKET_PREFIX ?? 'portal-test'
  if (!/^[a-z0-9][a-z0-9-]{0,29}$/.test(bucketPrefix)) throw new Error('TEST_S3_BUCKET_PREFIX must be up to 30 lower-case letters, digits and dashes')
  return {
    endpoint: source.TEST_S3_ENDPOINT,
    region: source.TEST_S3_REGION ?? 'us-east-1',
    forcePathStyle: (source.TEST_S3_FORCE_PATH_STYLE ?? 'true') === 'true',
    accessKeyId,
    secretAccessKey,
    bucketPrefix,
  }
}

const RUN_PART = /^([0-9a-z]{8,9})-[0-9a-f]{4}-[a-z0-9-]+$/

async function emptyAndDelete(client: S3Client, bucket: string) {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }))
    for (const object of page.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }))
    if (!page.Contents?.length) break
  }
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket })).catch(() => ({ Uploads: [] }))
  for (const upload of uploads.Uploads ?? []) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key!, UploadId: upload.UploadId! }))
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }))
}

const externalClient = (s3: ExternalS3) =>
  createS3Client({ endpoint: s3.endpoint, region: s3.region, bucket: '', forcePathStyle: s3.forcePathStyle, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey })

/** Deletes the test buckets of runs that started more than STALE_AFTER_MS ago (on an external S3 only). */
export async function sweepStaleTestBuckets(now = Date.now()): Promise<string[]> {
  const external = externalS3FromEnv()
  if (!external) return []
  const client = externalClient(external)
  const listed = await client.send(new ListBucketsCommand({})).catch((error: Error) => {
    // Keys allowed to make buckets but not to list them all: nothing to sweep, the run goes on.
    process.stderr.write(`[test S3] cannot list buckets to sweep earlier runs' (${error.name}): skipped\n`)
    return { Buckets: [] }
  })
  const { Buckets } = listed
  const swept: string[] = []
  for (const { Name } of Buckets ?? []) {
    const match = Name?.startsWith(`${external.bucketPrefix}-`) ? RUN_PART.exec(Name.slice(external.bucketPrefix.length + 1)) : null
    if (!match || now - parseInt(match[1]!, 36) <= STALE_AFTER_MS) continue
    await emptyAndDelete(client, Name!).then(
      () => swept.push(Name!),
      (error: Error) => process.stderr.write(`[test S3] could not delete ${Name}: ${error.message}\n`),
    )
  }
  return swept
}

/** The test's S3 with the named buckets in it. */
export async function startTestS3(options: { buckets: string[] }): Promise<TestS3> {
  const external = externalS3FromEnv()
  const names = new Map<string, string>()
  const owned = new Set<string>()
  let endpoint: string
  let stopServer: () => Promise<void>
  let credentials: TestS3['credentials']
  const region = external?.region ?? 'us-east-1'
  const forcePathStyle = external?.forcePathStyle ?? true
  if (external) {
    endpoint = external.endpoint
    credentials = { accessKeyId: external.accessKeyId, secretAccessKey: external.secretAccessKey }
    const run = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`
    for (const name of options.buckets) names.set(name, `${external.bucketPrefix}-${run}-${name}`)
    const client = externalClient(external)
    for (const bucket of names.values()) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }))
      owned.add(bucket)
    }
    stopServer = async () => {
      for (const bucket of owned) {
        await emptyAndDelete(client, bucket).catch((error: { name?: string; message?: string }) => {
          if (error.name !== 'NoSuchBucket') process.stderr.write(`[test S3] could not delete ${bucket}: ${error.message}\n`)
        })
      }
      client.destroy()
    }
    const unused = (name: string) => {
      const bucket = `${external.bucketPrefix}-${run}-${name}`
      owned.add(bucket)
      return bucket
    }
    return build(unused)
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-s3-'))
  const server = await startS3({ directory: dir, port: 0, buckets: options.buckets })
  endpoint = server.endpoint
  credentials = S3RVER_CREDENTIALS
  for (const name of options.buckets) names.set(name, name)
  stopServer = async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return build((name) => name)

  function build(unusedBucket: (name: string) => string): TestS3 {
    const config = (bucket: string): StorageConfig => ({ endpoint, region, bucket, forcePathStyle, ...credentials })
    return {
      endpoint,
      external: Boolean(external),
      region,
      forcePathStyle,
      credentials,
      bucket(name) {
        const bucket = names.get(name)
        if (!bucket) throw new Error(`no test bucket ${name}: pass it to startTestS3`)
        return bucket
      },
      unusedBucket,
      config,
      client: (bucket) => createS3Client(config(bucket)),
      env: (bucket) => ({
        S3_ENDPOINT: endpoint,
        S3_REGION: region,
        S3_BUCKET: bucket,
        S3_FORCE_PATH_STYLE: String(forcePathStyle),
        S3_ACCESS_KEY_ID: credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      }),
      stop: () => stopServer(),
    }
  }
}
