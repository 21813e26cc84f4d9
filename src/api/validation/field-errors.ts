// Field causes the way Kubernetes words them (field.ErrorList): the caller wraps the list in
// its Invalid error and renders "<field>: <message>".

export interface FieldCause {
  field: string
  message: string
}

/** How Kubernetes prints a value inside a message: strings quoted, the rest as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'null')
}

export function required(field: string, detail?: string): FieldCause {
  return { field, message: detail ? `Required value: ${detail}` : 'Required value' }
}

export function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { field, message: `Invalid value: ${showValue(value)}: ${detail}` }
}

export function notSupported(
  field: string,
  value: unknown,
  supported: readonly string[],
): FieldCause {
  const list = supported.map((s) => JSON.stringify(s)).join(', ')
  return { field, message: `Unsupported value: ${showValue(value)}: supported values: ${list}` }
}

export function duplicate(field: string, value: unknown): FieldCause {
  return { field, message: `Duplicate value: ${showValue(value)}` }
}

export function forbidden(field: string, detail: string): FieldCause {
  return { field, message: `Forbidden: ${detail}` }
}

export function notFound(field: string, value: unknown): FieldCause {
  return { field, message: `Not found: ${showValue(value)}` }
}

export function tooLong(field: string, max: number): FieldCause {
  return { field, message: `Too long: must have at most ${max} bytes` }
}

/** field.TooMany: a list longer than its limit */
export function tooMany(field: string, actual: number, max: number): FieldCause {
  return { field, message: `Too many: ${actual}: must have at most ${max} items` }
}

export const immutable = 'field is immutable'

/** An integer in [min, max]; Kubernetes' wording for each bound. */
export function checkRange(field: string, value: unknown, min: number, max?: number): FieldCause[] {
  if (value === undefined || value === null) return []
  if (typeof value !== 'number' || !Number.isInteger(value))
    return [invalid(field, value, 'must be an integer')]
  if (max !== undefined && (value < min || value > max))
    return [invalid(field, value, `must be between ${min} and ${max}, inclusive`)]
  if (value < min) return [invalid(field, value, `must be greater than or equal to ${min}`)]
  return []
}

const reasons: [prefix: string, reason: string][] = [
  ['Required value', 'FieldValueRequired'],
  ['Invalid value', 'FieldValueInvalid'],
  ['Unsupported value', 'FieldValueNotSupported'],
  ['Duplicate value', 'FieldValueDuplicate'],
  ['Forbidden', 'FieldValueForbidden'],
  ['Not found', 'FieldValueNotFound'],
  ['Too long', 'FieldValueTooLong'],
  ['Too many', 'FieldValueTooMany'],
]

/** The causes as metav1 Status details.causes: { reason: "FieldValueRequired", message, field }. */
export function statusCauses(
  causes: readonly FieldCause[],
): { reason: string; message: string; field: string }[] {
  return causes.map((c) => ({
    reason: reasons.find(([prefix]) => c.message.startsWith(prefix))?.[1] ?? 'FieldValueInvalid',
    message: c.message,
    field: c.field,
  }))
}

/**
 * The message of a 422 Invalid Status, worded as Kubernetes does:
 * `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`,
 * several causes in brackets separated by ", ".
 */
export function invalidMessage(
  target: { kind: string; group?: string; name: string },
  causes: readonly FieldCause[],
): string {
  const kind = target.group ? `${target.kind}.${target.group}` : target.kind
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
  return `${kind} "${target.name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`
}
