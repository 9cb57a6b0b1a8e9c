// Uploads evidence files one by one with XMLHttpRequest (fetch cannot report upload progress),
// shows progress, and refreshes the page data when a file is stored. Checks type and size first
// for a quick answer; the server decides by the file's bytes either way.
import { useRevalidator } from '@remix-run/react'
import { useId, useRef, useState } from 'react'
import { useT } from '~/i18n/use-t'
import { useCsrfToken } from './csrf-input'

type Upload = { id: string; name: string; progress: number; error?: string; done?: boolean }

const ACCEPT = '.jpg,.jpeg,.png,.webp,.heic,.heif,.pdf,.mp4,.m4v,.mov,image/jpeg,image/png,image/webp,image/heic,application/pdf,video/mp4,video/quicktime'
const VIDEO = /\.(mp4|m4v|mov|qt)$/i

async function digest(file: File): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null
  try {
    const hash = await crypto.subtle.digest('SHA-256', await file.arrayBuffer())
    return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('')
  } catch {
    return null
  }
}

export type UploadLimits = { maxImageOrPdfBytes: number; maxVideoBytes: number }

export function EvidenceUploader({ action, remaining, limits }: { action: string; remaining: number; limits: UploadLimits }) {
  const t = useT()
  const csrf = useCsrfToken()
  const inputId = useId()
  const input = useRef<HTMLInputElement>(null)
  const revalidator = useRevalidator()
  const [uploads, setUploads] = useState<Upload[]>([])
  const update = (id: string, patch: Partial<Upload>) => setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...patch } : u)))

  async function send(file: File) {
    const id = `${file.name}-${file.size}-${Math.random()}`
    const limit = VIDEO.test(file.name) ? limits.maxVideoBytes : limits.maxImageOrPdfBytes
    if (file.size > limit) {
      setUploads((all) => [...all, { id, name: file.name, progress: 0, error: t('error.service.FILE_TOO_LARGE') }])
      return
    }
    setUploads((all) => [...all, { id, name: file.name, progress: 0 }])
    const body = new FormData()
    body.append('csrf', csrf) // first: the server checks it before storing any byte
    // The size and SHA-256 let the server stream the file to storage in one PUT and verify that
    // what arrived is what was sent. Where WebCrypto is unavailable (plain http), it does without.
    const sha256 = await digest(file)
    if (sha256) {
      body.append('size', String(file.size))
      body.append('sha256', sha256)
    }
    body.append('file', file)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', action)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (event) => event.lengthComputable && update(id, { progress: event.loaded / event.total })
    xhr.onload = () => {
      let code = 'UNEXPECTED'
      try {
        const answer = JSON.parse(xhr.responseText) as { ok: boolean; error?: string }
        if (answer.ok) {
          update(id, { progress: 1, done: true })
          setTimeout(() => setUploads((all) => all.filter((u) => u.id !== id)), 1500)
          revalidator.revalidate()
          return
        }
        code = answer.error ?? code
      } catch {
        code = xhr.status === 413 ? 'FILE_TOO_LARGE' : 'UNEXPECTED'
      }
      update(id, { error: t(`error.service.${code}` as never) || t('error.service.UNEXPECTED') })
    }
    xhr.onerror = () => update(id, { error: t('error.service.STORAGE_UNAVAILABLE') })
    xhr.send(body)
  }

  return (
    <div className="space-y-2">
      <label htmlFor={inputId} className="block text-sm font-medium">
        {t('evidence.addFiles', { remaining })}
      </label>
      <input
        id={inputId}
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        disabled={remaining <= 0}
        className="block text-sm"
        onChange={(event) => {
          const files = [...(event.target.files ?? [])].slice(0, remaining)
          files.forEach((file) => void send(file))
          if (input.current) input.current.value = ''
        }}
      />
      <p className="text-xs text-slate-600">{t('evidence.fileRules')}</p>
      {uploads.length > 0 && (
        <ul className="space-y-1" aria-live="polite">
          {uploads.map((upload) => (
            <li key={upload.id} className="text-sm">
              <span className="mr-2">{upload.name}</span>
              {upload.error ? (
                <span role="alert" className="text-red-700">
                  {upload.error}
                </span>
              ) : (
                <>
                  <progress value={upload.progress} max={1} aria-label={t('evidence.uploading', { name: upload.name })} className="align-middle" />
                  <span className="ml-2 tabular-nums text-slate-600">{Math.round(upload.progress * 100)}%</span>
                  {upload.done ? <span className="ml-2 text-green-700">{t('evidence.uploaded')}</span> : null}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
