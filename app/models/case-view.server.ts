// The case page's data, shaped for the viewer: each party sees its own evidence and requests;
// agents see both sides, every round, the internal notes and who opened which file; the merchant
// sees its flag and notes. The actions offered are exactly the commands the command table and the
// case machine allow this viewer now.
//
// One round trip (ADR 0012): the whole page is one prepared statement on the pool. Its root is the
// case, found by its number *within the viewer's scope* (scopes.server.ts), so another party's
// case is "not found"; each concern (rounds and rulings, requests, files, log, negotiation,
// refunds, the access log) is a subquery of that case row returned as json. What the viewer may
// not read is not selected: the internal note and who holds the dispute only for agents, the
// access log only for agents, the merchant's flag, notes and address book only for the merchant.
import type { Actor } from '~/domain/actor'
import { availableCommands, type CaseIntent } from '~/domain/case-commands'
import { nextDeadline, type CaseSnapshot, type EvidenceRequestSnapshot } from '~/domain/case-machine'
import { AGENT_ONLY_LOG_ACTIONS } from '~/domain/dispute'
import { extensionAvailableAt } from '~/domain/lifecycle'
import { refundStanding } from '~/domain/money'
import type { Policy } from '~/domain/policy'
import {
  Prisma,
  type ActorKind,
  type CaseReason,
  type CaseState,
  type CaseType,
  type DisputeStatus,
  type EvidenceAccessKind,
  type EvidenceItemStatus,
  type EvidencePurpose,
  type EvidenceRequestStatus,
  type FlagColor,
  type LiableParty,
  type PartyRole,
  type RefundStatus,
  type RulingOutcome,
} from '~/generated/prisma/client'
import { queryPrepared, type Db } from '~/infra/db.server'
import { maskPhone } from './cases.server'
import { caseScopeSql, evidenceScope, evidenceVisibleSql, viewerParty } from './scopes.server'

/** The most recent evidence accesses the case page lists. */
export const EVIDENCE_ACCESS_LIMIT = 200

/** States in which a case is an open request on its order (one open request per order). */
const OPEN_REQUEST_STATES = Prisma.raw(`'PENDING_MERCHANT', 'AWAITING_RETURN', 'AWAITING_RECEIPT', 'IN_DISPUTE'`)

export type ReturnAddress = { label: string; contactName: string; phone: string; address: string }
type Json = Prisma.JsonValue
type Note = { text: string | null; at: Date | null; by: string | null }
/** Timestamps inside json columns arrive as text. */
const at = (value: string | null) => (value === null ? null : new Date(value))

type CaseRow = {
  id: string
  caseNo: string
  orderNo: string
  type: CaseType
  state: CaseState
  reason: CaseReason
  description: string
  requestedAmountFen: number
  customerName: string
  customerPhone: string
  createdAt: Date
  closedAt: Date | null
  merchantRespondBy: Date | null
  buyerShipBy: Date | null
  merchantReceiveBy: Date | null
  trackingUploadedAt: Date | null
  trackingUploadedBy: ActorKind | null
  parcelSignedAt: Date | null
  receiptExtensions: number
  rejectedAt: Date | null
  bound: boolean
  expressRefund: boolean
  autoDecisionRuleId: string | null
  returnAddress: ReturnAddress | null
  returnSmsNotice: boolean
  returnCourier: string | null
  returnTrackingNo: string | null
  rejectionReason: string | null
  offlineResolution: string | null
  shopName: string
  buyerNickname: string
  itemTitle: string
  paidAmountFen: number
  refundReservedFen: number
  returnShippingInsurance: boolean
  rounds: number
  otherOpenRequest: boolean
  openDispute: { holderId: string | null; requests: { id: string; party: PartyRole; status: EvidenceRequestStatus; dueAt: string; reminderSentAt: string | null }[] } | null
  orderRefunds: { amountFen: number; status: RefundStatus }[]
  /** The concerns below, as json (timestamps as text). */
  disputes: unknown[]
  requests: unknown[]
  items: unknown[]
  log: unknown[]
  negotiation: unknown[]
  refunds: unknown[]
  /** Agents only. */
  accesses?: unknown[]
}

/** The merchant's columns: its flag and notes (with who changed them) and its address book. */
type MerchantColumns = {
  flagColor: FlagColor | null
  flagAt: Date | null
  flagBy: string | null
  orderNote: string | null
  orderNoteAt: Date | null
  orderNoteBy: string | null
  caseNote: string | null
  caseNoteAt: Date | null
  caseNoteBy: string | null
  addresses: { id: string; label: string; contactName: string; phone: string; address: string; isDefault: boolean }[] | null
}

const MERCHANT_COLUMNS = Prisma.sql`,
  o."flagColor"::text AS "flagColor", o."flagUpdatedAt" AS "flagAt", (SELECT u."displayName" FROM "User" u WHERE u.id = o."flagUpdatedById") AS "flagBy",
  o.note AS "orderNote", o."noteUpdatedAt" AS "orderNoteAt", (SELECT u."displayName" FROM "User" u WHERE u.id = o."noteUpdatedById") AS "orderNoteBy",
  c.note AS "caseNote", c."noteUpdatedAt" AS "caseNoteAt", (SELECT u."displayName" FROM "User" u WHERE u.id = c."noteUpdatedById") AS "caseNoteBy",
  -- The merchant picks a return address from its own book while it reviews a return.
  CASE WHEN c.state = 'PENDING_MERCHANT' AND c.type = 'RETURN_AND_REFUND' THEN (
    SELECT coalesce(json_agg(json_build_object('id', a.id, 'label', a.label, 'contactName', a."contactName", 'phone', a.phone, 'address', a.address, 'isDefault', a."isDefault")
      ORDER BY a."isDefault" DESC, a."createdAt" ASC), '[]'::json)
    FROM "ShopAddress" a WHERE a."shopId" = c."shopId" AND a."archivedAt" IS NULL) END AS addresses`

type DisputeRow = {
  id: string
  round: number
  status: DisputeStatus
  reason: string
  description: string
  openedAt: Date
  openedByRole: PartyRole
  assignedToMe: boolean
  /** Agents only: the name of the agent holding the dispute (null when unassigned, or for a party). */
  holderName: string | null
  rulingId: string | null
  rulingActorKind: ActorKind | null
  ruleId: string | null
  liableParty: LiableParty | null
  outcome: RulingOutcome | null
  refundAmountFen: number | null
  rationale: string | null
  internalNote: string | null
  rulingAt: Date | null
}

type RequestRow = {
  id: string
  disputeId: string
  party: PartyRole
  instructions: string
  checklist: string[]
  createdAt: Date
  dueAt: Date
  status: EvidenceRequestStatus
  explanation: string | null
  submittedAt: Date | null
  reminderSentAt: Date | null
}

type ItemRow = {
  id: string
  purpose: EvidencePurpose
  requestId: string | null
  fileName: string
  sizeBytes: number
  contentType: string
  sha256: string
  status: EvidenceItemStatus
  uploadedByRole: PartyRole
  createdAt: Date
}

type LogRow = { id: string; at: Date; actorKind: ActorKind; actorRole: string | null; action: string; fromState: CaseState | null; toState: CaseState | null; ruleId: string | null; details: Json }
type NegotiationRow = { id: string; at: Date; role: ActorKind; kind: string; message: string; amountFen: number | null; details: Json }
type RefundRow = { id: string; amountFen: number; status: RefundStatus; attempts: number; failureKind: string | null; createdAt: Date; completedAt: Date | null }
type AccessRow = {
  id: string
  itemId: string
  at: Date
  kind: EvidenceAccessKind
  range: string | null
  bytes: number | null
  actorKind: ActorKind
  fileName: string
  displayName: string
  email: string
}

// Each concern as a json column of the case row: a correlated subquery on the case `c`, in the
// order the page shows it. Timestamps inside json arrive as text (see `dated`).
const list = (body: Prisma.Sql) => Prisma.sql`coalesce((${body}), '[]'::json)`

function disputesColumn(actor: Actor) {
  // Who holds the dispute and the ruling's internal note are the agents' business: not selected for the parties.
  const agent = actor.kind === 'AGENT'
  return list(Prisma.sql`SELECT json_agg(json_build_object(
      'id', d.id, 'round', d.round, 'status', d.status, 'reason', d.reason, 'description', d.description, 'openedAt', d."openedAt", 'openedByRole', d."openedByRole",
      'assignedToMe', ${agent ? Prisma.sql`coalesce(d."assignedAgentId" = ${actor.userId}::uuid, false)` : Prisma.sql`false`},
      'holderName', ${agent ? Prisma.sql`(SELECT u."displayName" FROM "User" u WHERE u.id = d."assignedAgentId")` : Prisma.sql`NULL::text`},
      'rulingId', r.id, 'rulingActorKind', r."actorKind", 'ruleId', r."ruleId", 'liableParty', r."liableParty", 'outcome', r.outcome,
      'refundAmountFen', r."refundAmountFen", 'rationale', r.rationale, 'internalNote', ${agent ? Prisma.sql`r."internalNote"` : Prisma.sql`NULL::text`}, 'rulingAt', r."createdAt"
    ) ORDER BY d.round ASC)
    FROM "Dispute" d LEFT JOIN "Ruling" r ON r."disputeId" = d.id WHERE d."caseId" = c.id`)
}

function requestsColumn(actor: Actor) {
  const party = viewerParty(actor)
  return list(Prisma.sql`SELECT json_agg(json_build_object(
      'id', r.id, 'disputeId', r."disputeId", 'party', r.party, 'instructions', r.instructions, 'checklist', r.checklist, 'createdAt', r."createdAt",
      'dueAt', r."dueAt", 'status', r.status, 'explanation', r.explanation, 'submittedAt', r."submittedAt", 'reminderSentAt', r."reminderSentAt"
    ) ORDER BY r."createdAt" ASC, r.id ASC)
    FROM "EvidenceRequest" r WHERE r."caseId" = c.id ${party ? Prisma.sql`AND r.party = ${party}::"PartyRole"` : Prisma.empty}`)
}

function itemsColumn(actor: Actor) {
  return list(Prisma.sql`SELECT json_agg(json_build_object(
      'id', i.id, 'purpose', i.purpose, 'requestId', i."requestId", 'fileName', i."fileName", 'sizeBytes', i."sizeBytes"::float8, 'contentType', i."contentType",
      'sha256', i.sha256, 'status', i.status, 'uploadedByRole', i."uploadedByRole", 'createdAt', i."createdAt"
    ) ORDER BY i."createdAt" ASC, i.id ASC)
    FROM "EvidenceItem" i WHERE i."caseId" = c.id AND ${evidenceVisibleSql(actor)}`)
}

/** The shop's own markers: its members see them change in the log, the buyer does not. */
const MERCHANT_ONLY_LOG_ACTIONS = ['case.flagged'] as const

function logColumn(actor: Actor) {
  const party = viewerParty(actor)
  // Who works the dispute inside the platform is the agents' business; the shop's flag is the shop's.
  const hidden = actor.kind === 'AGENT' ? [] : [...AGENT_ONLY_LOG_ACTIONS, ...(actor.kind === 'BUYER' ? MERCHANT_ONLY_LOG_ACTIONS : [])]
  // A party reads every entry's words, but the records behind them (file names, hashes, ids) only of
  // its own entries and the system's (whose inputs the page shows); agents read all.
  const details = party ? Prisma.sql`CASE WHEN l."actorKind"::text IN (${party}, 'SYSTEM') THEN l.details ELSE '{}'::jsonb END` : Prisma.sql`l.details`
  return list(Prisma.sql`SELECT json_agg(json_build_object(
      'id', l.id, 'at', l.at, 'actorKind', l."actorKind", 'actorRole', l."actorRole", 'action', l.action, 'fromState', l."fromState", 'toState', l."toState",
      'ruleId', l."ruleId", 'details', ${details}
    ) ORDER BY l.at ASC, l.id ASC)
    FROM "CaseLog" l WHERE l."caseId" = c.id
    ${hidden.length ? Prisma.sql`AND l.action <> ALL(${hidden}::text[])` : Prisma.empty}`)
}

const NEGOTIATION_COLUMN = list(Prisma.sql`SELECT json_agg(json_build_object(
    'id', n.id, 'at', n.at, 'role', n.role, 'kind', n.kind, 'message', n.message, 'amountFen', n."amountFen", 'details', n.details
  ) ORDER BY n.at ASC, n.id ASC)
  FROM "NegotiationEntry" n WHERE n."caseId" = c.id`)

const REFUNDS_COLUMN = list(Prisma.sql`SELECT json_agg(json_build_object(
    'id', f.id, 'amountFen', f."amountFen", 'status', f.status, 'attempts', f.attempts, 'failureKind', f."failureKind", 'createdAt', f."createdAt", 'completedAt', f."completedAt"
  ) ORDER BY f."createdAt" ASC, f.id ASC)
  FROM "Refund" f WHERE f."caseId" = c.id`)

// Agents: who opened which file, newest first, capped (one more than shown says "there is more").
const ACCESS_COLUMN = list(Prisma.sql`SELECT json_agg(json_build_object(
    'id', a.id, 'itemId', a."itemId", 'at', a.at, 'kind', a.kind, 'range', a.range, 'bytes', a.bytes::float8, 'actorKind', a."actorKind",
    'fileName', a."fileName", 'displayName', a."displayName", 'email', a.email
  ) ORDER BY a.at DESC, a.id DESC)
  FROM (SELECT e.*, i."fileName", u."displayName", u.email FROM "EvidenceAccess" e
    JOIN "EvidenceItem" i ON i.id = e."itemId" JOIN "User" u ON u.id = e."userId"
    WHERE e."caseId" = c.id ORDER BY e.at DESC, e.id DESC LIMIT ${EVIDENCE_ACCESS_LIMIT + 1}) a`)

/** The whole page in one statement: the case by its number within the viewer's scope, and each concern of it. */
function caseViewStatement(actor: Actor, caseNo: string) {
  return Prisma.sql`SELECT c.id, c."caseNo", c."orderNo", c.type::text AS type, c.state::text AS state, c.reason::text AS reason, c.description,
      c."requestedAmountFen", c."customerName", c."customerPhone", c."createdAt", c."closedAt",
      c."merchantRespondBy", c."buyerShipBy", c."merchantReceiveBy", c."trackingUploadedAt", c."trackingUploadedBy"::text AS "trackingUploadedBy",
      c."parcelSignedAt", c."receiptExtensions", c."rejectedAt", c."bindingRulingId" IS NOT NULL AS bound, c."expressRefund", c."autoDecisionRuleId",
      c."returnAddress", c."returnSmsNotice", c."returnCourier", c."returnTrackingNo", c."rejectionReason", c."offlineResolution",
      s.name AS "shopName", b.nickname AS "buyerNickname",
      o."itemTitle", o."paidAmountFen", o."refundReservedFen", o."returnShippingInsurance",
      (SELECT count(*)::int FROM "Dispute" d WHERE d."caseId" = c.id) AS rounds,
      EXISTS (SELECT 1 FROM "AfterSalesCase" x WHERE x."orderId" = c."orderId" AND x.id <> c.id AND x.state IN (${OPEN_REQUEST_STATES})) AS "otherOpenRequest",
      -- What the case machine reads of the open dispute: its requests of both parties (never sent to the page).
      (SELECT json_build_object('holderId', d."assignedAgentId", 'requests', ${list(Prisma.sql`SELECT json_agg(json_build_object('id', r.id, 'party', r.party, 'status', r.status, 'dueAt', r."dueAt", 'reminderSentAt', r."reminderSentAt")) FROM "EvidenceRequest" r WHERE r."disputeId" = d.id`)})
        FROM "Dispute" d WHERE d."caseId" = c.id AND d.status = 'OPEN' LIMIT 1) AS "openDispute",
      -- The order's refunds as a whole (this case's and any other's on the same order).
      ${list(Prisma.sql`SELECT json_agg(json_build_object('amountFen', f."amountFen", 'status', f.status)) FROM "Refund" f WHERE f."orderId" = c."orderId"`)} AS "orderRefunds",
      ${disputesColumn(actor)} AS disputes,
      ${requestsColumn(actor)} AS requests,
      ${itemsColumn(actor)} AS items,
      ${logColumn(actor)} AS log,
      ${NEGOTIATION_COLUMN} AS negotiation,
      ${REFUNDS_COLUMN} AS refunds
      ${actor.kind === 'AGENT' ? Prisma.sql`, ${ACCESS_COLUMN} AS accesses` : Prisma.empty}
      ${actor.kind === 'MERCHANT' ? MERCHANT_COLUMNS : Prisma.empty}
    FROM "AfterSalesCase" c
    JOIN "Shop" s ON s.id = c."shopId"
    JOIN "Order" o ON o.id = c."orderId"
    JOIN "Buyer" b ON b.id = c."buyerId"
    WHERE c."caseNo" = ${caseNo} AND ${caseScopeSql(actor)}`
}

/** Json rows with their timestamps made Dates again. */
function dated<Row>(rows: unknown[], keys: readonly (keyof Row & string)[]): Row[] {
  for (const row of rows as Record<string, unknown>[]) {
    for (const key of keys) {
      const value = row[key]
      if (typeof value === 'string') row[key] = new Date(value)
    }
  }
  return rows as Row[]
}

/** What the case machine decides on, from the case statement (the same facts as toLoaded's snapshot). */
function snapshotOf(found: CaseRow): CaseSnapshot {
  return {
    type: found.type,
    state: found.state,
    requestedAmountFen: found.requestedAmountFen,
    refundableFen: found.paidAmountFen - found.refundReservedFen,
    merchantRespondBy: found.merchantRespondBy,
    buyerShipBy: found.buyerShipBy,
    merchantReceiveBy: found.merchantReceiveBy,
    trackingUploadedAt: found.trackingUploadedAt,
    parcelSignedAt: found.parcelSignedAt,
    receiptExtensions: found.receiptExtensions,
    returnShippingInsurance: found.returnShippingInsurance,
    rejectedAt: found.rejectedAt,
    boundByRuling: found.bound,
    rounds: found.rounds,
    otherOpenRequest: found.otherOpenRequest,
    dispute: found.openDispute && {
      holderId: found.openDispute.holderId,
      requests: found.openDispute.requests.map(
        (r): EvidenceRequestSnapshot => ({ id: r.id, party: r.party, status: r.status, dueAt: new Date(r.dueAt), reminderSentAt: at(r.reminderSentAt) }),
      ),
    },
  }
}

/** The case as the page's statement finds it and the machine sees it (tests hold it equal to the commands' snapshot). */
export async function loadCaseViewSnapshot(db: Db, actor: Actor, caseNo: string): Promise<CaseSnapshot | null> {
  const [found] = await queryPrepared<CaseRow>(db, caseViewStatement(actor, caseNo))
  return found ? snapshotOf(found) : null
}

export async function loadCaseView(db: Db, actor: Actor, caseNo: string, now: Date, policy: Policy) {
  const [found] = await queryPrepared<CaseRow & Partial<MerchantColumns>>(db, caseViewStatement(actor, caseNo))
  if (!found) return null
  const party = viewerParty(actor)
  const isAgent = actor.kind === 'AGENT'
  const rounds = dated<DisputeRow>(found.disputes, ['openedAt', 'rulingAt'])
  const requests = dated<RequestRow>(found.requests, ['createdAt', 'dueAt', 'submittedAt', 'reminderSentAt'])
  const items = dated<ItemRow>(found.items, ['createdAt'])
  const logs = dated<LogRow>(found.log, ['at'])
  const negotiation = dated<NegotiationRow>(found.negotiation, ['at'])
  const refunds = dated<RefundRow>(found.refunds, ['createdAt', 'completedAt'])
  const accesses = dated<AccessRow>(found.accesses ?? [], ['at'])

  const snapshot = snapshotOf(found)
  const commands = availableCommands(actor, snapshot, now, policy)
  const may = (intent: CaseIntent) => commands.has(intent)
  const latest = rounds.at(-1) ?? null
  const rulings = rounds.flatMap((round) =>
    round.rulingId
      ? [
          {
            id: round.rulingId,
            actorKind: round.rulingActorKind!,
            ruleId: round.ruleId,
            liableParty: round.liableParty!,
            outcome: round.outcome!,
            refundAmountFen: round.refundAmountFen,
            rationale: round.rationale!,
            internalNote: round.internalNote,
            createdAt: round.rulingAt!,
            round: round.round,
          },
        ]
      : [],
  )
  const note = (text: string | null | undefined, noteAt: Date | null | undefined, by: string | null | undefined): Note => ({ text: text ?? null, at: noteAt ?? null, by: by ?? null })
  return {
    case: {
      id: found.id,
      caseNo: found.caseNo,
      orderNo: found.orderNo,
      type: found.type,
      state: found.state,
      reason: found.reason,
      description: found.description,
      requestedAmountFen: found.requestedAmountFen,
      createdAt: found.createdAt,
      closedAt: found.closedAt,
      shopName: found.shopName,
      buyerNickname: found.buyerNickname,
      // Only the merchant handling the order needs the customer; even it sees a masked phone.
      customer: actor.kind === 'BUYER' ? null : { name: found.customerName, phone: maskPhone(found.customerPhone) },
      itemTitle: found.itemTitle,
      paidAmountFen: found.paidAmountFen,
      refundableFen: snapshot.refundableFen,
      returnShippingInsurance: found.returnShippingInsurance,
      boundByRuling: snapshot.boundByRuling,
    },
    /** The order's refunds as a whole (this case's and any other's on the same order). */
    money: { standing: refundStanding(found.paidAmountFen, found.orderRefunds), express: found.expressRefund },
    lifecycle: {
      // The life-cycle state's deadline, labelled with whose it is (evidence deadlines are on their requests).
      deadline: nextDeadline(found),
      expressRefund: found.expressRefund,
      autoDecisionRuleId: found.autoDecisionRuleId,
      returnAddress: found.returnAddress,
      returnSmsNotice: found.returnSmsNotice,
      returnCourier: found.returnCourier,
      returnTrackingNo: found.returnTrackingNo,
      trackingUploadedAt: found.trackingUploadedAt,
      trackingUploadedBy: found.trackingUploadedBy,
      rejectionReason: found.rejectionReason,
      offlineResolution: found.offlineResolution,
      extensionAvailableAt: found.trackingUploadedAt && found.receiptExtensions === 0 ? extensionAvailableAt(found.trackingUploadedAt, policy) : null,
      insuranceWarning: found.state === 'AWAITING_RETURN' && found.returnShippingInsurance,
      addresses: found.addresses ?? [],
    },
    commands: [...commands],
    negotiation,
    /** The latest round with the platform; earlier rounds are in `rounds`. The ruling (internal note masked) is in `rulings`. */
    dispute: latest && {
      id: latest.id,
      round: latest.round,
      status: latest.status,
      reason: latest.reason,
      description: latest.description,
      openedAt: latest.openedAt,
      openedByRole: latest.openedByRole,
      assignedToMe: latest.assignedToMe,
      holderName: latest.holderName,
    },
    rounds: rounds.map((round) => ({ id: round.id, round: round.round, status: round.status, openedAt: round.openedAt, openedByRole: round.openedByRole, reason: round.reason })),
    requests: requests.map((request) => ({
      ...request,
      items: items.filter((item) => item.requestId === request.id),
      mine: party === request.party,
      open: request.status === 'OPEN' && now < request.dueAt,
      // Ended before its time because the platform ruled (not because the party stayed silent).
      closedByRuling: request.status === 'EXPIRED' && now < request.dueAt,
      current: request.disputeId === latest?.id,
    })),
    escalationFiles: items.filter((item) => item.purpose === 'ESCALATION'),
    requestProofs: items.filter((item) => item.purpose === 'REQUEST_PROOF'),
    rejectionProofs: items.filter((item) => item.purpose === 'REJECTION_PROOF'),
    rulings,
    refunds,
    log: logs,
    /** Agents: the views and downloads of this case's files (null for the parties). */
    evidenceAccess: isAgent
      ? {
          entries: accesses.slice(0, EVIDENCE_ACCESS_LIMIT).map(({ fileName, displayName, email, ...access }) => ({ ...access, item: { fileName }, user: { displayName, email } })),
          more: accesses.length > EVIDENCE_ACCESS_LIMIT,
        }
      : null,
    /** The merchant's flag and notes, with who changed them (null for everyone else). */
    flagsAndNotes:
      actor.kind === 'MERCHANT'
        ? {
            flag: { color: found.flagColor ?? null, at: found.flagAt ?? null, by: found.flagBy ?? null },
            orderNote: note(found.orderNote, found.orderNoteAt, found.orderNoteBy),
            caseNote: note(found.caseNote, found.caseNoteAt, found.caseNoteBy),
          }
        : null,
    viewer: {
      kind: actor.kind,
      party,
      mayEscalate: may('escalate'),
      mayRespond: may('submit-evidence'),
      mayRequestEvidence: may('request-evidence'),
      mayRule: may('rule'),
      mayRetryRefunds: isAgent,
    },
  }
}

/** The case's id by its number within the actor's scope (what an action on the case page needs first), or null. */
export async function findCaseId(db: Db, actor: Actor, caseNo: string): Promise<string | null> {
  const [found] = await queryPrepared<{ id: string }>(db, Prisma.sql`SELECT c.id FROM "AfterSalesCase" c WHERE c."caseNo" = ${caseNo} AND ${caseScopeSql(actor)}`)
  return found?.id ?? null
}

export type CaseView = NonNullable<Awaited<ReturnType<typeof loadCaseView>>>

/** The evidence item if the actor may see it: its own party's, or any for agents. */
export async function findEvidenceItemFor(db: Db, actor: Actor, itemId: string) {
  return db.evidenceItem.findFirst({
    where: { id: itemId, ...evidenceScope(actor) },
    select: { id: true, caseId: true, s3Key: true, fileName: true, contentType: true, sizeBytes: true, sha256: true },
  })
}
