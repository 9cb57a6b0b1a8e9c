// Evidence storage: any S3-compatible endpoint.
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { env } from './env.server'

export type StorageConfig = {
  endpoint?: string
  region: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  forcePathStyle: boolean
}

export function storageConfigFromEnv(): StorageConfig {
  const e = env()
  return {
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION,
    bucket: e.S3_BUCKET,
    accessKeyId: e.S3_ACCESS_KEY_ID,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  }
}

export function createS3Client(config: StorageConfig): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // With the SDK's default (WHEN_SUPPORTED) some S3-compatible servers store the aws-chunked
    // framing inside the object. Checksums only where the API requires them keeps bytes exact.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    // A dead endpoint must fail fast; a live one may be slow with large parts.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  })
}

const globalStore = globalThis as unknown as { __s3?: S3Client }

export function s3(): S3Client {
  globalStore.__s3 ??= createS3Client(storageConfigFromEnv())
  return globalStore.__s3
}

export async function ensureBucket(client: S3Client, bucket: string) {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }))
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
  }
}

export async function checkStorage(client: S3Client, bucket: string, timeoutMs: number): Promise<void> {
  await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) })
}
