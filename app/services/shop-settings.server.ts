// Shop settings: the return address book (售后地址) and the auto-refund strategy. Only members
// allowed to manage settings change them; every query is scoped to the member's own shop.
import type { MerchantActor } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import { isUuid } from '~/domain/ids'
import { validateStrategy, type AutoRefundStrategy } from '~/domain/lifecycle'
import type { Policy } from '~/domain/policy'
import type { Clock } from '~/infra/clock.server'
import type { Db, Tx } from '~/infra/db.server'
import { ServiceError } from './errors.server'
import { WEBHOOK_EVENTS, type WebhookEvent } from '~/domain/webhook-events'
import type { EgressOptions } from '~/infra/safe-egress.server'
import { listSubscriptions, validWebhookUrl, webhookUrlAllowed } from './webhooks.server'

/** `egress` is the operator's EGRESS_ALLOW_PRIVATE (and a test's resolver); without it private targets are refused. */
export type SettingsDeps = { db: Db; clock: Clock; policy: Policy; egress?: EgressOptions }

export function requireSettingsManager(actor: MerchantActor) {
  if (!merchantCan(actor, 'MANAGE_SETTINGS')) throw new ServiceError('FORBIDDEN')
}

export async function loadShopSettings(db: Db, actor: MerchantActor) {
  requireSettingsManager(actor)
  const [shop, addresses] = await Promise.all([
    db.shop.findUniqueOrThrow({
      where: { id: actor.shopId },
      select: { name: true, expressRefundEnabled: true, autoRefundEnabled: true, autoRefundPerOrderFen: true, autoRefundDailyCapFen: true },
    }),
    db.shopAddress.findMany({
      where: { shopId: actor.shopId, archivedAt: null },
      orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }],
      select: { id: true, label: true, contactName: true, phone: true, address: true, isDefault: true },
    }),
  ])
  return { shop, addresses, webhooks: await listSubscriptions(db, actor.shopId) }
}

/** The address the system sends returns to when it approves one: the default, else the oldest. */
export async function defaultReturnAddress(tx: Tx, shopId: string) {
  return tx.shopAddress.findFirst({
    where: { shopId, archivedAt: null },
    orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }],
    select: { label: true, contactName: true, phone: true, address: true },
  })
}

export type AddressInput = { label: string; contactName: string; phone: string; address: string; isDefault: boolean }

export async function addAddress(deps: SettingsDeps, actor: MerchantActor, input: AddressInput) {
  requireSettingsManager(actor)
  return deps.db.$transaction(async (tx) => {
    // The first address is the default; a new default replaces the old one.
    const count = await tx.shopAddress.count({ where: { shopId: actor.shopId, archivedAt: null } })
    const isDefault = input.isDefault || count === 0
    if (isDefault) await tx.shopAddress.updateMany({ where: { shopId: actor.shopId, isDefault: true }, data: { isDefault: false } })
    return tx.shopAddress.create({ data: { ...input, isDefault, shopId: actor.shopId, createdAt: deps.clock.now() } })
  })
}

export async function setDefaultAddress(deps: SettingsDeps, actor: MerchantActor, addressId: string) {
  requireSettingsManager(actor)
  if (!isUuid(addressId)) throw new ServiceError('NOT_FOUND')
  await deps.db.$transaction(async (tx) => {
    const found = await tx.shopAddress.findFirst({ where: { id: addressId, shopId: actor.shopId, archivedAt: null } })
    if (!found) throw new ServiceError('NOT_FOUND')
    await tx.shopAddress.updateMany({ where: { shopId: actor.shopId, isDefault: true }, data: { isDefault: false } })
    await tx.shopAddress.update({ where: { id: found.id }, data: { isDefault: true } })
  })
}

/** Archived, never deleted: cases keep a copy of the address they were sent to. */
export async function archiveAddress(deps: SettingsDeps, actor: MerchantActor, addressId: string) {
  requireSettingsManager(actor)
  if (!isUuid(addressId)) throw new ServiceError('NOT_FOUND')
  await deps.db.$transaction(async (tx) => {
    const found = await tx.shopAddress.findFirst({ where: { id: addressId, shopId: actor.shopId, archivedAt: null } })
    if (!found) throw new ServiceError('NOT_FOUND')
    await tx.shopAddress.update({ where: { id: found.id }, data: { archivedAt: deps.clock.now(), isDefault: false } })
    if (found.isDefault) {
      const next = await tx.shopAddress.findFirst({ where: { shopId: actor.shopId, archivedAt: null }, orderBy: { createdAt: 'asc' } })
      if (next) await tx.shopAddress.update({ where: { id: next.id }, data: { isDefault: true } })
    }
  })
}

export async function saveAutoRefundStrategy(deps: SettingsDeps, actor: MerchantActor, strategy: AutoRefundStrategy) {
  requireSettingsManager(actor)
  const valid = validateStrategy(strategy, deps.policy)
  if (!valid.ok) throw new ServiceError(valid.error)
  await deps.db.shop.update({
    where: { id: actor.shopId },
    data: { autoRefundEnabled: strategy.enabled, autoRefundPerOrderFen: strategy.perOrderMaxFen, autoRefundDailyCapFen: strategy.dailyCapFen },
  })
}

export async function setExpressRefund(deps: SettingsDeps, actor: MerchantActor, enabled: boolean) {
  requireSettingsManager(actor)
  await deps.db.shop.update({ where: { id: actor.shopId }, data: { expressRefundEnabled: enabled } })
}

export async function addWebhook(deps: SettingsDeps, actor: MerchantActor, input: { url: string; events: string[] }) {
  requireSettingsManager(actor)
  const events = [...new Set(input.events)].filter((e): e is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(e))
  if (!validWebhookUrl(input.url) || events.length === 0) throw new ServiceError('INVALID_INPUT')
  // Checked again at every delivery: a name can resolve elsewhere later.
  const egress = deps.egress ?? { allowPrivate: false }
  if (!(await webhookUrlAllowed(input.url, egress, deps.policy.integrations.webhookTimeoutMs))) throw new ServiceError('WEBHOOK_URL_NOT_ALLOWED')
  return deps.db.webhookSubscription.create({ data: { shopId: actor.shopId, url: input.url, events, createdAt: deps.clock.now() } })
}

/** Stops new deliveries; the history stays. */
export async function disableWebhook(deps: SettingsDeps, actor: MerchantActor, subscriptionId: string) {
  requireSettingsManager(actor)
  if (!isUuid(subscriptionId)) throw new ServiceError('NOT_FOUND')
  const { count } = await deps.db.webhookSubscription.updateMany({ where: { id: subscriptionId, shopId: actor.shopId, disabledAt: null }, data: { disabledAt: deps.clock.now() } })
  if (count === 0) throw new ServiceError('NOT_FOUND')
}
