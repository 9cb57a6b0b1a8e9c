// Evidence file types are decided by the file's first bytes, never by its name or the browser's
// claim; a name that contradicts the content is refused too (an "invoice.pdf" that is a PNG).
import type { Policy } from './policy'

export type EvidenceKind = 'jpeg' | 'png' | 'webp' | 'heic' | 'pdf' | 'mp4' | 'mov'

export const EVIDENCE_TYPES: Record<EvidenceKind, { mime: string; extensions: readonly string[]; video: boolean; inline: boolean }> = {
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], video: false, inline: true },
  png: { mime: 'image/png', extensions: ['png'], video: false, inline: true },
  webp: { mime: 'image/webp', extensions: ['webp'], video: false, inline: true },
  // Browsers other than Safari cannot show HEIC or QuickTime: those download.
  heic: { mime: 'image/heic', extensions: ['heic', 'heif'], video: false, inline: false },
  pdf: { mime: 'application/pdf', extensions: ['pdf'], video: false, inline: true },
  mp4: { mime: 'video/mp4', extensions: ['mp4', 'm4v'], video: true, inline: true },
  mov: { mime: 'video/quicktime', extensions: ['mov', 'qt'], video: true, inline: false },
}

/** Bytes needed to decide. */
export const SNIFF_BYTES = 32

const ascii = (bytes: Uint8Array, from: number, length: number) =>
  String.fromCharCode(...bytes.subarray(from, from + length))

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'])
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'dash', 'M4V ', 'MSNV', 'f4v '])
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'])

export function detectEvidenceKind(head: Uint8Array): EvidenceKind | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg'
  if (head.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => head[i] === b)) return 'png'
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return 'webp'
  if (head.length >= 5 && ascii(head, 0, 5) === '%PDF-') return 'pdf'
  if (head.length >= 12 && ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4)
    if (HEIC_BRANDS.has(brand)) return 'heic'
    if (brand === 'qt  ') return 'mov'
    if (MP4_BRANDS.has(brand) || brand.startsWith('3gp')) return 'mp4'
    return null
  }
  if (head.length >= 8 && QUICKTIME_ATOMS.has(ascii(head, 4, 4))) return 'mov'
  return null
}

export const extensionOf = (fileName: string) => {
  const dot = fileName.lastIndexOf('.')
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : ''
}

export function maxBytesFor(kind: EvidenceKind, policy: Policy): number {
  return EVIDENCE_TYPES[kind].video ? policy.dispute.maxVideoBytes : policy.dispute.maxImageOrPdfBytes
}

/** The largest any evidence file may be, before its kind is known. */
export const maxEvidenceBytes = (policy: Policy) => Math.max(policy.dispute.maxVideoBytes, policy.dispute.maxImageOrPdfBytes)

export type FileCheck =
  | { ok: true; kind: EvidenceKind; mime: string }
  | { ok: false; error: 'UNSUPPORTED_TYPE' | 'NAME_CONTRADICTS_CONTENT'; detected: EvidenceKind | null }

export function checkEvidenceFile(head: Uint8Array, fileName: string): FileCheck {
  const kind = detectEvidenceKind(head)
  if (!kind) return { ok: false, error: 'UNSUPPORTED_TYPE', detected: null }
  const extension = extensionOf(fileName)
  const claimedKind = (Object.keys(EVIDENCE_TYPES) as EvidenceKind[]).find((k) => EVIDENCE_TYPES[k].extensions.includes(extension))
  if (claimedKind && claimedKind !== kind) return { ok: false, error: 'NAME_CONTRADICTS_CONTENT', detected: kind }
  return { ok: true, kind, mime: EVIDENCE_TYPES[kind].mime }
}

/** Safe-listed types open inline in the browser; anything else downloads as an attachment. */
export function isInlinePreview(mime: string): boolean {
  return Object.values(EVIDENCE_TYPES).some((t) => t.mime === mime && t.inline)
}

/** A file name safe to show and to put in a Content-Disposition header. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200)
  return cleaned || 'evidence'
}
