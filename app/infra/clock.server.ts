import { env } from './env.server'

// Every "now" in services and the worker comes from here, so tests can move time instead of sleeping.
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that runs with real time but shifted; tests and the e2e test hook move it forward. */
export class OffsetClock implements Clock {
  constructor(private offsetMs = 0) {}
  now() {
    return new Date(Date.now() + this.offsetMs)
  }
  advance(ms: number) {
    this.offsetMs += ms
  }
  set(to: Date) {
    this.offsetMs = to.getTime() - Date.now()
  }
}

const globalStore = globalThis as unknown as { __clock?: Clock }

export function clock(): Clock {
  return globalStore.__clock ?? systemClock
}

/** Replaces the process clock. Refuses in production: there is exactly one time there.
 *  (env() reads NODE_ENV at run time; the Remix build inlines `process.env.NODE_ENV`.) */
export function useClock(next: Clock) {
  if (env().NODE_ENV === 'production') throw new Error('The clock cannot be replaced in production')
  globalStore.__clock = next
}
