// Short-lived download links: the browser fetches evidence straight from S3, never through a
// public URL, and only safe types open inline.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { isInlinePreview } from '~/domain/evidence-files'

export const PRESIGNED_URL_SECONDS = 300

export function contentDisposition(fileName: string, inline: boolean): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}

export async function presignEvidence(s3: S3Client, bucket: string, item: { s3Key: string; fileName: string; contentType: string }, forceDownload = false) {
  const inline = !forceDownload && isInlinePreview(item.contentType)
  return getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: bucket,
      Key: item.s3Key,
      ResponseContentType: inline ? item.contentType : 'application/octet-stream',
      ResponseContentDisposition: contentDisposition(item.fileName, inline),
    }),
    { expiresIn: PRESIGNED_URL_SECONDS },
  )
}
