// The control: a passing file through the same config exits 0, so the gate is not merely always red.
import { expect, it } from 'vitest'

it('passes', () => {
  expect(1 + 1).toBe(2)
})
