import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { db } from '~/infra/db.server'
import { evidenceStorage } from '~/infra/deps.server'
import { presignEvidence } from '~/infra/presign.server'
import { notFound, requireActor } from '~/infra/session.server'
import { findEvidenceItemFor } from '~/models/case-view.server'
import { isUuid } from '~/domain/ids'

/** Authorized evidence download: a redirect to a presigned URL valid for five minutes. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  const itemId = params.itemId ?? ''
  if (!isUuid(itemId)) throw notFound()
  const item = await findEvidenceItemFor(db(), actor, itemId)
  if (!item) throw notFound()
  const { s3, bucket } = evidenceStorage()
  const download = new URL(request.url).searchParams.has('download')
  throw redirect(await presignEvidence(s3, bucket, item, download), { headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } })
}
