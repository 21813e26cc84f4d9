// Field selectors (`metadata.name=x,status.phase!=Running,spec.nodeName=`): parsing with
// Kubernetes' escapes (\, \= \! \\), the fields each kind supports, and matching.
import { lookupTable } from '../json/index.ts'
import type { ParseResult } from './label-selector.ts'

export interface FieldRequirement {
  field: string
  operator: '=' | '!='
  value: string
}

const common = ['metadata.name', 'metadata.namespace']

const byKind = lookupTable<string[]>({
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Job: ['status.successful'],
})

/** The fields a kind can be selected by (always metadata.name and metadata.namespace). */
export function selectableFields(kind: string): string[] {
  return [...common, ...(byKind[kind] ?? [])]
}

/** Splits on unescaped commas; the terms stay escaped. */
function splitTerms(text: string): string[] {
  const terms: string[] = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === ',') {
      terms.push(text.slice(start, i))
      start = i + 1
    }
  }
  terms.push(text.slice(start))
  return terms
}

function unescape(text: string): string | undefined {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      out += text[i]
      continue
    }
    const next = text[++i]
    if (next === undefined || !'\\,=!'.includes(next)) return undefined
    out += next
  }
  return out
}

/** The first unescaped operator of a term, checked in Kubernetes' order: !=, ==, =. */
function findOperator(term: string): { at: number; op: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++
      continue
    }
    const op = ['!=', '==', '='].find((o) => term.startsWith(o, i))
    if (op) return { at: i, op }
  }
  return undefined
}

function parseTerm(term: string): ParseResult<FieldRequirement> {
  const bad = {
    ok: false as const,
    error: `invalid selector: '${term}'; can't understand '${term}'`,
  }
  const found = findOperator(term)
  if (!found) return bad
  const field = unescape(term.slice(0, found.at).trim())
  const value = unescape(term.slice(found.at + found.op.length))
  if (field === undefined || value === undefined || field === '') return bad
  return { ok: true, value: { field, operator: found.op === '!=' ? '!=' : '=', value } }
}

/**
 * Parses a field selector; the empty string selects everything. With a kind, fields that kind
 * cannot be selected by are an error, as the API server reports them.
 */
export function parseFieldSelector(text: string, kind?: string): ParseResult<FieldRequirement[]> {
  if (text.trim() === '') return { ok: true, value: [] }
  const out: FieldRequirement[] = []
  for (const term of splitTerms(text)) {
    const r = parseTerm(term)
    if (!r.ok) return r
    if (kind !== undefined && !selectableFields(kind).includes(r.value.field))
      return { ok: false, error: `field label not supported: ${r.value.field}` }
    out.push(r.value)
  }
  return { ok: true, value: out }
}

/** The value of a selectable field as a string ("" when absent, "true"/"false" for booleans). */
export function fieldValue(obj: unknown, field: string): string {
  const path = field === 'source' ? ['source', 'component'] : field.split('.')
  let v: unknown = obj
  for (const p of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined
  if (field === 'spec.unschedulable' && v === undefined) return 'false'
  return v === undefined || v === null ? '' : String(v)
}

export function matchesFields(requirements: readonly FieldRequirement[], obj: unknown): boolean {
  return requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === '='))
}
