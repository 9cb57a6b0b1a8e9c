// A focused test would silently skip the rest of the suite: `.only` must fail the run.
import { expect, it } from 'vitest'

it.only('is focused', () => {
  expect(true).toBe(true)
})

it('would be skipped', () => {
  expect(true).toBe(true)
})
