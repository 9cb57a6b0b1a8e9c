// 插旗 and the two notes, side by side, with who changed them and when (merchant members only).
import { Form } from '@remix-run/react'
import { useT } from '~/i18n/use-t'
import { FLAG_COLORS } from '~/models/list-filters'
import type { CaseView } from '~/models/case-view.server'
import { ErrorLine, Section, type ActionResult } from './case-ui'
import { CsrfInput } from './csrf-input'
import { FlagMark } from './flag'
import { LocalTime } from './time'

type FlagsAndNotes = NonNullable<CaseView['flagsAndNotes']>
type Stamp = { at: Date | string | null; by: string | null }

function Changed({ stamp }: { stamp: Stamp }) {
  const t = useT()
  if (!stamp.at) return null
  return (
    <p className="text-xs text-slate-600">
      {t('notes.changedBy', { name: stamp.by ?? t('common.none') })} <LocalTime value={stamp.at} />
    </p>
  )
}

function NoteForm({ intent, label, value, stamp, result }: { intent: 'order-note' | 'case-note'; label: string; value: string | null; stamp: Stamp; result: ActionResult | undefined }) {
  const t = useT()
  return (
    <Form method="post" className="space-y-1">
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <label htmlFor={intent} className="block text-sm font-medium">
        {label}
      </label>
      <textarea id={intent} name="note" defaultValue={value ?? ''} maxLength={500} rows={2} className="w-full rounded border border-slate-300 px-2 py-1 text-sm" />
      <Changed stamp={stamp} />
      <button type="submit" className="rounded border border-slate-300 px-2 py-1 text-sm">
        {t('notes.save')}
      </button>
      <ErrorLine result={result} intent={intent} />
    </Form>
  )
}

export function FlagsAndNotesPanel({ data, result }: { data: FlagsAndNotes; result: ActionResult | undefined }) {
  const t = useT()
  return (
    <Section title={t('notes.title')} id="flags-notes">
      <div className="grid gap-4 lg:grid-cols-3">
        <Form method="post" className="space-y-1">
          <CsrfInput />
          <input type="hidden" name="intent" value="flag" />
          <label htmlFor="flag-color" className="block text-sm font-medium">
            {t('notes.flag')}
          </label>
          <div className="flex items-center gap-2">
            <select id="flag-color" name="color" defaultValue={data.flag.color ?? ''} className="rounded border border-slate-300 px-2 py-1 text-sm">
              <option value="">{t('notes.noFlag')}</option>
              {FLAG_COLORS.map((color) => (
                <option key={color} value={color}>
                  {t(`flag.${color}`)}
                </option>
              ))}
            </select>
            <button type="submit" className="rounded border border-slate-300 px-2 py-1 text-sm">
              {t('notes.save')}
            </button>
          </div>
          <FlagMark color={data.flag.color} />
          <p className="text-xs text-slate-600">{t('notes.flagShared')}</p>
          <Changed stamp={data.flag} />
          <ErrorLine result={result} intent="flag" />
        </Form>
        <NoteForm intent="order-note" label={t('notes.orderNote')} value={data.orderNote.text} stamp={data.orderNote} result={result} />
        <NoteForm intent="case-note" label={t('notes.caseNote')} value={data.caseNote.text} stamp={data.caseNote} result={result} />
      </div>
    </Section>
  )
}
