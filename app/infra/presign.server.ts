// How an evidence file is presented to the browser, and the operator's alternative to streaming it
// through the portal (EVIDENCE_DELIVERY=presigned, for an S3 that browsers can reach and that checks
// signatures, e.g. AWS): a short-lived presigned URL. Either way only safe types open inline.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { isInlinePreview } from '~/domain/evidence-files'

export const PRESIGNED_URL_SECONDS = 300

export function contentDisposition(fileName: string, inline: boolean): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}

/** Inline (with its own type) only for the safe-list of previews; anything else an opaque attachment. */
export function evidencePresentation(item: { fileName: string; contentType: string }, forceDownload = false) {
  const inline = !forceDownload && isInlinePreview(item.contentType)
  return { inline, contentType: inline ? item.contentType : 'application/octet-stream', disposition: contentDisposition(item.fileName, inline) }
}

export async function presignEvidence(s3: S3Client, bucket: string, item: { s3Key: string; fileName: string; contentType: string }, forceDownload = false) {
  const { contentType, disposition } = evidencePresentation(item, forceDownload)
  return getSignedUrl(
    s3,
    new GetObjectCommand({ Bucket: bucket, Key: item.s3Key, ResponseContentType: contentType, ResponseContentDisposition: disposition }),
    { expiresIn: PRESIGNED_URL_SECONDS },
  )
}
