import type { LoaderFunctionArgs } from '@remix-run/node'
import { clock } from '~/infra/clock.server'
import { db } from '~/infra/db.server'
import { evidenceStorage } from '~/infra/deps.server'
import { env } from '~/infra/env.server'
import { notFound, requireActor } from '~/infra/session.server'
import { findEvidenceItemFor } from '~/models/case-view.server'
import { isUuid } from '~/domain/ids'
import { deliverEvidence } from '~/services/evidence-download.server'

/** Authorized evidence views and downloads: streamed through the portal, or a presigned redirect if the operator chose it. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  const itemId = params.itemId ?? ''
  if (!isUuid(itemId)) throw notFound()
  const item = await findEvidenceItemFor(db(), actor, itemId)
  if (!item) throw notFound()
  const download = new URL(request.url).searchParams.has('download')
  return deliverEvidence({ db: db(), clock: clock(), storage: evidenceStorage() }, actor, item, request, { delivery: env().EVIDENCE_DELIVERY, download })
}
