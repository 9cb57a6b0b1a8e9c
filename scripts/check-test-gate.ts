// Proves the test gate can fail. Each of tests/gate/'s fixtures runs through the project's real
// vitest or Playwright config (same global setup, same embedded services) in a subprocess, and must
// end as it says: every kind of failure exits non-zero for the reason it was written for, and the
// passing controls exit 0. Run by .ci/run after `npm test` (Playwright's fixtures need the build);
// `npm run test:gate` by hand. Exits 1 if any fixture ends otherwise.
import { spawn } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const RUN_TIMEOUT_MS = 180_000

type Fixture = { file: string; runner: 'vitest' | 'playwright'; fails: boolean; because: RegExp }

const fixtures: Fixture[] = [
  { runner: 'vitest', file: 'tests/gate/passing.gate.ts', fails: false, because: /Tests\s+1 passed/ },
  { runner: 'vitest', file: 'tests/gate/failing-expect.gate.ts', fails: true, because: /Tests\s+1 failed/ },
  { runner: 'vitest', file: 'tests/gate/unhandled-rejection.gate.ts', fails: true, because: /a rejection nobody handled/ },
  { runner: 'vitest', file: 'tests/gate/top-level-throw.gate.ts', fails: true, because: /a file that cannot even be loaded/ },
  { runner: 'vitest', file: 'tests/gate/no-tests.gate.ts', fails: true, because: /No test suite found/ },
  { runner: 'vitest', file: 'tests/gate/focused.gate.ts', fails: true, because: /\.only/ },
  { runner: 'playwright', file: 'tests/gate/passing.gate-spec.ts', fails: false, because: /1 passed/ },
  { runner: 'playwright', file: 'tests/gate/failing.gate-spec.ts', fails: true, because: /1 failed/ },
  { runner: 'playwright', file: 'tests/gate/focused.gate-spec.ts', fails: true, because: /forbid|focused item/i },
]

function run(fixture: Fixture): Promise<{ code: number | null; output: string }> {
  const [command, args, env] =
    fixture.runner === 'vitest'
      ? [process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { TEST_GATE_FIXTURE: fixture.file }]
      : [process.execPath, ['node_modules/@playwright/test/cli.js', 'test'], { E2E_GATE_FIXTURE: fixture.file }]
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => {
      output += `\n[gate] no end after ${RUN_TIMEOUT_MS} ms: killed`
      child.kill('SIGKILL')
    }, RUN_TIMEOUT_MS)
    child.on('close', (code) => {
      clearTimeout(timer)
      // Some reporters colour their summary whatever the environment says.
      resolve({ code, output: output.replace(/\x1b\[[0-9;]*m/g, '') })
    })
  })
}

let wrong = 0
for (const fixture of fixtures) {
  const started = Date.now()
  const { code, output } = await run(fixture)
  const endedAsItShould = fixture.fails ? code !== 0 && code !== null : code === 0
  const forItsReason = fixture.because.test(output)
  const verdict = endedAsItShould && forItsReason ? 'ok' : 'WRONG'
  if (verdict === 'WRONG') wrong++
  process.stdout.write(
    `[gate] ${verdict.padEnd(5)} ${fixture.runner.padEnd(10)} ${fixture.file}: exit ${code} (${fixture.fails ? 'must fail' : 'must pass'}), ` +
      `${forItsReason ? 'for its reason' : `its reason ${fixture.because} is not in the output`} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  )
  if (verdict === 'WRONG') process.stdout.write(`${output.split('\n').slice(-40).join('\n')}\n`)
}
process.stdout.write(wrong ? `[gate] ${wrong} of ${fixtures.length} fixtures did not end as they must: the test gate cannot be trusted\n` : `[gate] all ${fixtures.length} fixtures ended as they must\n`)
process.exit(wrong ? 1 : 0)
