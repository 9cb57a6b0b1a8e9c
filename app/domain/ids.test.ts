import { describe, expect, it } from 'vitest'
import { isUuid } from './ids'

describe('isUuid', () => {
  it('accepts UUIDs in either case and refuses anything else', () => {
    expect(isUuid('01a2053f-3f00-70b8-9615-9780bef1c262')).toBe(true)
    expect(isUuid('01A2053F-3F00-70B8-9615-9780BEF1C262')).toBe(true)
    for (const bad of ['', 'garbage', '------------------------------------', '01a2053f3f0070b896159780bef1c262', '01a2053f-3f00-70b8-9615-9780bef1c26z', null, 42])
      expect(isUuid(bad), String(bad)).toBe(false)
  })
})
