// A party's evidence response before it is submitted: files are added to an open request as drafts
// and may be removed until the one irreversible submit (the case command `submit-evidence`). Each
// write re-checks the window at commit time with the request row locked, so a file can never slip
// in after the deadline or after the submit.
import type { BuyerActor, MerchantActor } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import { isUuid } from '~/domain/ids'
import { canChangeEvidence } from '~/domain/case-machine'
import type { Db, Tx } from '~/infra/db.server'
import { caseScope, viewerParty } from '~/models/scopes.server'
import { writeCaseLog } from './case-log.server'
import type { ServiceDeps } from './deps'
import { ServiceError } from './errors.server'
import { evidenceRow, type StoredFile } from './evidence-intake.server'

type Party = BuyerActor | MerchantActor

function requireMayRespond(actor: Party) {
  if (actor.kind === 'MERCHANT' && !merchantCan(actor, 'HANDLE_AFTER_SALES')) throw new ServiceError('FORBIDDEN')
}

/** The evidence request the actor must answer, or NOT_FOUND. */
async function requestForParty(db: Db | Tx, actor: Party, requestId: string) {
  if (!isUuid(requestId)) throw new ServiceError('NOT_FOUND')
  const request = await db.evidenceRequest.findFirst({
    where: { id: requestId, party: viewerParty(actor)!, case: caseScope(actor) },
    select: { id: true, status: true, dueAt: true, caseId: true, case: { select: { caseNo: true } } },
  })
  if (!request) throw new ServiceError('NOT_FOUND')
  return request
}

/** The window is open and `adding` more files fit beside the drafts already there. */
async function checkRoom(db: Db | Tx, deps: ServiceDeps, request: { id: string; status: 'OPEN' | 'SUBMITTED' | 'EXPIRED'; dueAt: Date }, adding = 1) {
  const allowed = canChangeEvidence(request, deps.clock.now())
  if (!allowed.ok) throw new ServiceError(allowed.error)
  const drafts = await db.evidenceItem.count({ where: { requestId: request.id, status: 'DRAFT' } })
  if (drafts + adding > deps.policy.dispute.maxFilesPerResponse) throw new ServiceError('TOO_MANY_FILES')
}

/** Checks, before any byte is stored, that the actor may upload to this request now. */
export async function assertCanUpload(deps: ServiceDeps, actor: Party, requestId: string) {
  requireMayRespond(actor)
  const request = await requestForParty(deps.db, actor, requestId)
  await checkRoom(deps.db, deps, request)
  return request
}

/**
 * Records the stored files of one upload as drafts of the response, all or none: a refusal (the
 * deadline, the number of files) leaves the caller to delete every one. Re-checks at commit time.
 */
export async function attachDraftFiles(deps: ServiceDeps, actor: Party, requestId: string, files: StoredFile[]) {
  requireMayRespond(actor)
  return deps.db.$transaction(async (tx) => {
    // Lock the request so that a concurrent submit cannot slip between the check and the insert.
    await tx.$queryRaw`SELECT 1 FROM "EvidenceRequest" WHERE "id" = ${requestId}::uuid FOR UPDATE`
    const request = await requestForParty(tx, actor, requestId)
    await checkRoom(tx, deps, request, files.length)
    const now = deps.clock.now()
    const items = []
    for (const file of files) {
      const item = await tx.evidenceItem.create({ data: evidenceRow(file, { caseId: request.caseId, requestId, actor, purpose: 'DISPUTE_EVIDENCE', status: 'DRAFT', at: now }) })
      await writeCaseLog(tx, {
        caseId: request.caseId,
        at: now,
        actor,
        action: 'evidence.uploaded',
        details: { requestId, itemId: item.id, fileName: file.fileName, sizeBytes: file.sizeBytes, sha256: file.sha256 },
      })
      items.push(item)
    }
    return items
  })
}

/** Removes a draft file; returns its S3 key for deletion after commit. Submitted files never change. */
export async function removeDraftFile(deps: ServiceDeps, actor: Party, itemId: string): Promise<string> {
  requireMayRespond(actor)
  if (!isUuid(itemId)) throw new ServiceError('NOT_FOUND')
  return deps.db.$transaction(async (tx) => {
    const item = await tx.evidenceItem.findFirst({
      where: { id: itemId, uploadedByRole: viewerParty(actor)!, case: caseScope(actor) },
      select: { id: true, status: true, requestId: true, caseId: true, s3Key: true, fileName: true },
    })
    if (!item || !item.requestId || item.status === 'REMOVED') throw new ServiceError('NOT_FOUND')
    if (item.status === 'SUBMITTED') throw new ServiceError('ALREADY_SUBMITTED')
    const request = await requestForParty(tx, actor, item.requestId)
    const allowed = canChangeEvidence(request, deps.clock.now())
    if (!allowed.ok) throw new ServiceError(allowed.error)
    const now = deps.clock.now()
    const { count } = await tx.evidenceItem.updateMany({ where: { id: item.id, status: 'DRAFT' }, data: { status: 'REMOVED', removedAt: now } })
    if (count === 0) throw new ServiceError('ALREADY_SUBMITTED')
    await writeCaseLog(tx, { caseId: item.caseId, at: now, actor, action: 'evidence.removed', details: { itemId: item.id, fileName: item.fileName } })
    return item.s3Key
  })
}
