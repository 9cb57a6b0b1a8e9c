import { useT } from '~/i18n/use-t'

export type EvidenceFile = { id: string; fileName: string; sizeBytes: number; contentType: string; sha256: string; status: string }

export const formatBytes = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** Files with inline previews for images, PDF and MP4 (through the authorized /evidence route). */
export function EvidenceList({ files, preview, onRemove }: { files: EvidenceFile[]; preview: boolean; onRemove?: (file: EvidenceFile) => React.ReactNode }) {
  const t = useT()
  if (files.length === 0) return <p className="text-sm text-slate-600">{t('evidence.noFiles')}</p>
  return (
    <ul className="space-y-3">
      {files.map((file) => (
        <li key={file.id} className="rounded border border-slate-200 p-2" data-testid="evidence-file">
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <a href={`/evidence/${file.id}`} target="_blank" rel="noreferrer" className="font-medium text-blue-700 underline">
              {file.fileName}
            </a>
            <span className="text-slate-600">
              {file.contentType} · {formatBytes(file.sizeBytes)}
            </span>
            {file.status === 'DRAFT' ? <span className="rounded bg-amber-100 px-1 text-xs text-amber-900">{t('evidence.draft')}</span> : null}
            <a href={`/evidence/${file.id}?download`} className="text-xs text-slate-700 underline">
              {t('evidence.download')}
            </a>
            {onRemove ? onRemove(file) : null}
          </div>
          <p className="mt-1 break-all font-mono text-[11px] text-slate-500" title="SHA-256">
            SHA-256 {file.sha256}
          </p>
          {preview && file.contentType.startsWith('image/') && file.contentType !== 'image/heic' ? (
            <img src={`/evidence/${file.id}`} alt={file.fileName} loading="lazy" className="mt-2 max-h-48 rounded border border-slate-100" />
          ) : null}
          {preview && file.contentType === 'video/mp4' ? (
            <video src={`/evidence/${file.id}`} controls preload="metadata" className="mt-2 max-h-48" aria-label={file.fileName} />
          ) : null}
          {preview && file.contentType === 'application/pdf' ? (
            <iframe src={`/evidence/${file.id}`} title={file.fileName} className="mt-2 h-64 w-full rounded border border-slate-100" />
          ) : null}
        </li>
      ))}
    </ul>
  )
}
