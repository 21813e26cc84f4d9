// How the CLI fails: one error type carrying the line kubectl would print and the exit code.
// A metav1.Status from the server reads `Error from server (NotFound): pods "x" not found`;
// a client-side problem reads `error: <what>`.

export class CliError extends Error {
  readonly exitCode: number
  constructor(message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options)
    this.exitCode = options?.exitCode ?? 1
    this.name = 'CliError'
  }
}

/** the message of a client-side error, as kubectl words it: "error: <what>" */
export function usageError(what: string): CliError {
  return new CliError(`error: ${what}`)
}

export interface Status {
  kind?: string
  status?: string
  reason?: string
  message?: string
  code?: number
  details?: {
    name?: string
    kind?: string
    group?: string
    causes?: { field?: string; message?: string }[]
  }
}

/** the error a failed API call becomes; `reason` kept so callers can tell NotFound from others */
export class ApiError extends CliError {
  readonly reason: string | undefined
  readonly code: number
  constructor(status: Status, code: number) {
    const reason = status.reason ? ` (${status.reason})` : ''
    super(`Error from server${reason}: ${status.message ?? 'an unknown error'}`)
    this.reason = status.reason
    this.code = code
  }
}

const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
}

/** a non-2xx answer: its Status if the body is one, else kubectl's generic wording */
export function apiError(code: number, body: string, what: string): ApiError {
  try {
    const s = JSON.parse(body) as Status
    if (s && s.kind === 'Status') return new ApiError(s, code)
  } catch {
    // not JSON: fall through
  }
  const generic =
    code === 404
      ? `the server could not find the requested resource (${what})`
      : `an error on the server ("${body.trim().slice(0, 200)}") has prevented the request from succeeding (${what})`
  return new ApiError({ reason: reasons[code], message: generic }, code)
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404
}
