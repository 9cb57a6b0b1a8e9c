import path from 'node:path'
import { defineConfig } from '@playwright/test'

// E2E_GATE_FIXTURE runs one of tests/gate/'s deliberately failing specs with this same setup (the
// real server, its log check, forbidOnly): scripts/check-test-gate.ts proves a failure fails the run.
const gateFixture = process.env.E2E_GATE_FIXTURE

// Debian's Chromium; Playwright never downloads a browser here.
export default defineConfig({
  testDir: gateFixture ? path.dirname(gateFixture) : 'e2e',
  // A focused test (`.only`) would silently skip the rest of the suite.
  forbidOnly: true,
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  // Specs that move the server's clock run after all the others.
  projects: gateFixture
    ? [{ name: 'gate', testMatch: path.basename(gateFixture) }]
    : [
        { name: 'portal', testIgnore: /clock\// },
        { name: 'clock', testMatch: /clock\/.*\.spec\.ts/, dependencies: ['portal'] },
      ],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
})
