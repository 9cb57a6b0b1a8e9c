// Every test passes, but a promise is rejected with no handler: the run must still fail.
import { expect, it } from 'vitest'

it('passes while leaking a rejected promise', async () => {
  void Promise.reject(new Error('a rejection nobody handled'))
  await new Promise((resolve) => setTimeout(resolve, 10))
  expect(true).toBe(true)
})
