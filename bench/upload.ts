// npm run bench:upload — one 1 GB file, uploaded (1) as evidence through the portal's HTTP endpoint,
// streamed to S3, and (2) straight to the same S3 server with one PUT. Prints throughput of both,
// their ratio (goal ≥ 0.8) and the app server's peak RSS growth during its upload (goal ≤ 64 MB).
// Everything runs here on loopback: embedded PostgreSQL, s3rver, an SMTP receiver, the real server.
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, closeSync, createReadStream, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { createS3Client } from '~/infra/storage.server'
import { createDatabase, freePort, S3RVER_CREDENTIALS, startPostgres } from '../scripts/embedded-services'
import { cpuSeconds, httpRequest, logIn, reportThroughput, rssBytes, root, runBench, startPortal, type Portal } from './harness'
import type { Goal } from './goals'
import { DEMO_LOGINS, DEMO_PASSWORD } from '../prisma/demo-data'

const SIZE = Number(process.env.BENCH_UPLOAD_BYTES ?? 1024 * 1024 * 1024)
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 2)
const MB = 1024 * 1024

function makeFile(dir: string): string {
  const file = path.join(dir, 'evidence.png')
  const fd = openSync(file, 'w')
  // A PNG signature, then random bytes: the portal decides the type from the first bytes.
  writeSync(fd, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  const block = randomBytes(8 * MB)
  for (let written = 8; written < SIZE; written += block.length) writeSync(fd, block, 0, Math.min(block.length, SIZE - written))
  closeSync(fd)
  return file
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: MB })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function main(): Promise<Goal[]> {
  if (!existsSync(path.join(root, 'build/index.js'))) throw new Error('run `npm run build` first')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'))
  chmodSync(dir, 0o755)
  process.stdout.write(`writing a ${(SIZE / MB).toFixed(0)} MB file…\n`)
  const file = makeFile(dir)
  const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
  let portal: Portal | undefined
  try {
    await createDatabase(postgres, 'bench')
    portal = await startPortal({
      databaseUrl: postgres.url('bench'),
      s3Directory: path.join(dir, 's3'),
      // The benchmark file is larger than any evidence the policy allows.
      env: { POLICY_OVERRIDES: JSON.stringify({ dispute: { maxImageOrPdfBytes: SIZE + MB } }) },
      prepare: (env) => {
        for (const args of [['node_modules/prisma/build/index.js', 'migrate', 'deploy'], ['--import', 'tsx', 'prisma/seed.ts']]) {
          const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' })
          if (result.status !== 0) throw new Error(result.stderr)
        }
      },
    })
    const { base, pid } = portal
    // Log in as the merchant whose dispute awaits evidence.
    const { cookie, csrf } = await logIn(base, DEMO_LOGINS.shopAMain, DEMO_PASSWORD)
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: postgres.url('bench') })
    await client.connect()
    const { rows } = await client.query(`SELECT r.id FROM "EvidenceRequest" r JOIN "AfterSalesCase" c ON c.id = r."caseId" WHERE c."caseNo" = 'AS2611220005' AND r.status = 'OPEN'`)
    await client.end()
    const requestId = rows[0].id as string

    const fileSha256 = await sha256Of(file)
    const s3Client = createS3Client({ endpoint: portal.s3Endpoint, region: 'us-east-1', bucket: 'evidence', forcePathStyle: true, ...S3RVER_CREDENTIALS })

    /** (1) Through the app, as the portal's uploader sends it: size and SHA-256 before the file. */
    async function throughApp(): Promise<{ seconds: number; rssGrowth: number; cpu: number }> {
      const boundary = `----bench${randomBytes(8).toString('hex')}`
      const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
      const head = Buffer.from(
        field('csrf', csrf) + field('size', String(SIZE)) + field('sha256', fileSha256) +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="evidence.png"\r\nContent-Type: image/png\r\n\r\n`,
      )
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
      const body = new PassThrough()
      body.write(head)
      const fileStream = createReadStream(file, { highWaterMark: MB })
      fileStream.on('end', () => body.end(tail))
      fileStream.pipe(body, { end: false })
      const baseline = rssBytes(pid)
      let peak = baseline
      const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20)
      const cpuBefore = cpuSeconds(pid)
      const started = performance.now()
      const answer = await httpRequest(
        `${base}/cases/AS2611220005/evidence/${requestId}/files`,
        {
          method: 'POST',
          headers: {
            Cookie: cookie,
            Accept: 'application/json',
            'Content-Type': `multipart/form-data; boundary=${boundary}`,
            'Content-Length': head.length + statSync(file).size + tail.length,
          },
        },
        body,
      )
      const seconds = (performance.now() - started) / 1000
      const cpu = cpuSeconds(pid) - cpuBefore
      clearInterval(sampler)
      if (answer.status !== 200) throw new Error(`upload through the app failed: ${answer.status} ${answer.text}`)
      return { seconds, rssGrowth: (peak - baseline) / MB, cpu }
    }

    /** (2) Straight to S3 with one PUT of the same file. */
    async function direct(round: number): Promise<number> {
      const started = performance.now()
      await s3Client.send(
        new PutObjectCommand({ Bucket: 'evidence', Key: `bench/direct-${round}`, Body: createReadStream(file, { highWaterMark: MB }), ContentLength: SIZE, ContentType: 'image/png' }),
      )
      return (performance.now() - started) / 1000
    }

    // Alternating rounds even out disk cache and CPU noise; the best round of each is compared.
    const appRuns: number[] = []
    const directRuns: number[] = []
    let rssGrowth = 0
    for (let round = 0; round < ROUNDS; round++) {
      const app = await throughApp()
      appRuns.push(app.seconds)
      rssGrowth = Math.max(rssGrowth, app.rssGrowth)
      directRuns.push(await direct(round))
      const cpuPerGb = app.cpu / (SIZE / (1024 * MB))
      process.stdout.write(
        `round ${round + 1}: app ${app.seconds.toFixed(1)} s (server CPU ${app.cpu.toFixed(1)} s, ${cpuPerGb.toFixed(1)} s/GB), ` +
          `direct ${directRuns[round]!.toFixed(1)} s, ratio ${(directRuns[round]! / app.seconds).toFixed(2)}\n`,
      )
    }
    return reportThroughput('bench:upload', 'direct S3 PUT', SIZE, appRuns, directRuns, rssGrowth)
  } finally {
    await portal?.stop()
    await postgres.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

runBench(main)
