import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { evidenceStorage, serviceDeps } from '~/infra/deps.server'
import { forbidden, requireActor } from '~/infra/session.server'
import { assertCanUpload, attachDraftFile } from '~/services/evidence-drafts.server'
import { intakeEvidence } from '~/services/evidence-intake.server'
import { isServiceError } from '~/services/errors.server'

/**
 * Uploads files to an evidence request as drafts. The browser sends one file per request (with
 * XMLHttpRequest, for progress); a plain form with several files works too and redirects back.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const actor = await requireActor(request)
  if (actor.kind === 'AGENT') throw forbidden()
  const deps = serviceDeps()
  const requestId = params.requestId ?? ''
  const wantsJson = request.headers.get('Accept')?.includes('application/json') ?? false
  try {
    // Refuse before reading a byte when the request is not the actor's, closed, or full.
    const evidenceRequest = await assertCanUpload(deps, actor, requestId)
    const items: { id: string; fileName: string }[] = []
    await intakeEvidence(request, evidenceStorage(), deps.policy, {
      target: () => ({ kind: 'evidence-draft', caseId: evidenceRequest.caseId, requestId }),
      onStored: async (file) => {
        const item = await attachDraftFile(deps, actor, requestId, file)
        items.push({ id: item.id, fileName: item.fileName })
      },
      commit: async () => {},
    })
    // A resource route answering XMLHttpRequest: plain JSON.
    if (wantsJson) return Response.json({ ok: true, items })
    return redirect(`/cases/${evidenceRequest.case.caseNo}#request-${requestId}`, { status: 303 })
  } catch (error) {
    if (!isServiceError(error)) throw error
    if (wantsJson) return Response.json({ ok: false, error: error.code, details: error.details }, { status: error.status })
    const caseNo = encodeURIComponent(params.caseNo ?? '')
    return redirect(`/cases/${caseNo}?uploadError=${error.code}#request-${requestId}`, { status: 303 })
  }
}
