// 售后日志: every state change, evidence action and automatic decision, in words. A rule reads as
// what it decided ("商家逾期未举证，系统支持买家"); agents also see its id.
import { LocalTime } from '~/components/time'
import { RULE_IDS } from '~/domain/case-machine'
import { formatYuan, type MessageParams } from '~/i18n/format'
import { useT } from '~/i18n/use-t'
import type { CaseView } from '~/models/case-view.server'

export function RuleWords({ ruleId, showId }: { ruleId: string; showId: boolean }) {
  const t = useT()
  return (
    <span>
      {t(`rule.${ruleId}` as never) || ruleId}
      {showId ? <span className="ml-2 font-mono text-xs text-slate-500">{ruleId}</span> : null}
    </span>
  )
}

const yuanText = (fen: unknown) => (typeof fen === 'number' ? formatYuan(fen) : '')

/** What an automatic decision saw, in words: the case log's promise for every rule it applies. */
function DecisionInputs({ entry }: { entry: CaseView['log'][number] }) {
  const t = useT()
  const d = (entry.details ?? {}) as Record<string, unknown>
  let text = ''
  if (entry.ruleId === RULE_IDS.expressRefundCurrent || entry.ruleId === RULE_IDS.expressRefundOld) {
    text = t('log.inputs.express', { paid: yuanText(d.paidAmountFen), max: yuanText(d.maxPaidAmountFen) })
  } else if (entry.ruleId === RULE_IDS.autoRefundStrategy) {
    text = t('log.inputs.strategy', { amount: yuanText(d.amountFen), perOrder: yuanText(d.perOrderMaxFen), cap: yuanText(d.dailyCapFen), day: String(d.day ?? '') })
  } else if (typeof d.deadline === 'string') {
    return (
      <span className="w-full text-xs text-slate-600">
        {t('log.inputs.deadline')} <LocalTime value={d.deadline} />
      </span>
    )
  }
  return text ? <span className="w-full text-xs text-slate-600">{text}</span> : null
}

/** A log row's flat text details (names, amounts) fill its message's placeholders. */
function logParams(details: unknown): MessageParams {
  if (!details || typeof details !== 'object') return {}
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? v : String(v ?? '—')]))
}

export function Timeline({ view }: { view: CaseView }) {
  const t = useT()
  const isAgent = view.viewer.kind === 'AGENT'
  return (
    <ol className="space-y-2 text-sm">
      {view.log.map((entry) => (
        <li key={entry.id} className="flex flex-wrap gap-2">
          <LocalTime value={entry.at} />
          <span className="font-medium">{t(`log.${entry.action}` as never, logParams(entry.details)) || entry.action}</span>
          <span className="text-slate-600">
            {t(`actorKind.${entry.actorKind}`)}
            {entry.actorKind === 'MERCHANT' && entry.actorRole ? ` · ${t(`shopRole.${entry.actorRole}` as never)}` : ''}
          </span>
          {entry.toState && entry.toState !== entry.fromState ? <span className="text-slate-600">→ {t(`caseState.${entry.toState}`)}</span> : null}
          {entry.ruleId ? (
            <span className="text-slate-600">
              <RuleWords ruleId={entry.ruleId} showId={isAgent} />
            </span>
          ) : null}
          <DecisionInputs entry={entry} />
        </li>
      ))}
    </ol>
  )
}
