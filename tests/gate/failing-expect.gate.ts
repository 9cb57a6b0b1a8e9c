// A deliberately failing test: scripts/check-test-gate.ts requires the run to exit non-zero.
import { expect, it } from 'vitest'

it('fails an assertion', () => {
  expect(1 + 1).toBe(3)
})
