// The one rule for control characters in text that reaches the portal (addresses, query strings,
// form fields): PostgreSQL refuses U+0000 in text outright, and no field of the portal means any
// other control character either. Tab and line breaks stay: textareas send them.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/

export const hasControlChars = (text: string) => CONTROL.test(text)

/** A request target (path and query) that decodes to control characters; malformed escapes are left to the router. */
export function urlHasControlChars(target: string): boolean {
  const decoded = target.replace(/%([0-9a-f]{2})/gi, (escape, hex: string) => {
    const code = Number.parseInt(hex, 16)
    return code < 0x80 ? String.fromCharCode(code) : escape
  })
  return hasControlChars(decoded)
}
