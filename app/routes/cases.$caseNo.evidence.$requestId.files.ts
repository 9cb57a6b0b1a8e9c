import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { evidenceStorage, serviceDeps } from '~/infra/deps.server'
import { answerAfterBody } from '~/infra/multipart.server'
import { forbidden, requireActor } from '~/infra/session.server'
import { assertCanUpload, attachDraftFiles } from '~/services/evidence-drafts.server'
import { intakeEvidence } from '~/services/evidence-intake.server'
import { isServiceError } from '~/services/errors.server'

/**
 * Uploads files to an evidence request as drafts. The browser sends one file per request (with
 * XMLHttpRequest, for progress); a plain form with several files works too and redirects back.
 */
export const action = (args: ActionFunctionArgs) => answerAfterBody(args.request, () => upload(args))

async function upload({ request, params }: ActionFunctionArgs) {
  const actor = await requireActor(request)
  if (actor.kind === 'AGENT') throw forbidden()
  const deps = serviceDeps()
  const requestId = params.requestId ?? ''
  const wantsJson = request.headers.get('Accept')?.includes('application/json') ?? false
  try {
    // Refuse before storing a byte when the request is not the actor's, closed, or full.
    const evidenceRequest = await assertCanUpload(deps, actor, requestId)
    // The files of one POST become drafts together, or none do.
    const items = await intakeEvidence(request, evidenceStorage(), deps.policy, {
      target: () => ({ kind: 'evidence-draft', caseId: evidenceRequest.caseId, requestId }),
      commit: (_, files) => attachDraftFiles(deps, actor, requestId, files),
    })
    // A resource route answering XMLHttpRequest: plain JSON.
    if (wantsJson) return Response.json({ ok: true, items: items.map(({ id, fileName }) => ({ id, fileName })) })
    return redirect(`/cases/${evidenceRequest.case.caseNo}#request-${requestId}`, { status: 303 })
  } catch (error) {
    if (!isServiceError(error)) throw error
    if (wantsJson) return Response.json({ ok: false, error: error.code, details: error.details }, { status: error.status })
    const caseNo = encodeURIComponent(params.caseNo ?? '')
    return redirect(`/cases/${caseNo}?uploadError=${error.code}#request-${requestId}`, { status: 303 })
  }
}
