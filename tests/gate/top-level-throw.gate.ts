// A file that throws while it is collected: the run must fail, not report zero tests.
import { expect, it } from 'vitest'

throw new Error('a file that cannot even be loaded')

it('is never reached', () => {
  expect(true).toBe(true)
})
