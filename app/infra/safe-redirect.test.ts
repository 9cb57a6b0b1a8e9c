import { describe, expect, it } from 'vitest'
import { safeRedirect, safeRedirectPath } from './safe-redirect'

describe('safe redirect targets', () => {
  it.each([
    ['/\\evil.example'],
    ['/..//evil.example'],
    ['/.//evil.example'],
    ['/%2e%2e//evil.example'],
    ['/a/..//evil.example'],
    ['/\\t/evil.example'],
    ['/\t/evil.example'],
    ['//evil.example'],
    ['///evil.example'],
    ['https://evil.example'],
    ['evil.example'],
    ['/ok\r\nSet-Cookie: x=1'],
    ['/ok\nLocation: //evil'],
    ['/%0d%0aSet-Cookie:x'.replace('%0d%0a', '\r\n')],
    [''],
    [null],
    [42],
  ])('refuses %j', (target) => {
    expect(safeRedirectPath(target)).toBeNull()
    expect(safeRedirect(target, '/home')).toBe('/home')
  })
  it.each([
    ['/', '/'],
    ['/cases/AS1?tab=log#ruling', '/cases/AS1?tab=log#ruling'],
    ['/merchant/workbench?tab=all&after=x', '/merchant/workbench?tab=all&after=x'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('keeps %j on the site', (target, expected) => {
    expect(safeRedirectPath(target)).toBe(expected)
  })
})
