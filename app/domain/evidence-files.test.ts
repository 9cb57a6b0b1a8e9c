import { describe, expect, it } from 'vitest'
import { checkEvidenceFile, cleanFileName, detectEvidenceKind, isInlinePreview, maxBytesFor } from './evidence-files'
import { defaultPolicy } from './policy'

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))
const ftyp = (brand: string) => bytes([0, 0, 0, 0x18], 'ftyp', brand, [0, 0, 0, 0])

const SAMPLES = {
  jpeg: bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'),
  png: bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 'IHDR'),
  webp: bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '),
  heic: ftyp('heic'),
  pdf: bytes('%PDF-1.7\n'),
  mp4: ftyp('isom'),
  mov: ftyp('qt  '),
}

describe('detectEvidenceKind', () => {
  it.each(Object.entries(SAMPLES))('recognises %s by its bytes', (kind, head) => {
    expect(detectEvidenceKind(head)).toBe(kind)
  })
  it.each([
    ['html', bytes('<!DOCTYPE html><html>')],
    ['script', bytes('<script>alert(1)</script>')],
    ['zip', bytes('PK', [3, 4])],
    ['gif', bytes('GIF89a')],
    ['empty', new Uint8Array()],
    ['unknown ftyp', ftyp('abcd')],
  ])('refuses %s', (_name, head) => {
    expect(detectEvidenceKind(head)).toBeNull()
  })
})

describe('checkEvidenceFile', () => {
  it('refuses a PNG named .pdf and HTML named .jpg', () => {
    expect(checkEvidenceFile(SAMPLES.png, 'invoice.pdf')).toEqual({ ok: false, error: 'NAME_CONTRADICTS_CONTENT', detected: 'png' })
    expect(checkEvidenceFile(bytes('<html><body>'), 'photo.jpg')).toEqual({ ok: false, error: 'UNSUPPORTED_TYPE', detected: null })
  })
  it('decides by content when the name says nothing', () => {
    expect(checkEvidenceFile(SAMPLES.png, 'screenshot')).toMatchObject({ ok: true, kind: 'png', mime: 'image/png' })
    expect(checkEvidenceFile(SAMPLES.jpeg, 'IMG_0001.JPEG')).toMatchObject({ ok: true, kind: 'jpeg' })
  })
  it('sizes: 20 MB for images and PDF, 200 MB for video', () => {
    expect(maxBytesFor('pdf', defaultPolicy)).toBe(20 * 1024 * 1024)
    expect(maxBytesFor('mov', defaultPolicy)).toBe(200 * 1024 * 1024)
  })
  it('previews inline only the safe list', () => {
    expect(isInlinePreview('image/png')).toBe(true)
    expect(isInlinePreview('application/pdf')).toBe(true)
    expect(isInlinePreview('image/heic')).toBe(false)
    expect(isInlinePreview('text/html')).toBe(false)
  })
  it('cleans file names', () => {
    expect(cleanFileName('C:\\fakepath\\照片 "1".jpg')).toBe('照片 1.jpg')
    expect(cleanFileName('../../etc/passwd')).toBe('passwd')
    expect(cleanFileName('')).toBe('evidence')
  })
})
