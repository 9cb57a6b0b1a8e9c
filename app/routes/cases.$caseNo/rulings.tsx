// The platform's rulings on the case (one per round) and the refunds the case carried out, with
// a retry for agents once the gateway has given up on one.
import { ErrorLine, Section, type ActionResult } from '~/components/case-ui'
import { formatFen, Money } from '~/components/money'
import { RowAction } from '~/components/row-action'
import { LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import type { CaseView } from '~/models/case-view.server'
import { RuleWords } from './timeline'

function Ruling({ ruling, view }: { ruling: CaseView['rulings'][number]; view: CaseView }) {
  const t = useT()
  const isAgent = view.viewer.kind === 'AGENT'
  const partial = ruling.outcome === 'PARTIAL_REFUND' && ruling.refundAmountFen !== null
  return (
    <dl className="space-y-1 text-sm" data-testid="ruling">
      {view.rounds.length > 1 ? <p className="font-medium">{t('dispute.round', { round: ruling.round })}</p> : null}
      <div className="flex gap-2">
        <dt className="text-slate-600">{t('ruling.decidedBy')}</dt>
        <dd>{ruling.actorKind === 'SYSTEM' ? t('ruling.bySystem') : t('ruling.byAgent')}</dd>
      </div>
      <div className="flex gap-2">
        <dt className="text-slate-600">{t('ruling.liableParty')}</dt>
        <dd>{t(`liable.${ruling.liableParty}`)}</dd>
      </div>
      <div className="flex gap-2">
        <dt className="text-slate-600">{t('ruling.outcome')}</dt>
        <dd data-testid="ruling-outcome">
          {partial
            ? t('ruling.partialOf', { amount: formatFen(ruling.refundAmountFen!), paid: formatFen(view.case.paidAmountFen) })
            : t(`outcome.${ruling.outcome}`)}
          {!partial && ruling.refundAmountFen !== null ? (
            <>
              {' · '}
              <Money fen={ruling.refundAmountFen} />
            </>
          ) : null}
        </dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('ruling.rationale')}</dt>
        <dd className="whitespace-pre-wrap">{ruling.ruleId ? <RuleWords ruleId={ruling.ruleId} showId={isAgent} /> : ruling.rationale}</dd>
      </div>
      {ruling.internalNote ? (
        <div>
          <dt className="text-slate-600">{t('ruling.internalNote')}</dt>
          <dd className="whitespace-pre-wrap">{ruling.internalNote}</dd>
        </div>
      ) : null}
      <div className="flex gap-2">
        <dt className="text-slate-600">{t('ruling.at')}</dt>
        <dd>
          <LocalTime value={ruling.createdAt} />
        </dd>
      </div>
    </dl>
  )
}

function Refunds({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  if (view.refunds.length === 0) return null
  return (
    <ul className="mt-3 space-y-1 text-sm">
      {view.refunds.map((refund) => (
        <li key={refund.id} className="flex flex-wrap items-center gap-2" data-testid="refund">
          <span>{t('refund.line', { status: t(`refundStatus.${refund.status}`) })}</span>
          <Money fen={refund.amountFen} />
          {refund.status === 'FAILED' && view.viewer.mayRetryRefunds ? (
            <>
              <span className="text-red-700">{t(`refund.failure.${refund.failureKind ?? 'UNAVAILABLE'}` as never, { attempts: refund.attempts })}</span>
              <RowAction intent="retry-refund" fields={{ refundId: refund.id }}>
                {t('refund.retry')}
              </RowAction>
            </>
          ) : null}
        </li>
      ))}
      <li>
        <ErrorLine result={result} intent="retry-refund" />
      </li>
    </ul>
  )
}

export function Rulings({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  if (view.rulings.length === 0 && view.refunds.length === 0) return null
  return (
    <Section title={t(view.rulings.length ? 'ruling.title' : 'refund.title')} id="ruling">
      <div className="space-y-4 divide-y divide-slate-100">
        {[...view.rulings].reverse().map((ruling) => (
          <Ruling key={ruling.id} ruling={ruling} view={view} />
        ))}
      </div>
      <Refunds view={view} result={result} />
    </Section>
  )
}
