import { describe, expect, it } from 'vitest'
import { sameOrigin } from '../server/index'

describe('the Origin check', () => {
  it('compares scheme, host and port', () => {
    expect(sameOrigin('http://localhost:3200', 'http://localhost:3200')).toBe(true)
    expect(sameOrigin('https://localhost:3200', 'http://localhost:3200')).toBe(false)
    expect(sameOrigin('http://localhost:3201', 'http://localhost:3200')).toBe(false)
    expect(sameOrigin('http://127.0.0.1:3200', 'http://localhost:3200')).toBe(false)
    expect(sameOrigin('http://localhost:3200', 'https://localhost:3200')).toBe(false)
  })
  it('lets non-browser clients without Origin through (forms still need the CSRF token), refuses garbage and "null"', () => {
    expect(sameOrigin(undefined, 'http://localhost:3200')).toBe(true)
    expect(sameOrigin('null', 'http://localhost:3200')).toBe(false)
    expect(sameOrigin('not a url', 'http://localhost:3200')).toBe(false)
  })
})
