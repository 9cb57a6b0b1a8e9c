// Evidence storage: any S3-compatible endpoint.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { randomUUID } from 'node:crypto'
import { env, quietAwsSdkNodeNotice } from './env.server'
import { logger } from './logger.server'

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
  quietAwsSdkNodeNotice()
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

/** What is wrong with the bucket, in the words /healthz and the start check use. */
export type StorageProblem = 'unreachable' | 'timeout' | 'bucket_missing' | 'access_denied' | 'auth_failed' | 'error'

export class StorageCheckError extends Error {
  constructor(
    readonly reason: StorageProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The portal's own objects (the start check's probe); evidence keys never start with it. */
export const RESERVED_PREFIX = '_portal/'
export const PROBE_PREFIX = `${RESERVED_PREFIX}probe/`

// Error codes S3 answers when it does not accept the credentials or the signature (AWS, Swift's
// s3api, MinIO and Ceph use the same names).
const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AuthorizationHeaderMalformed',
  'InvalidSecurity',
  'CredentialsNotSupported',
])
const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException'])
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'])

type SdkError = { name?: string; Code?: string; code?: string; $metadata?: { httpStatusCode?: number } }

/** The S3 error code of an SDK error (`Code` from the XML body; a HEAD answer has none). */
export function storageErrorCode(error: unknown): string | undefined {
  const e = error as SdkError | undefined
  if (e?.Code) return e.Code
  // Without a body the SDK names the error after the status ("NotFound", "Forbidden") or "Unknown".
  return e?.$metadata?.httpStatusCode && e.name && !['Unknown', 'UnknownError', 'Error'].includes(e.name) ? e.name : undefined
}

/**
 * Maps an SDK error to what is wrong. NoSuchBucket / 404 → bucket_missing; InvalidAccessKeyId,
 * SignatureDoesNotMatch… → auth_failed; AccessDenied / 403 → access_denied; no HTTP answer at all
 * (refused, DNS, reset) → unreachable; any other answer (5xx…) → error.
 */
export function storageProblem(error: unknown): StorageProblem {
  const e = (error ?? {}) as SdkError
  const code = e.Code ?? e.name ?? ''
  if (TIMEOUT_NAMES.has(code) || TIMEOUT_CODES.has(e.code ?? '')) return 'timeout'
  if (code === 'NoSuchBucket') return 'bucket_missing'
  if (AUTH_CODES.has(code)) return 'auth_failed'
  if (code === 'AccessDenied' || code === 'AllAccessDisabled') return 'access_denied'
  const status = e.$metadata?.httpStatusCode
  if (status === undefined) return 'unreachable'
  if (status === 404) return 'bucket_missing'
  if (status === 401) return 'auth_failed'
  if (status === 403) return 'access_denied'
  return 'error'
}

const EXPLAIN: Record<StorageProblem, (bucket: string) => string> = {
  unreachable: () => 'S3 is unreachable (no HTTP answer): check S3_ENDPOINT and the network',
  timeout: () => 'S3 did not answer in time',
  bucket_missing: (bucket) => `bucket "${bucket}" does not exist: create it, or set S3_CREATE_BUCKET=true to let the portal create it`,
  access_denied: (bucket) =>
    `S3 refused access to bucket "${bucket}": the credentials need to list it and to put, get and delete objects in it`,
  auth_failed: () => 'S3 did not accept the credentials: check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
  error: () => 'S3 answered with an unexpected error',
}

function checkError(error: unknown, bucket: string, step: string): StorageCheckError {
  if (error instanceof StorageCheckError) return error
  const reason = storageProblem(error)
  const code = storageErrorCode(error) ?? (error as { code?: string })?.code
  const status = (error as SdkError)?.$metadata?.httpStatusCode
  const detail = [code, status ? `HTTP ${status}` : undefined].filter(Boolean).join(', ')
  return new StorageCheckError(reason, `${step}: ${EXPLAIN[reason](bucket)}${detail ? ` (${detail})` : ''}`, { cause: error })
}

/**
 * Does the bucket exist and may we read it? One HeadBucket; a HEAD answer carries no error code, so
 * after a refusal one ListObjectsV2 (same permission) tells bad credentials from a denied bucket.
 */
export async function checkBucket(client: S3Client, bucket: string, timeoutMs: number): Promise<void> {
  const signal = () => AbortSignal.timeout(timeoutMs)
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal() })
  } catch (headError) {
    const status = (headError as SdkError).$metadata?.httpStatusCode
    if (status !== 400 && status !== 401 && status !== 403) throw checkError(headError, bucket, 'HeadBucket')
    try {
      await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: PROBE_PREFIX, MaxKeys: 1 }), { abortSignal: signal() })
    } catch (listError) {
      throw checkError(storageErrorCode(listError) ? listError : headError, bucket, 'HeadBucket')
    }
    throw checkError(headError, bucket, 'HeadBucket')
  }
}

export type PrepareResult = { created: boolean }

/**
 * The start check: the bucket exists (created only when `create` is set: S3_CREATE_BUCKET) and is
 * writable, proved by putting and deleting a tiny probe object under the reserved prefix.
 */
export async function prepareBucket(client: S3Client, bucket: string, options: { create: boolean; timeoutMs?: number }): Promise<PrepareResult> {
  const timeoutMs = options.timeoutMs ?? 10_000
  let created = false
  try {
    await checkBucket(client, bucket, timeoutMs)
  } catch (error) {
    if (!(error instanceof StorageCheckError) || error.reason !== 'bucket_missing' || !options.create) throw error
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) })
      created = true
    } catch (createError) {
      // Another instance starting at the same moment may have won.
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(storageErrorCode(createError) ?? '')) {
        throw checkError(createError, bucket, 'CreateBucket')
      }
    }
  }
  const key = `${PROBE_PREFIX}${randomUUID()}`
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'probe', ContentLength: 5 }), { abortSignal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    throw checkError(error, bucket, 'PutObject (write probe)')
  }
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    throw checkError(error, bucket, 'DeleteObject (write probe)')
  }
  return { created }
}

/**
 * First thing the server and the worker do after validating env: the bucket must be there and
 * writable. Otherwise one error line says what is wrong, and the process exits 1 (a process
 * manager restarts it; /healthz keeps naming the problem for processes already running).
 */
export async function exitUnlessStorageReady(processName: 'portal' | 'worker'): Promise<void> {
  const e = env()
  try {
    const { created } = await prepareBucket(s3(), e.S3_BUCKET, { create: e.S3_CREATE_BUCKET })
    if (created) logger.info('created the S3 bucket (S3_CREATE_BUCKET=true)', { bucket: e.S3_BUCKET })
  } catch (error) {
    const problem = error instanceof StorageCheckError ? error : checkError(error, e.S3_BUCKET, 'S3')
    logger.error(`${processName} cannot start: S3 ${problem.reason}: ${problem.message}`, {
      check: 's3',
      reason: problem.reason,
      bucket: e.S3_BUCKET,
      endpoint: e.S3_ENDPOINT ?? 'AWS',
    })
    process.exit(1)
  }
}
