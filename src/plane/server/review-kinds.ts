// The self-review kinds (authorization.k8s.io/v1 SelfSubjectAccessReview and
// SelfSubjectRulesReview, authentication.k8s.io/v1 SelfSubjectReview): their discovery entries and
// the reading of a request body. Create-only, never stored. A body that is not the kind's JSON
// shape is 400 naming the field, as kube-apiserver's decoder does; a well-formed access review
// with neither or both of resourceAttributes and nonResourceAttributes is 422 Invalid.
import { invalidMessage, isObject, type ResourceInfo } from '../../api/index.ts'
import { InvalidError, ShoalError } from '../../core/index.ts'
import type { ResourceRequest } from './access.ts'
import type { NonResourceAttributes } from './security/index.ts'

export interface ReviewKind {
  group: string
  version: string
  kind: string
  resource: string
}

export const ACCESS_REVIEW: ReviewKind = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  resource: 'selfsubjectaccessreviews',
}
export const RULES_REVIEW: ReviewKind = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectRulesReview',
  resource: 'selfsubjectrulesreviews',
}
export const SELF_REVIEW: ReviewKind = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  resource: 'selfsubjectreviews',
}
export const REVIEW_KINDS: readonly ReviewKind[] = [ACCESS_REVIEW, RULES_REVIEW, SELF_REVIEW]

/** how discovery lists a review: cluster-scoped, create only */
export function reviewResources(): ResourceInfo[] {
  return REVIEW_KINDS.map((k) => ({
    ...k,
    singular: k.kind.toLowerCase(),
    listKind: `${k.kind}List`,
    namespaced: false,
    shortNames: [],
    categories: [],
    verbs: ['create'],
    subresources: [],
    storageVersion: k.version,
  }))
}

export type Json = Record<string, unknown>

/** what an access review asks about: exactly one of the two */
export type AccessQuestion =
  { resource: ResourceRequest; fieldSelector?: string } | { nonResource: NonResourceAttributes }

const apiVersion = (k: ReviewKind) => `${k.group}/${k.version}`
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

function badBody(k: ReviewKind, detail: string): ShoalError {
  return new ShoalError(
    'BadRequest',
    `${k.kind} in version "${k.version}" cannot be handled as a ${k.kind}: ${detail}`,
  )
}

/** the body as an object of kind k (apiVersion and kind may be left out) */
export function reviewObject(k: ReviewKind, body: unknown): Json {
  if (!isObject(body)) throw badBody(k, `the body must be a JSON object, not ${typeName(body)}`)
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion(k)) {
    throw badBody(
      k,
      `apiVersion ${JSON.stringify(body.apiVersion)} does not match the expected API version "${apiVersion(k)}"`,
    )
  }
  if (body.kind !== undefined && body.kind !== k.kind)
    throw badBody(
      k,
      `kind ${JSON.stringify(body.kind)} does not match the expected kind "${k.kind}"`,
    )
  for (const field of ['metadata', 'spec']) {
    if (body[field] !== undefined && body[field] !== null && !isObject(body[field]))
      throw badBody(k, `${field}: expected an object, got ${typeName(body[field])}`)
  }
  return body
}

/** the string fields of an object at `path`: each a string or absent */
function strings<F extends string>(
  k: ReviewKind,
  obj: Json,
  path: string,
  fields: readonly F[],
): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {}
  for (const f of fields) {
    const v = obj[f]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string')
      throw badBody(k, `${path}.${f}: expected a string, got ${typeName(v)}`)
    if (v !== '') out[f] = v
  }
  return out
}

function child(k: ReviewKind, obj: Json, path: string, field: string): Json | undefined {
  const v = obj[field]
  if (v === undefined || v === null) return undefined
  if (!isObject(v)) throw badBody(k, `${path}.${field}: expected an object, got ${typeName(v)}`)
  return v
}

const RESOURCE_FIELDS = [
  'namespace',
  'verb',
  'group',
  'version',
  'resource',
  'subresource',
  'name',
] as const

/** spec.resourceAttributes or spec.nonResourceAttributes of a SelfSubjectAccessReview */
export function accessQuestion(review: Json): AccessQuestion {
  const k = ACCESS_REVIEW
  const spec = (review.spec ?? {}) as Json
  const ra = child(k, spec, 'spec', 'resourceAttributes')
  const nra = child(k, spec, 'spec', 'nonResourceAttributes')
  if (!ra === !nra) {
    const cause = ra
      ? {
          field: 'spec.nonResourceAttributes',
          message:
            'Invalid value: "object": cannot be specified in combination with resourceAttributes',
        }
      : {
          field: 'spec.resourceAttributes',
          message:
            'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        }
    throw new InvalidError(invalidMessage({ kind: k.kind, group: k.group, name: '' }, [cause]), [
      cause,
    ])
  }
  if (nra) {
    const n = strings(k, nra, 'spec.nonResourceAttributes', ['path', 'verb'])
    return { nonResource: { path: n.path ?? '', verb: n.verb ?? '' } }
  }
  const r = strings(k, ra!, 'spec.resourceAttributes', RESOURCE_FIELDS)
  const fs = child(k, ra!, 'spec.resourceAttributes', 'fieldSelector')
  const rawSelector =
    fs && strings(k, fs, 'spec.resourceAttributes.fieldSelector', ['rawSelector']).rawSelector
  const resource: ResourceRequest = {
    verb: r.verb ?? '',
    group: r.group ?? '',
    resource: r.resource ?? '',
    subresource: r.subresource,
    namespace: r.namespace,
    name: r.name,
  }
  return rawSelector ? { resource, fieldSelector: rawSelector } : { resource }
}

/** spec.namespace of a SelfSubjectRulesReview: required, as in Kubernetes */
export function rulesNamespace(review: Json): string {
  const spec = (review.spec ?? {}) as Json
  const { namespace } = strings(RULES_REVIEW, spec, 'spec', ['namespace'])
  if (!namespace) throw new ShoalError('BadRequest', 'no namespace on request')
  return namespace
}
