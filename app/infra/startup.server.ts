// What the portal and the worker check before they start: a valid environment, then a bucket that
// exists and is writable. Either failing is one clear message and exit 1, never a half-started process.
import { env, EnvError } from './env.server'
import { exitUnlessStorageReady } from './storage.server'

export async function exitUnlessReadyToStart(processName: 'portal' | 'worker'): Promise<void> {
  try {
    env()
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  await exitUnlessStorageReady(processName)
}
