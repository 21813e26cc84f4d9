// Validation of ObjectMeta, labels, annotations and label selectors, with Kubernetes' field
// paths and wording.
import type { LabelSelector, ObjectMeta } from '../types/index.ts'
import { dns1123Label, labelValue, qualifiedKey } from '../formats/index.ts'
import {
  forbidden,
  invalid,
  notSupported,
  required,
  tooLong,
  type FieldCause,
} from './field-errors.ts'

export type NameRule = (name: string) => string[]

export interface MetaOptions {
  namespaced: boolean
  nameRule: NameRule
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  options: MetaOptions,
): FieldCause[] {
  if (!isRecord(meta)) return [required('metadata')]
  const out: FieldCause[] = [
    ...validateName(meta, options.nameRule),
    ...validateNamespace(meta, options.namespaced),
  ]
  out.push(...validateLabels(meta.labels, 'metadata.labels'))
  out.push(...validateAnnotations(meta.annotations, 'metadata.annotations'))
  out.push(...validateOwnerReferences(meta.ownerReferences))
  for (const [i, f] of (Array.isArray(meta.finalizers) ? meta.finalizers : []).entries())
    for (const m of qualifiedKey(String(f))) out.push(invalid(`metadata.finalizers[${i}]`, f, m))
  return out
}

function validateName(meta: ObjectMeta, rule: NameRule): FieldCause[] {
  if (meta.name) {
    if (typeof meta.name !== 'string')
      return [invalid('metadata.name', meta.name, 'must be a string')]
    return rule(meta.name).map((m) => invalid('metadata.name', meta.name, m))
  }
  if (!meta.generateName) return [required('metadata.name', 'name or generateName is required')]
  // generateName is a prefix: a trailing "-" is fine, a random suffix follows.
  return rule(String(meta.generateName).replace(/-$/, 'a')).map((m) =>
    invalid('metadata.generateName', meta.generateName, m),
  )
}

function validateNamespace(meta: ObjectMeta, namespaced: boolean): FieldCause[] {
  if (!namespaced)
    return meta.namespace ? [forbidden('metadata.namespace', 'not allowed on this type')] : []
  if (!meta.namespace) return [required('metadata.namespace')]
  return dns1123Label(String(meta.namespace)).map((m) =>
    invalid('metadata.namespace', meta.namespace, m),
  )
}

/** Label keys and values; both kinds of problem are reported at the map's path. */
export function validateLabels(labels: unknown, path: string): FieldCause[] {
  if (labels === undefined || labels === null) return []
  if (!isRecord(labels)) return [invalid(path, labels, 'must be a map of strings')]
  const out: FieldCause[] = []
  for (const [k, v] of Object.entries(labels)) {
    for (const m of qualifiedKey(k)) out.push(invalid(path, k, m))
    if (typeof v !== 'string') out.push(invalid(path, v, 'label values must be strings'))
    else for (const m of labelValue(v)) out.push(invalid(path, v, m))
  }
  return out
}

const maxAnnotationBytes = 256 * 1024

export function validateAnnotations(annotations: unknown, path: string): FieldCause[] {
  if (annotations === undefined || annotations === null) return []
  if (!isRecord(annotations)) return [invalid(path, annotations, 'must be a map of strings')]
  const out: FieldCause[] = []
  let size = 0
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of qualifiedKey(k.toLowerCase())) out.push(invalid(path, k, m))
    size += k.length + String(v).length
  }
  if (size > maxAnnotationBytes) out.push(tooLong(path, maxAnnotationBytes))
  return out
}

function validateOwnerReferences(refs: unknown): FieldCause[] {
  if (!Array.isArray(refs)) return []
  const out: FieldCause[] = []
  for (const [i, ref] of refs.entries()) {
    const path = `metadata.ownerReferences[${i}]`
    for (const f of ['apiVersion', 'kind', 'name', 'uid'])
      if (!isRecord(ref) || !ref[f]) out.push(required(`${path}.${f}`))
  }
  if (refs.filter((r) => isRecord(r) && r.controller === true).length > 1)
    out.push(
      invalid(
        'metadata.ownerReferences',
        refs,
        'Only one reference can have Controller set to true',
      ),
    )
  return out
}

const operators = ['In', 'NotIn', 'Exists', 'DoesNotExist']

export function validateLabelSelector(
  selector: LabelSelector | undefined,
  path: string,
): FieldCause[] {
  if (!isRecord(selector)) return []
  const out = validateLabels(selector.matchLabels, `${path}.matchLabels`)
  for (const [i, e] of (Array.isArray(selector.matchExpressions)
    ? selector.matchExpressions
    : []
  ).entries()) {
    const p = `${path}.matchExpressions[${i}]`
    if (!isRecord(e)) {
      out.push(invalid(p, e, 'must be an object'))
      continue
    }
    const hasValues = Array.isArray(e.values) && e.values.length > 0
    if (!operators.includes(String(e.operator)))
      out.push(notSupported(`${p}.operator`, e.operator, operators))
    else if ((e.operator === 'In' || e.operator === 'NotIn') && !hasValues)
      out.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"))
    else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && hasValues)
      out.push(
        forbidden(
          `${p}.values`,
          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
      )
    for (const m of qualifiedKey(String(e.key ?? ''))) out.push(invalid(`${p}.key`, e.key, m))
    for (const v of hasValues ? (e.values as string[]) : [])
      for (const m of labelValue(String(v))) out.push(invalid(`${p}.values`, v, m))
  }
  return out
}
