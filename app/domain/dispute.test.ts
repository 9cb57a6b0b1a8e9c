import { describe, expect, it } from 'vitest'
import { validateExplanation } from './dispute'
import { defaultPolicy as policy } from './policy'

describe('explanation', () => {
  it('allows 2,000 characters, counted as characters not bytes', () => {
    expect(validateExplanation('茶'.repeat(2000), policy).ok).toBe(true)
    expect(validateExplanation('茶'.repeat(2001), policy)).toEqual({ ok: false, error: 'EXPLANATION_TOO_LONG' })
  })
})
