// The worker process as `npm run worker` starts it: the bucket check runs before anything else, a
// missing bucket stops it with one error line naming the problem, and S3_CREATE_BUCKET=true lets it
// create the bucket and go on. (The server runs the same check, exitUnlessStorageReady('portal'),
// before it listens; e2e/global-setup.ts starts it for real.)
import { HeadBucketCommand } from '@aws-sdk/client-s3'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestS3, type TestS3 } from './setup/s3'

const root = path.resolve(import.meta.dirname, '..')
let s3: TestS3

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [] })
})
afterAll(async () => {
  await s3.stop()
})

type Run = { code: number | null; lines: string[]; stray: string[] }

/** Runs the worker until it exits or logs `until`, then stops it. */
function runWorker(env: Record<string, string>, until: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
      cwd: root,
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (until.test(output)) child.kill('SIGTERM')
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      const all = output.split('\n').filter((line) => line.trim() !== '')
      resolve({ code, lines: all.filter((line) => line.startsWith('{')), stray: all.filter((line) => !line.startsWith('{')) })
    })
  })
}

describe('the worker checks its bucket at start', () => {
  it('exits 1 with one line naming a missing bucket, creating nothing', async () => {
    const bucket = s3.unusedBucket('start-missing')
    const run = await runWorker({ ...s3.env(bucket), S3_CREATE_BUCKET: 'false' }, /worker started/)
    expect(run.code).toBe(1)
    const errors = run.lines.map((line) => JSON.parse(line) as { level: string; msg: string; reason?: string }).filter((entry) => entry.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ reason: 'bucket_missing' })
    // Nothing but the JSON log: no SDK notice about the Node version ahead of the one error line (Node 20).
    expect(run.stray).toEqual([])
    expect(errors[0]!.msg).toMatch(/^worker cannot start: S3 bucket_missing: .*S3_CREATE_BUCKET=true/)
    expect(run.lines.join('\n')).not.toContain('worker started')
    await expect(s3.client(bucket).send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } })
  })

  it('creates the bucket with S3_CREATE_BUCKET=true and starts', async () => {
    const bucket = s3.unusedBucket('start-created')
    const run = await runWorker({ ...s3.env(bucket), S3_CREATE_BUCKET: 'true' }, /worker started/)
    expect(run.lines.join('\n')).toContain('created the S3 bucket')
    expect(run.lines.join('\n')).toContain('worker started')
    const check = await runWorker({ ...s3.env(bucket), S3_CREATE_BUCKET: 'false' }, /worker started/)
    expect(check.lines.join('\n')).toContain('worker started')
  })
})
