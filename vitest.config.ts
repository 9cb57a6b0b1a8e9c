import path from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '~': path.resolve(import.meta.dirname, 'app') } },
  test: {
    // TEST_GATE_FIXTURE runs one of tests/gate/'s deliberately failing files through this same
    // config (scripts/check-test-gate.ts): the proof that a failure fails the run.
    include: process.env.TEST_GATE_FIXTURE ? [process.env.TEST_GATE_FIXTURE] : ['app/**/*.test.ts', 'tests/**/*.test.ts', 'tools/**/*.test.ts', 'bench/**/*.test.ts'],
    // A focused test (`.only`) would silently skip the rest of the suite: refused everywhere, not only where CI is set.
    allowOnly: false,
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/per-file.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2 cores: more forks only contend for the CPU with PostgreSQL.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
})
