// One error hierarchy for every component. Messages read "<component>: <what>"
// (store: revision 42 has been compacted); the API server maps codes to metav1.Status
// in one place. Expected outcomes are values, not errors: these are for failures.

export type ErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Compacted'
  | 'Unavailable'
  /** the answer did not come in the time allowed; the client may retry (HTTP 504) */
  | 'Timeout'
  | 'Corrupt'
  | 'Unauthorized'
  | 'Forbidden'
  | 'TooLarge'
  | 'Unsupported'
  | 'Internal'

import type { FieldCause } from '../api/index.ts'
export type { FieldCause }

export class ShoalError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = `ShoalError(${code})`
  }
}

export class NotFoundError extends ShoalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options)
  }
}

export class ConflictError extends ShoalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Conflict', message, options)
  }
}

/** A request (HTTP body, path, query, command line) that cannot be taken as it is (HTTP 400). */
export class BadRequestError extends ShoalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BadRequest', message, options)
  }
}

export class InvalidError extends ShoalError {
  readonly causes: FieldCause[]
  constructor(message: string, causes: FieldCause[] = [], options?: { cause?: unknown }) {
    super('Invalid', message, options)
    this.causes = causes
  }
}

/** A read or watch asked for history that compaction has dropped (HTTP 410 Gone). */
export class CompactedError extends ShoalError {
  readonly compactRevision: number
  constructor(component: string, revision: number, compactRevision: number) {
    super(
      'Compacted',
      `${component}: required revision ${revision} has been compacted (compact revision ${compactRevision})`,
    )
    this.compactRevision = compactRevision
  }
}

/** Damaged persistent data: names the file and the byte offset. */
export class CorruptError extends ShoalError {
  readonly file: string
  readonly offset: number
  constructor(
    message: string,
    where: { file: string; offset: number },
    options?: { cause?: unknown },
  ) {
    super('Corrupt', message, options)
    this.file = where.file
    this.offset = where.offset
  }
}

export class UnavailableError extends ShoalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unavailable', message, options)
  }
}

export function isShoalError(err: unknown, code?: ErrorCode): err is ShoalError {
  return err instanceof ShoalError && (code === undefined || err.code === code)
}
