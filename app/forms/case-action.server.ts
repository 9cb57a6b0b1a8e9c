// The case page's POST, as one dispatch: read the form (multipart forms stream their files through
// the evidence intake first), then hand the intent to the command table's dispatcher, or to the
// few intents that are not case transitions (removing a draft file, retrying a refund, flags and
// notes). Every refusal comes back as { intent, ok: false, error, field } for the form to show.
import { isCaseIntent, type CaseIntent, type FileKind } from '~/domain/case-commands'
import type { Actor } from '~/domain/actor'
import { readForm } from '~/infra/csrf.server'
import { evidenceStorage } from '~/infra/deps.server'
import { runFlagIntent } from '~/forms/flag-intents.server'
import { authorizeFileCommand, runCaseCommand } from '~/services/case-commands.server'
import type { ServiceDeps } from '~/services/deps'
import { removeDraftFile } from '~/services/evidence-drafts.server'
import { intakeEvidence, type StoredFile } from '~/services/evidence-intake.server'
import { deleteObjectQuietly } from '~/services/evidence-upload.server'
import { isServiceError, ServiceError } from '~/services/errors.server'
import { retryRefund } from '~/services/refund-ledger.server'
import { claimCaseDispute, takeOverCaseDispute } from '~/services/assignment.server'

/** `to`: the state a case command left the case in (a rejection after a binding ruling goes to the platform). */
export type CaseActionResult = { intent: string; ok: true; to?: string } | { intent: string; ok: false; error: string; field?: string }

/** Form fields as the command table reads them: a repeated field (checkboxes) as a list. */
export function formFields(form: FormData): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {}
  for (const [key, value] of form) {
    if (typeof value !== 'string') continue
    const seen = fields[key]
    fields[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return fields
}

const isMultipart = (request: Request) => request.headers.get('Content-Type')?.startsWith('multipart/form-data') ?? false

export async function runCaseAction(request: Request, deps: ServiceDeps, actor: Actor, caseId: string): Promise<{ result: CaseActionResult; status: number }> {
  let intent = ''
  let to: string | undefined
  try {
    if (isMultipart(request)) {
      if (actor.kind === 'AGENT') throw new ServiceError('FORBIDDEN')
      let purpose: FileKind = 'REJECTION_PROOF'
      await intakeEvidence(request, evidenceStorage(), deps.policy, {
        // The intent field comes before the files: the command is authorized, and their keys are
        // known, before a file byte is read. A refusal names the intent, so its form shows it.
        authorize: async (before) => {
          intent = String(before.get('intent') ?? '')
          purpose = await authorizeFileCommand(deps, actor, { caseId, intent })
        },
        target: () => ({ kind: 'case-files', caseId, purpose }),
        commit: async (form, files) => {
          intent = String(form.get('intent') ?? '')
          to = await command(deps, actor, caseId, intent, form, files)
        },
      })
    } else {
      const form = await readForm(request)
      intent = String(form.get('intent') ?? '')
      to = await command(deps, actor, caseId, intent, form, [])
    }
    return { result: { intent, ok: true, ...(to ? { to } : {}) }, status: 200 }
  } catch (error) {
    if (!isServiceError(error)) throw error
    const field = typeof error.details.field === 'string' && error.details.field ? error.details.field : undefined
    return { result: { intent, ok: false, error: error.code, ...(field ? { field } : {}) }, status: error.status }
  }
}

async function command(deps: ServiceDeps, actor: Actor, caseId: string, intent: string, form: FormData, files: StoredFile[]): Promise<string | undefined> {
  if (isCaseIntent(intent)) {
    return (await runCaseCommand(deps, actor, { caseId, intent: intent satisfies CaseIntent, fields: formFields(form), files })).to
  }
  if (files.length) throw new ServiceError('INVALID_INPUT', { field: 'files' })
  switch (intent) {
    case 'remove-file': {
      if (actor.kind === 'AGENT') throw new ServiceError('FORBIDDEN')
      const key = await removeDraftFile(deps, actor, String(form.get('itemId') ?? ''))
      await deleteObjectQuietly(evidenceStorage(), key)
      return
    }
    case 'claim-dispute':
    case 'take-over-dispute':
      if (actor.kind !== 'AGENT') throw new ServiceError('FORBIDDEN')
      await (intent === 'claim-dispute' ? claimCaseDispute : takeOverCaseDispute)(deps, actor, caseId)
      return
    case 'retry-refund':
      if (actor.kind !== 'AGENT') throw new ServiceError('FORBIDDEN')
      await retryRefund(deps, actor, { caseId, refundId: String(form.get('refundId') ?? '') })
      return
    default:
      if (!(await runFlagIntent(deps, actor, caseId, intent, form))) throw new ServiceError('INVALID_INPUT', { field: 'intent' })
  }
}
