import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { CsrfInput } from '~/components/csrf-input'
import { Money } from '~/components/money'
import { CASE_REASONS, CASE_TYPES } from '~/domain/lifecycle'
import { yuanToFen } from '~/domain/money'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { evidenceStorage, serviceDeps } from '~/infra/deps.server'
import { answerAfterBody } from '~/infra/multipart.server'
import { notFound, requireBuyer } from '~/infra/session.server'
import { findBuyerOrder } from '~/models/orders.server'
import { isServiceError, ServiceError } from '~/services/errors.server'
import { intakeEvidence } from '~/services/evidence-intake.server'
import { openRequest } from '~/services/open-request.server'

export async function loader({ request, params }: LoaderFunctionArgs) {
  const buyer = await requireBuyer(request)
  const order = await findBuyerOrder(db(), buyer, params.orderNo ?? '')
  if (!order) throw notFound()
  return { order }
}

const RequestForm = z.object({
  type: z.enum(CASE_TYPES),
  reason: z.enum(CASE_REASONS),
  description: z.string().max(2000).default(''),
  amount: z.string().default(''),
})

export const action = (args: ActionFunctionArgs) => answerAfterBody(args.request, () => openWithProof(args))

async function openWithProof({ request, params }: ActionFunctionArgs) {
  const buyer = await requireBuyer(request)
  const order = await findBuyerOrder(db(), buyer, params.orderNo ?? '')
  if (!order) throw notFound()
  const deps = serviceDeps()
  try {
    // Proof images stream to S3 first; the request's transaction records them, or they are deleted.
    const created = await intakeEvidence(request, evidenceStorage(), deps.policy, {
      target: () => ({ kind: 'request-proof', orderNo: order.orderNo }),
      commit: async (form, files) => {
        const input = RequestForm.safeParse(Object.fromEntries(form))
        if (!input.success) throw new ServiceError('INVALID_INPUT', { field: String(input.error.issues[0]?.path[0] ?? '') })
        const amountFen = input.data.amount.trim() === '' ? null : yuanToFen(input.data.amount)
        if (input.data.amount.trim() !== '' && amountFen === null) throw new ServiceError('AMOUNT_INVALID', { field: 'amount' })
        return openRequest(deps, buyer, { orderNo: order.orderNo, type: input.data.type, reason: input.data.reason, description: input.data.description, amountFen, files })
      },
    })
    return redirect(`/cases/${created.caseNo}`, { status: 303 })
  } catch (error) {
    if (isServiceError(error)) return data({ error: error.code }, { status: error.status })
    throw error
  }
}

export default function OpenRequest() {
  const t = useT()
  const { order } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const field = 'mt-1 w-full rounded border border-slate-300 px-2 py-1'
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">{t('request.title')}</h1>
      <p className="text-sm text-slate-700">
        {order.itemTitle} · {order.shop.name} · <span className="font-mono">{order.orderNo}</span> · {t('case.paid')} <Money fen={order.paidAmountFen} />
      </p>
      <Form method="post" encType="multipart/form-data" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <CsrfInput />
        <fieldset>
          <legend className="text-sm font-medium">{t('table.type')}</legend>
          <div className="mt-1 flex gap-4 text-sm">
            {CASE_TYPES.map((type) => (
              <label key={type} className="flex items-center gap-1">
                <input type="radio" name="type" value={type} required defaultChecked={type === (order.shippedAt ? 'RETURN_AND_REFUND' : 'REFUND_ONLY')} />
                {t(`caseType.${type}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <label htmlFor="reason" className="block text-sm font-medium">
            {t('case.reason')}
          </label>
          <select id="reason" name="reason" required className={field}>
            {CASE_REASONS.map((reason) => (
              <option key={reason} value={reason}>
                {t(`caseReason.${reason}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="amount" className="block text-sm font-medium">
            {t('request.amount', { max: ((order.paidAmountFen - order.refundReservedFen) / 100).toFixed(2) })}
          </label>
          <input id="amount" name="amount" inputMode="decimal" placeholder={((order.paidAmountFen - order.refundReservedFen) / 100).toFixed(2)} className={field} />
        </div>
        <div>
          <label htmlFor="description" className="block text-sm font-medium">
            {t('case.description')}
          </label>
          <textarea id="description" name="description" rows={3} maxLength={2000} className={field} />
        </div>
        <div>
          <label htmlFor="files" className="block text-sm font-medium">
            {t('request.files')}
          </label>
          <input id="files" name="files" type="file" multiple accept="image/*,application/pdf,video/*" className="mt-1 text-sm" />
          <p className="text-xs text-slate-600">{t('evidence.fileRules')}</p>
        </div>
        <button type="submit" disabled={navigation.state !== 'idle'} className="rounded bg-slate-900 px-3 py-2 text-sm font-medium text-white disabled:opacity-60">
          {t('request.submit')}
        </button>
        {result?.error ? (
          <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
            {t(`error.service.${result.error}` as never)}
          </p>
        ) : null}
      </Form>
    </div>
  )
}
