import type { LoaderFunctionArgs } from '@remix-run/node'
import { ServerResponse } from 'node:http'
import { clock } from '~/infra/clock.server'
import { db } from '~/infra/db.server'
import { evidenceStorage } from '~/infra/deps.server'
import { env } from '~/infra/env.server'
import { notFound, requireActor } from '~/infra/session.server'
import { findEvidenceItemFor } from '~/models/case-view.server'
import { isUuid } from '~/domain/ids'
import { deliverEvidence } from '~/services/evidence-download.server'

/** Authorized evidence views and downloads: streamed through the portal, or a presigned redirect if the operator chose it. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  const itemId = params.itemId ?? ''
  if (!isUuid(itemId)) throw notFound()
  const item = await findEvidenceItemFor(db(), actor, itemId)
  if (!item) throw notFound()
  const download = new URL(request.url).searchParams.has('download')
  // The Node response, where the server gives it, lets the stream follow the client's pace.
  const nodeResponse = context.nodeResponse instanceof ServerResponse ? context.nodeResponse : undefined
  return deliverEvidence({ db: db(), clock: clock(), storage: evidenceStorage() }, actor, item, request, { delivery: env().EVIDENCE_DELIVERY, download, nodeResponse })
}
