// List tabs and filters, shared by loaders and components (so not in a .server module).
export const WORKBENCH_TABS = [
  'unshippedRefundPending',
  'shippedRefundOnlyPending',
  'returnPending',
  'awaitingReceipt',
  'awaitingEvidence',
  'all',
  'closed',
] as const
export type WorkbenchTab = (typeof WORKBENCH_TABS)[number]

/** At most this many cases in one bulk action (one page of the list). */
export const MAX_BULK = 50

/** Message box tabs, after-sales info first. */
export const MESSAGE_CATEGORIES = ['AFTER_SALES', 'DISPUTE', 'SYSTEM'] as const

/** Agent console: whose disputes, at which stage, in which order. */
export const QUEUE_SCOPES = ['unassigned', 'mine', 'all'] as const
export type QueueScope = (typeof QUEUE_SCOPES)[number]
export const QUEUE_STAGES = ['any', 'awaitingEvidence', 'readyToRule'] as const
export type QueueStage = (typeof QUEUE_STAGES)[number]
export const QUEUE_SORTS = ['breach', 'age'] as const
export type QueueSort = (typeof QUEUE_SORTS)[number]

export function pick<T extends string>(allowed: readonly T[], value: string | null, fallback: T): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback
}

/** 插旗: one palette for orders and cases (mirrors the FlagColor enum). */
export const FLAG_COLORS = ['RED', 'ORANGE', 'YELLOW', 'GREEN', 'BLUE', 'PURPLE'] as const
export type FlagColorName = (typeof FLAG_COLORS)[number]
