import { describe, expect, it } from 'vitest'
import { hasControlChars, urlHasControlChars } from './control-chars'

describe('control characters', () => {
  it('finds NUL and the other C0 controls and DEL, and lets tab and line breaks through', () => {
    expect(['a\u0000b', '\u0001', '\u001f', '\u007f', '\u000b'].map(hasControlChars)).toEqual([true, true, true, true, true])
    expect(['tab\there', 'lines\r\nhere', '中文 text', ''].map(hasControlChars)).toEqual([false, false, false, false])
  })

  it('decodes an address first, in either case, and leaves UTF-8 and malformed escapes alone', () => {
    expect(['/cases/AS%00', '/q?x=%1F', '/q?x=%7f', '/q?x=a\u0000'].map(urlHasControlChars)).toEqual([true, true, true, true])
    expect(['/q?x=%E4%B8%AD', '/q?x=%09', '/q?x=%zz%0', '/q?x=%2500'].map(urlHasControlChars)).toEqual([false, false, false, false])
  })
})
