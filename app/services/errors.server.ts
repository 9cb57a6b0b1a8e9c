// Errors a service refuses with. Routes turn them into a status and a translated message.
import type { CaseError } from '~/domain/case-machine'
import type { EvidenceResponseError } from '~/domain/dispute'
import type { OpeningError, StrategyError } from '~/domain/lifecycle'

export type ServiceErrorCode =
  | CaseError
  | OpeningError
  | StrategyError
  | EvidenceResponseError
  | 'REFUND_NOT_FAILED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT_ALREADY_RULED'
  | 'CONFLICT_CHANGED'
  | 'STORAGE_UNAVAILABLE'
  | 'UNSUPPORTED_TYPE'
  | 'NAME_CONTRADICTS_CONTENT'
  | 'FILE_TOO_LARGE'
  | 'FILE_EMPTY'
  | 'FILE_CHANGED_IN_TRANSIT'
  | 'INVALID_INPUT'
  | 'ALREADY_CLAIMED'
  | 'WEBHOOK_URL_NOT_ALLOWED'

const STATUS: Partial<Record<ServiceErrorCode, number>> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT_ALREADY_RULED: 409,
  CONFLICT_CHANGED: 409,
  ALREADY_IN_DISPUTE: 409,
  ALREADY_SUBMITTED: 409,
  EVIDENCE_WINDOW_CLOSED: 409,
  CASE_CLOSED: 409,
  STORAGE_UNAVAILABLE: 503,
  FILE_TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  UNSUPPORTED_TYPE: 415,
  NAME_CONTRADICTS_CONTENT: 415,
  FILE_CHANGED_IN_TRANSIT: 422,
  NOT_PENDING_MERCHANT: 409,
  NOT_AWAITING_RETURN: 409,
  NOT_AWAITING_RECEIPT: 409,
  DEADLINE_PASSED: 409,
  OPEN_REQUEST_EXISTS: 409,
  ORDER_REFUNDED: 409,
  IN_DISPUTE: 409,
  INSURANCE_WARNING: 409,
  ALREADY_CLAIMED: 409,
  HELD_BY_ANOTHER_AGENT: 409,
  ALREADY_REMINDED: 409,
  EVIDENCE_ALREADY_REQUESTED: 409,
  REQUEST_NOT_OPEN: 409,
  NOTHING_LEFT_TO_REFUND: 409,
  BOUND_BY_RULING: 409,
  NOT_IN_DISPUTE: 409,
  REFUND_ABOVE_BALANCE: 409,
  REFUND_NOT_FAILED: 409,
}

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    readonly details: Record<string, string | number> = {},
  ) {
    super(code)
  }
  get status() {
    return STATUS[this.code] ?? 400
  }
}

export const isServiceError = (error: unknown): error is ServiceError => error instanceof ServiceError
