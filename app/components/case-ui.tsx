// Building blocks of the case page, shared by its dispute and after-sales parts.
import { useT } from '~/i18n/use-t'

export type ActionResult = { intent: string; ok: boolean; error?: string; field?: string; to?: string }

export function ErrorLine({ result, intent }: { result: ActionResult | undefined; intent: string }) {
  const t = useT()
  if (!result || result.ok || result.intent !== intent) return null
  return (
    <p role="alert" className="mt-2 rounded bg-red-50 px-3 py-2 text-sm text-red-800">
      {t(`error.service.${result.error}` as never)}
    </p>
  )
}

/** A refusal shown at the field it is about (linked by aria-describedby). */
export function FieldError({ id, result }: { id: string; result: ActionResult | undefined }) {
  const t = useT()
  if (!result || result.ok) return null
  return (
    <p id={id} role="alert" className="mt-1 text-sm text-red-700">
      {t(`error.service.${result.error}` as never)}
    </p>
  )
}

export function Section({ title, children, id }: { title: string; children: React.ReactNode; id?: string }) {
  return (
    <section id={id} className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby={id ? `${id}-title` : undefined}>
      <h2 id={id ? `${id}-title` : undefined} className="mb-3 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  )
}

