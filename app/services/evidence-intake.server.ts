// The one evidence intake: every upload (dispute evidence, a buyer's request proof, a merchant's
// rejection proof, escalation files) comes through here. It owns the multipart parsing, the S3 key
// scheme, the type / size / SHA-256 checks (evidence-upload.server streams each file), and the
// clean-up: a file stored in S3 whose row was never committed is deleted, so nothing half-written
// is ever kept or counted.
import type { EvidencePurpose } from '~/generated/prisma/client'
import type { Policy } from '~/domain/policy'
import type { Actor } from '~/domain/actor'
import { readMultipartForm } from '~/infra/multipart.server'
import { ServiceError } from './errors.server'
import { deleteObjectQuietly, parseDeclared, storeEvidenceStream, type Storage } from './evidence-upload.server'

/** A file stored in S3 whose bytes were checked; recorded by the transaction that uses it. */
export type StoredFile = { key: string; fileName: string; sizeBytes: number; mime: string; sha256: string }

/** Where a file belongs, which fixes its S3 key: one scheme for every kind of upload. */
export type IntakeTarget =
  | { kind: 'request-proof'; orderNo: string }
  | { kind: 'case-files'; caseId: string; purpose: 'REJECTION_PROOF' | 'ESCALATION' }
  | { kind: 'evidence-draft'; caseId: string; requestId: string }

export function keyPrefix(target: IntakeTarget): string {
  switch (target.kind) {
    case 'request-proof':
      return `orders/${target.orderNo}/request`
    case 'case-files':
      return `cases/${target.caseId}/${target.purpose === 'ESCALATION' ? 'escalation' : 'proof'}`
    case 'evidence-draft':
      return `cases/${target.caseId}/requests/${target.requestId}`
  }
}

/**
 * Reads a multipart request, streaming each file to S3 under the target's keys, then hands the
 * fields and stored files to `commit` (the command that records them, all or none).
 * `authorize` runs once, on the fields sent before the first file and before any of its bytes is
 * read: a refused command streams nothing to S3. On any failure every stored, unrecorded file is
 * deleted and the error goes on to the caller (the multipart reader answers only after the body).
 */
export async function intakeEvidence<T>(
  request: Request,
  storage: Storage,
  policy: Policy,
  options: {
    target: (fieldsBefore: FormData) => IntakeTarget
    authorize?: (fieldsBefore: FormData) => Promise<void>
    commit: (form: FormData, files: StoredFile[]) => Promise<T>
  },
): Promise<T> {
  const files: StoredFile[] = []
  let authorized: Promise<void> | undefined
  try {
    const form = await readMultipartForm(request, async (file) => {
      await (authorized ??= options.authorize?.(file.fieldsBefore) ?? Promise.resolve())
      if (files.length >= policy.dispute.maxFilesPerResponse) throw new ServiceError('TOO_MANY_FILES')
      const saved = await storeEvidenceStream(storage, policy, {
        keyPrefix: keyPrefix(options.target(file.fieldsBefore)),
        fileName: file.fileName,
        body: file.data,
        declared: parseDeclared(file.fieldsBefore.get('size'), file.fieldsBefore.get('sha256')),
      })
      files.push(saved)
      return saved.key
    })
    return await options.commit(form, files)
  } catch (error) {
    await Promise.all(files.map((file) => deleteObjectQuietly(storage, file.key)))
    throw error
  }
}

/** The evidence row for a stored file: where it came from, who sent it, and its checked bytes. */
export function evidenceRow(
  file: StoredFile,
  input: { caseId: string; actor: Extract<Actor, { kind: 'BUYER' | 'MERCHANT' }>; purpose: EvidencePurpose; status: 'DRAFT' | 'SUBMITTED'; at: Date; requestId?: string },
) {
  return {
    caseId: input.caseId,
    requestId: input.requestId ?? null,
    purpose: input.purpose,
    uploadedById: input.actor.userId,
    uploadedByRole: input.actor.kind,
    s3Key: file.key,
    fileName: file.fileName,
    sizeBytes: file.sizeBytes,
    contentType: file.mime,
    sha256: file.sha256,
    status: input.status,
    createdAt: input.at,
  }
}
