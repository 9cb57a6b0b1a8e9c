import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ErrorLine, Section, type ActionResult } from '~/components/case-ui'
import { CsrfInput } from '~/components/csrf-input'
import { RowAction } from '~/components/row-action'
import { yuanToFen } from '~/domain/money'
import { LocalTime } from '~/components/time'
import { WEBHOOK_EVENTS } from '~/domain/webhook-events'
import { useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { env } from '~/infra/env.server'
import { policy } from '~/infra/policy.server'
import { requireMerchant } from '~/infra/session.server'
import { isServiceError, ServiceError } from '~/services/errors.server'
import { addAddress, addWebhook, archiveAddress, disableWebhook, loadShopSettings, saveAutoRefundStrategy, setDefaultAddress, setExpressRefund } from '~/services/shop-settings.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requireMerchant(request, 'MANAGE_SETTINGS')
  return loadShopSettings(db(), actor)
}

const Address = z.object({
  label: z.string().trim().min(1).max(50),
  contactName: z.string().trim().min(1).max(50),
  phone: z.string().trim().regex(/^[0-9+\- ]{5,20}$/),
  address: z.string().trim().min(5).max(200),
  isDefault: z.literal('on').optional(),
})
const Strategy = z.object({ enabled: z.literal('on').optional(), perOrderMax: z.string(), dailyCap: z.string() })

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireMerchant(request, 'MANAGE_SETTINGS')
  const form = await readForm(request)
  const intent = String(form.get('intent'))
  const deps = { db: db(), clock: clock(), policy: policy(), egress: { allowPrivate: env().EGRESS_ALLOW_PRIVATE } }
  try {
    const fields = Object.fromEntries(form)
    switch (intent) {
      case 'add-address': {
        const input = Address.safeParse(fields)
        if (!input.success) throw new ServiceError('INVALID_INPUT')
        await addAddress(deps, actor, { ...input.data, isDefault: input.data.isDefault === 'on' })
        break
      }
      case 'default-address':
        await setDefaultAddress(deps, actor, String(form.get('addressId')))
        break
      case 'archive-address':
        await archiveAddress(deps, actor, String(form.get('addressId')))
        break
      case 'strategy': {
        const input = Strategy.safeParse(fields)
        if (!input.success) throw new ServiceError('INVALID_INPUT')
        const perOrderMaxFen = yuanToFen(input.data.perOrderMax)
        const dailyCapFen = yuanToFen(input.data.dailyCap)
        if (perOrderMaxFen === null || dailyCapFen === null) throw new ServiceError('AUTO_REFUND_LIMITS_INVALID')
        await saveAutoRefundStrategy(deps, actor, { enabled: input.data.enabled === 'on', perOrderMaxFen, dailyCapFen })
        break
      }
      case 'add-webhook':
        await addWebhook(deps, actor, { url: String(form.get('url') ?? '').trim(), events: form.getAll('events').map(String) })
        break
      case 'disable-webhook':
        await disableWebhook(deps, actor, String(form.get('subscriptionId')))
        break
      case 'express-refund':
        await setExpressRefund(deps, actor, form.get('enabled') === 'on')
        break
      default:
        throw new ServiceError('INVALID_INPUT')
    }
    return data({ intent, ok: true as const })
  } catch (error) {
    if (isServiceError(error)) return data({ intent, ok: false as const, error: error.code }, { status: error.status })
    throw error
  }
}

const input = 'mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm'
const yuan = (fen: number | null) => (fen === null ? '' : (fen / 100).toFixed(2))

export default function ShopSettings() {
  const t = useT()
  const { shop, addresses, webhooks } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionResult | undefined
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t('settings.title', { shop: shop.name })}</h1>
      {result?.ok ? (
        <p role="status" className="rounded bg-green-50 px-3 py-2 text-sm text-green-800">
          {t('settings.saved')}
        </p>
      ) : null}
      <Section title={t('settings.addresses')} id="addresses">
        <ul className="space-y-2 text-sm" data-testid="address-book">
          {addresses.map((a) => (
            <li key={a.id} className="flex flex-wrap items-center gap-2 rounded border border-slate-200 p-2">
              <span className="font-medium">{a.label}</span>
              {a.isDefault ? <span className="rounded bg-slate-800 px-1.5 text-xs text-white">{t('settings.default')}</span> : null}
              <span>
                {a.contactName} · {a.phone} · {a.address}
              </span>
              {!a.isDefault ? (
                <RowAction intent="default-address" fields={{ addressId: a.id }}>
                  {t('settings.makeDefault', { label: a.label })}
                </RowAction>
              ) : null}
              <RowAction intent="archive-address" fields={{ addressId: a.id }} danger>
                {t('settings.archive', { label: a.label })}
              </RowAction>
            </li>
          ))}
        </ul>
        <Form method="post" className="mt-4 grid gap-2 sm:grid-cols-2">
          <CsrfInput />
          <input type="hidden" name="intent" value="add-address" />
          {(['label', 'contactName', 'phone', 'address'] as const).map((name) => (
            <div key={name} className={name === 'address' ? 'sm:col-span-2' : undefined}>
              <label htmlFor={`address-${name}`} className="block text-sm font-medium">
                {t(`settings.address.${name}`)}
              </label>
              <input id={`address-${name}`} name={name} required className={input} />
            </div>
          ))}
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="isDefault" /> {t('settings.address.isDefault')}
          </label>
          <div className="sm:col-span-2">
            <button type="submit" className="rounded bg-slate-900 px-3 py-2 text-sm font-medium text-white">
              {t('settings.address.add')}
            </button>
            <ErrorLine result={result} intent="add-address" />
          </div>
        </Form>
      </Section>
      <Section title={t('settings.expressRefund')} id="express-refund">
        <Form method="post" className="flex items-center gap-3 text-sm">
          <CsrfInput />
          <input type="hidden" name="intent" value="express-refund" />
          <label className="flex items-center gap-2">
            <input type="checkbox" name="enabled" defaultChecked={shop.expressRefundEnabled} /> {t('settings.expressRefund.enabled')}
          </label>
          <button type="submit" className="rounded border border-slate-300 px-3 py-1">
            {t('settings.save')}
          </button>
        </Form>
        <p className="mt-2 text-xs text-slate-600">{t('settings.expressRefund.explain')}</p>
      </Section>
      <Section title={t('settings.strategy')} id="strategy">
        <p className="mb-2 text-xs text-slate-600">{t('settings.strategy.explain')}</p>
        <Form method="post" className="flex flex-wrap items-end gap-3 text-sm">
          <CsrfInput />
          <input type="hidden" name="intent" value="strategy" />
          <label className="flex items-center gap-2">
            <input type="checkbox" name="enabled" defaultChecked={shop.autoRefundEnabled} /> {t('settings.strategy.enabled')}
          </label>
          <div>
            <label htmlFor="perOrderMax" className="block font-medium">
              {t('settings.strategy.perOrderMax')}
            </label>
            <input id="perOrderMax" name="perOrderMax" inputMode="decimal" required defaultValue={yuan(shop.autoRefundPerOrderFen)} className={input} />
          </div>
          <div>
            <label htmlFor="dailyCap" className="block font-medium">
              {t('settings.strategy.dailyCap')}
            </label>
            <input id="dailyCap" name="dailyCap" inputMode="decimal" required defaultValue={yuan(shop.autoRefundDailyCapFen)} className={input} />
          </div>
          <button type="submit" className="rounded bg-slate-900 px-3 py-2 font-medium text-white">
            {t('settings.save')}
          </button>
          <ErrorLine result={result} intent="strategy" />
        </Form>
      </Section>
      <Section title={t('settings.webhooks')} id="webhooks">
        <p className="mb-2 text-xs text-slate-600">{t('settings.webhooks.explain')}</p>
        <ul className="space-y-3" data-testid="webhooks">
          {webhooks.map((hook) => (
            <li key={hook.id} className="rounded border border-slate-200 p-2 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-mono">{hook.url}</span>
                <span className="text-slate-600">{hook.events.join(', ')}</span>
                <RowAction intent="disable-webhook" fields={{ subscriptionId: hook.id }} danger>
                  {t('settings.webhooks.disable', { url: hook.url })}
                </RowAction>
              </div>
              <p className="mt-1 text-xs">
                {t('settings.webhooks.secret')} <code className="break-all rounded bg-slate-100 px-1">{hook.secret}</code>
              </p>
              <table className="mt-2 w-full text-left text-xs">
                <caption className="sr-only">{t('settings.webhooks.deliveries')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('settings.webhooks.event')}</th>
                    <th scope="col">{t('table.state')}</th>
                    <th scope="col">{t('settings.webhooks.attempts')}</th>
                    <th scope="col">{t('settings.webhooks.result')}</th>
                    <th scope="col">{t('table.created')}</th>
                  </tr>
                </thead>
                <tbody>
                  {hook.deliveries.map((d) => (
                    <tr key={d.id} data-testid="webhook-delivery">
                      <td className="font-mono">{d.eventType}</td>
                      <td>{t(`webhookStatus.${d.status}`)}</td>
                      <td>{d.attempts}</td>
                      <td>{d.failure ? t(`webhookFailure.${d.failure}`, { status: d.lastStatusCode ?? '' }) : (d.lastStatusCode ?? t('common.none'))}</td>
                      <td>
                        <LocalTime value={d.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </li>
          ))}
        </ul>
        <Form method="post" className="mt-3 space-y-2 text-sm">
          <CsrfInput />
          <input type="hidden" name="intent" value="add-webhook" />
          <label htmlFor="webhook-url" className="block font-medium">
            {t('settings.webhooks.url')}
          </label>
          <input id="webhook-url" name="url" type="url" required placeholder="https://erp.example.com/hooks/portal" className={input} />
          <fieldset className="flex flex-wrap gap-3">
            <legend className="font-medium">{t('settings.webhooks.events')}</legend>
            {WEBHOOK_EVENTS.map((event) => (
              <label key={event} className="flex items-center gap-1">
                <input type="checkbox" name="events" value={event} defaultChecked /> <span className="font-mono">{event}</span>
              </label>
            ))}
          </fieldset>
          <button type="submit" className="rounded bg-slate-900 px-3 py-2 font-medium text-white">
            {t('settings.webhooks.add')}
          </button>
          <ErrorLine result={result} intent="add-webhook" />
        </Form>
      </Section>
    </div>
  )
}
