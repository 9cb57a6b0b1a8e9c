// npm run bench:download — one 1 GB video, uploaded once as evidence through the portal, then
// downloaded in alternating rounds (1) through the portal's /evidence route, streamed from S3 with
// its SHA-256 checked on the way, and (2) straight from the same S3 server with a presigned GET.
// Prints the throughput of both, their ratio (goal ≥ 0.8) and the app server's peak RSS growth
// during its downloads (goal ≤ 64 MB). Everything runs here on loopback: embedded PostgreSQL,
// s3rver, an SMTP receiver and the real server.
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { presignEvidence } from '~/infra/presign.server'
import { createS3Client } from '~/infra/storage.server'
import { createDatabase, freePort, S3RVER_CREDENTIALS, startPostgres } from '../scripts/embedded-services'
import { cpuSeconds, httpRequest, logIn, reportThroughput, rssBytes, root, runBench, startPortal, type Portal } from './harness'
import type { Goal } from './goals'
import { DEMO_LOGINS, DEMO_PASSWORD } from '../prisma/demo-data'

const SIZE = Number(process.env.BENCH_DOWNLOAD_BYTES ?? 1024 * 1024 * 1024)
const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 4)
const MB = 1024 * 1024
const BLOCK = 8 * MB

const block = randomBytes(BLOCK)

/** The file, generated as it is read: an MP4 header, then one random block over and over (never all in memory). */
function* videoBytes(): Generator<Buffer> {
  const header = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom', 'ascii'), Buffer.alloc(12)])
  yield header
  for (let sent = header.length; sent < SIZE; sent += block.length) yield block.subarray(0, Math.min(block.length, SIZE - sent))
}
function sha256OfVideo(): string {
  const hash = createHash('sha256')
  for (const chunk of videoBytes()) hash.update(chunk)
  return hash.digest('hex')
}

/** One GET read to the end as fast as it comes; the bytes are counted (and hashed when asked). */
function download(url: string, headers: Record<string, string>, hash?: ReturnType<typeof createHash>): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume()
          return reject(new Error(`GET ${url.split('?')[0]} answered ${res.statusCode}`))
        }
        let bytes = 0
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
          hash?.update(chunk)
        })
        res.on('end', () => (res.complete ? resolve({ seconds: (performance.now() - started) / 1000, bytes }) : reject(new Error('transfer cut'))))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

async function main(): Promise<Goal[]> {
  if (!existsSync(path.join(root, 'build/index.js'))) throw new Error('run `npm run build` first')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'))
  chmodSync(dir, 0o755)
  const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
  let portal: Portal | undefined
  try {
    await createDatabase(postgres, 'bench')
    portal = await startPortal({
      databaseUrl: postgres.url('bench'),
      s3Directory: path.join(dir, 's3'),
      // The benchmark file is larger than any evidence the policy allows.
      env: { POLICY_OVERRIDES: JSON.stringify({ dispute: { maxVideoBytes: SIZE + MB } }), EVIDENCE_DELIVERY: 'stream' },
      prepare: (env) => {
        for (const args of [['node_modules/prisma/build/index.js', 'migrate', 'deploy'], ['--import', 'tsx', 'prisma/seed.ts']]) {
          const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' })
          if (result.status !== 0) throw new Error(result.stderr)
        }
      },
    })
    const { base, pid } = portal

    // The merchant whose dispute awaits evidence uploads the video, as the portal's uploader sends it.
    process.stdout.write(`uploading a ${(SIZE / MB).toFixed(0)} MB video as evidence…\n`)
    const fileSha256 = sha256OfVideo()
    const merchant = await logIn(base, DEMO_LOGINS.shopAMain, DEMO_PASSWORD)
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: postgres.url('bench') })
    await client.connect()
    const { rows } = await client.query(
      `SELECT r.id FROM "EvidenceRequest" r JOIN "AfterSalesCase" c ON c.id = r."caseId" WHERE c."caseNo" = 'AS2611220005' AND r.status = 'OPEN'`,
    )
    const requestId = rows[0].id as string
    const boundary = `----bench${randomBytes(8).toString('hex')}`
    const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
    const head = Buffer.from(
      field('csrf', merchant.csrf) + field('size', String(SIZE)) + field('sha256', fileSha256) +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="unboxing.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    const uploaded = await httpRequest(
      `${base}/cases/AS2611220005/evidence/${requestId}/files`,
      {
        method: 'POST',
        headers: {
          Cookie: merchant.cookie,
          Accept: 'application/json',
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + SIZE + tail.length,
        },
      },
      Readable.from((function* () {
        yield head
        yield* videoBytes()
        yield tail
      })()),
    )
    if (uploaded.status !== 200) throw new Error(`upload failed: ${uploaded.status} ${uploaded.text}`)
    const itemId = (JSON.parse(uploaded.text) as { items: { id: string }[] }).items[0]!.id
    type Item = { s3Key: string; fileName: string; contentType: string }
    const item = (await client.query(`SELECT "s3Key", "fileName", "contentType" FROM "EvidenceItem" WHERE id = $1`, [itemId])).rows[0] as Item
    await client.end()

    // An agent opens it through the portal; the direct side is a presigned GET of the same object.
    const agent = await logIn(base, DEMO_LOGINS.agent, DEMO_PASSWORD)
    const s3Client = createS3Client({ endpoint: portal.s3Endpoint, region: 'us-east-1', bucket: 'evidence', forcePathStyle: true, ...S3RVER_CREDENTIALS })
    const appUrl = `${base}/evidence/${itemId}`
    let rssGrowth = 0
    /** A download through the portal, watching the server's memory and CPU while it runs. */
    async function throughApp(hash?: ReturnType<typeof createHash>) {
      const baseline = rssBytes(pid)
      let peak = baseline
      const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20)
      const cpuBefore = cpuSeconds(pid)
      try {
        const run = await download(appUrl, { Cookie: agent.cookie }, hash)
        rssGrowth = Math.max(rssGrowth, (peak - baseline) / MB)
        return { ...run, rss: (peak - baseline) / MB, cpu: cpuSeconds(pid) - cpuBefore }
      } finally {
        clearInterval(sampler)
      }
    }
    const direct = async (hash?: ReturnType<typeof createHash>) => download(await presignEvidence(s3Client, 'evidence', item), {}, hash)

    // Untimed first: both sides deliver exactly the uploaded bytes (and warm the page cache).
    for (const [name, fetchIt] of [['app', throughApp], ['direct', direct]] as const) {
      const hash = createHash('sha256')
      const { bytes } = await fetchIt(hash)
      if (bytes !== SIZE || hash.digest('hex') !== fileSha256) throw new Error(`${name}: the downloaded file differs from the upload`)
    }
    process.stdout.write('both sides return the uploaded bytes exactly (SHA-256 checked)\n')

    // Alternating rounds even out disk cache and CPU noise; the best round of each is compared.
    const appRuns: number[] = []
    const directRuns: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const app = await throughApp()
      const straight = await direct()
      if (app.bytes !== SIZE || straight.bytes !== SIZE) throw new Error('a download came back short')
      appRuns.push(app.seconds)
      directRuns.push(straight.seconds)
      const rate = (seconds: number) => `${(SIZE / MB / seconds).toFixed(0)} MB/s`
      process.stdout.write(
        `round ${round + 1}: app ${app.seconds.toFixed(1)} s (${rate(app.seconds)}, server RSS +${app.rss.toFixed(1)} MB, server CPU ${app.cpu.toFixed(1)} s), ` +
          `direct ${straight.seconds.toFixed(1)} s (${rate(straight.seconds)})\n`,
      )
    }
    return reportThroughput('bench:download', 'direct S3 GET', SIZE, appRuns, directRuns, rssGrowth)
  } finally {
    await portal?.stop()
    await postgres.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

runBench(main)
