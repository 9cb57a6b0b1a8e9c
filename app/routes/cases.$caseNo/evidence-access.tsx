// Agents: who viewed or downloaded each evidence file and when, newest first. A video's range
// requests are one line per viewer and minute (see evidence-download.server).
import { Section } from '~/components/case-ui'
import { formatBytes } from '~/components/evidence-list'
import { LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import type { CaseView } from '~/models/case-view.server'

type Entry = NonNullable<CaseView['evidenceAccess']>['entries'][number]

export function EvidenceAccessPanel({ view }: { view: CaseView }) {
  const t = useT()
  if (!view.evidenceAccess) return null
  const { entries, more } = view.evidenceAccess
  const files = new Map<string, { fileName: string; entries: Entry[] }>()
  for (const entry of entries) {
    const file = files.get(entry.itemId) ?? { fileName: entry.item.fileName, entries: [] }
    file.entries.push(entry)
    files.set(entry.itemId, file)
  }
  return (
    <Section title={t('evidenceAccess.title')} id="evidence-access">
      {files.size === 0 ? <p className="text-sm text-slate-600">{t('evidenceAccess.none')}</p> : null}
      <ul className="space-y-3 text-sm" data-testid="evidence-access">
        {[...files].map(([itemId, file]) => (
          <li key={itemId}>
            <p className="font-medium">{file.fileName}</p>
            <ul className="mt-1 space-y-0.5 text-xs text-slate-700">
              {file.entries.map((entry) => (
                <li key={entry.id} className="flex flex-wrap gap-x-2">
                  <LocalTime value={entry.at} />
                  <span title={entry.user.email}>{entry.user.displayName}</span>
                  <span className="text-slate-600">{t(`actorKind.${entry.actorKind}`)}</span>
                  <span>{t(entry.kind === 'VIEW' ? 'evidenceAccess.viewed' : 'evidenceAccess.downloaded')}</span>
                  <span className="text-slate-600">
                    {entry.range ? t('evidenceAccess.range', { range: entry.range.replace(/^bytes=/, '') }) : t('evidenceAccess.whole')}
                    {entry.bytes === null ? ` · ${t('evidenceAccess.redirected')}` : ` · ${formatBytes(entry.bytes)}`}
                  </span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {more ? <p className="mt-2 text-xs text-slate-600">{t('evidenceAccess.more', { count: entries.length })}</p> : null}
    </Section>
  )
}
