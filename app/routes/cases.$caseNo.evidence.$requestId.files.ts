import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { evidenceStorage, disputeDeps } from '~/infra/deps.server'
import { readMultipartForm } from '~/infra/multipart.server'
import { forbidden, requireActor } from '~/infra/session.server'
import { assertCanUpload, attachDraftFile } from '~/services/disputes.server'
import { deleteObjectQuietly, parseDeclared, storeEvidenceStream } from '~/services/evidence-upload.server'
import { isServiceError } from '~/services/errors.server'

/**
 * Uploads files to an evidence request as drafts. The browser sends one file per request (with
 * XMLHttpRequest, for progress); a plain form with several files works too and redirects back.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const actor = await requireActor(request)
  if (actor.kind === 'AGENT') throw forbidden()
  const deps = disputeDeps()
  const storage = evidenceStorage()
  const requestId = params.requestId ?? ''
  const wantsJson = request.headers.get('Accept')?.includes('application/json') ?? false
  const stored: string[] = []
  try {
    // Refuse before reading a byte when the request is not the actor's, closed, or full.
    const evidenceRequest = await assertCanUpload(deps, actor, requestId)
    const items: { id: string; fileName: string }[] = []
    await readMultipartForm(request, async (file) => {
      const saved = await storeEvidenceStream(storage, deps.policy, {
        keyPrefix: `cases/${evidenceRequest.caseId}/requests/${requestId}`,
        fileName: file.fileName,
        body: file.data,
        declared: parseDeclared(file.fieldsBefore.get('size'), file.fieldsBefore.get('sha256')),
      })
      stored.push(saved.key)
      const item = await attachDraftFile(deps, actor, requestId, saved)
      stored.pop() // recorded: no longer ours to clean up
      items.push({ id: item.id, fileName: item.fileName })
      return item.id
    })
    // A resource route answering XMLHttpRequest: plain JSON.
    if (wantsJson) return Response.json({ ok: true, items })
    return redirect(`/cases/${evidenceRequest.case.caseNo}#request-${requestId}`, { status: 303 })
  } catch (error) {
    await Promise.all(stored.map((key) => deleteObjectQuietly(storage, key)))
    if (isServiceError(error)) {
      if (wantsJson) return Response.json({ ok: false, error: error.code, details: error.details }, { status: error.status })
      const caseNo = encodeURIComponent(params.caseNo ?? '')
      return redirect(`/cases/${caseNo}?uploadError=${error.code}#request-${requestId}`, { status: 303 })
    }
    throw error
  }
}
