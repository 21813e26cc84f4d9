// The one place errors become metav1.Status responses. Every handler throws ShoalError (or
// lets one through); this maps code → HTTP status and reason the way kube-apiserver does.
import { InvalidError, ShoalError, type ErrorCode } from '../../core/index.ts'

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Success' | 'Failure'
  message: string
  reason?: string
  details?: {
    name?: string
    group?: string
    kind?: string
    causes?: { field?: string; message: string; reason: string }[]
    retryAfterSeconds?: number
  }
  code: number
}

const table: Record<ErrorCode, [number, string]> = {
  NotFound: [404, 'NotFound'],
  AlreadyExists: [409, 'AlreadyExists'],
  Conflict: [409, 'Conflict'],
  Invalid: [422, 'Invalid'],
  BadRequest: [400, 'BadRequest'],
  Compacted: [410, 'Expired'],
  Unavailable: [503, 'ServiceUnavailable'],
  Timeout: [504, 'Timeout'],
  Corrupt: [500, 'InternalError'],
  Unauthorized: [401, 'Unauthorized'],
  Forbidden: [403, 'Forbidden'],
  TooLarge: [413, 'RequestEntityTooLarge'],
  Unsupported: [415, 'UnsupportedMediaType'],
  Internal: [500, 'InternalError'],
}

/** An API error that knows the object it is about (for Status.details). */
export class ApiError extends ShoalError {
  readonly details: Status['details']
  constructor(
    code: ErrorCode,
    message: string,
    details?: Status['details'],
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
    this.details = details
  }
}

export function toStatus(err: unknown): Status {
  if (!(err instanceof ShoalError)) {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `internal error: ${(err as Error)?.message ?? String(err)}`,
      reason: 'InternalError',
      code: 500,
    }
  }
  const [code, reason] = table[err.code] ?? [500, 'InternalError']
  const s: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason,
    code,
  }
  const details = err instanceof ApiError ? { ...err.details } : undefined
  if (err instanceof InvalidError && err.causes.length) {
    s.details = {
      ...details,
      causes: err.causes.map((c) => ({
        field: c.field,
        message: c.message,
        reason: 'FieldValueInvalid',
      })),
    }
  } else if (details) s.details = details
  return s
}

export function successStatus(details?: Status['details']): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    message: '',
    details,
    code: 200,
  }
}
