// fieldValidation (Strict / Warn / Ignore): the problems a write body has — unknown fields,
// duplicate fields — worded and ordered the way kube-apiserver words them, so kubectl prints
// the same errors and warnings. Pure: the server decides what to do with them.
import type { ParseResult } from '../selectors/index.ts'
import { notSupported } from '../validation/index.ts'
import type { JsonKeys } from '../json/index.ts'
import { unknownFields } from './unknown-fields.ts'

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

const directives: FieldValidation[] = ['Ignore', 'Strict', 'Warn']

/**
 * The ?fieldValidation= parameter; absent or empty means Warn, as in Kubernetes. The error is
 * the message of the field cause "fieldValidation".
 */
export function parseFieldValidation(
  value: string | null | undefined,
): ParseResult<FieldValidation> {
  if (value === null || value === undefined || value === '') return { ok: true, value: 'Warn' }
  if ((directives as string[]).includes(value)) return { ok: true, value: value as FieldValidation }
  return { ok: false, error: notSupported('fieldValidation', value, ['', ...directives]).message }
}

/** a repeated key in a YAML body, as the YAML decoder reports it */
export interface YamlDuplicate {
  line: number
  key: string
}

/** how the body was written, for duplicate keys and the order problems are listed in */
export type BodySource = { json: JsonKeys } | { yaml: YamlDuplicate[] } | { other: true }

/** the problems of one body: each is a warning in Warn mode; `strict` is the Strict-mode error text */
export interface FieldProblems {
  warnings: string[]
  strict: string
}

const unknownText = (path: string) => `unknown field ${JSON.stringify(path)}`
const duplicateText = (path: string) => `duplicate field ${JSON.stringify(path)}`
export const yamlDuplicateText = (d: YamlDuplicate) =>
  `line ${d.line}: key ${JSON.stringify(d.key)} already set in map`

const none: FieldProblems = { warnings: [], strict: '' }
const under = (path: string, parents: string[]) =>
  parents.some((p) => path === p || path.startsWith(p + '.') || path.startsWith(p + '['))

/**
 * The problems of an object body (create, update): in JSON, duplicate and unknown fields in
 * document order (a field both unknown and repeated counts as unknown only); in YAML, the
 * decoder's duplicate-key lines first, then the unknown fields sorted.
 */
export function objectProblems(
  kind: string,
  body: { value: unknown; source: BodySource },
): FieldProblems {
  const { source } = body
  const unknown = unknownFields(kind, body.value)
  if ('yaml' in source) return yamlProblems(source.yaml, [...unknown].sort())
  if (!('json' in source)) return listed(unknown.map(unknownText))
  const keys = source.json // firstSeen only when needed: reading it scans the whole text
  const duplicates = keys.duplicates
  if (!unknown.length && !duplicates.length) return none
  const items = [
    ...unknown.map((p) => ({ at: keys.firstSeen.get(p) ?? Infinity, text: unknownText(p) })),
    ...duplicates
      .filter((d) => !under(d.path, unknown))
      .map((d) => ({ at: d.at, text: duplicateText(d.path) })),
  ].sort((a, b) => a.at - b.at)
  return listed(items.map((i) => i.text))
}

function yamlProblems(duplicates: YamlDuplicate[], unknownSorted: string[]): FieldProblems {
  if (!duplicates.length) return listed(unknownSorted.map(unknownText))
  const yaml = `yaml: unmarshal errors:\n  ${duplicates.map(yamlDuplicateText).join('\n  ')}`
  return {
    warnings: [...duplicates.map(yamlDuplicateText), ...unknownSorted.map(unknownText)],
    strict: `strict decoding error: ${[yaml, ...unknownSorted.map(unknownText)].join(', ')}`,
  }
}

function listed(texts: string[]): FieldProblems {
  return texts.length
    ? { warnings: texts, strict: `strict decoding error: ${texts.join(', ')}` }
    : none
}

const jsonPatchOpFields = new Set(['op', 'path', 'value', 'from'])

/**
 * The problems of a patch: the duplicate keys of the patch body (for a JSON patch, only those
 * of its operations, and its operations' unknown keys), then the unknown fields of the patched
 * object, sorted.
 */
export function patchProblems(
  kind: string,
  p: { patch: unknown; patched: unknown; keys?: JsonKeys },
): FieldProblems {
  const { patch, patched, keys } = p
  const texts: string[] = Array.isArray(patch)
    ? jsonPatchOpProblems(patch, keys)
    : (keys?.duplicates ?? []).map((d) => duplicateText(d.path))
  texts.push(...unknownFields(kind, patched).sort().map(unknownText))
  return listed(texts)
}

function jsonPatchOpProblems(ops: unknown[], keys: JsonKeys | undefined): string[] {
  const items: { at: number; text: string }[] = []
  ops.forEach((op, i) => {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) return
    for (const k of Object.keys(op)) {
      if (!jsonPatchOpFields.has(k))
        items.push({
          at: keys?.firstSeen.get(`[${i}].${k}`) ?? Infinity,
          text: `json patch unknown field ${JSON.stringify(`[${i}].${k}`)}`,
        })
    }
  })
  for (const d of keys?.duplicates ?? []) {
    if (/^\[\d+\]\.[^.[]+$/.test(d.path))
      items.push({ at: d.at, text: `json patch duplicate field ${JSON.stringify(d.path)}` })
  }
  return items.sort((a, b) => a.at - b.at).map((i) => i.text)
}

/** server-side apply: the body's duplicate keys (its unknown fields are an error in every mode, see appliedUnknownError) */
export function applyProblems(duplicates: YamlDuplicate[]): FieldProblems {
  if (!duplicates.length) return none
  const lines = duplicates.map(yamlDuplicateText)
  return {
    warnings: lines,
    strict: `error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${lines.join('\n  ')}`,
  }
}

/**
 * Server-side apply of a body with fields its kind does not have: Kubernetes cannot build the
 * typed object and fails whatever fieldValidation says. undefined when there are none.
 */
export function appliedUnknownError(
  obj: unknown,
  at: { kind: string; apiVersion: string; namespace?: string; name: string; schema?: string },
): string | undefined {
  const { kind, apiVersion } = at
  const unknown = unknownFields(at.schema ?? kind, obj)
  if (!unknown.length) return undefined
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`
  const errs = unknown.map((p) => `.${p}: field not declared in schema`)
  const detail = errs.length === 1 ? errs[0] : `errors:\n  ${errs.join('\n  ')}`
  return `failed to create typed patch object (${at.namespace ?? ''}/${at.name}; ${gv}, Kind=${kind}): ${detail}`
}

/** a Warning header value (RFC 7234 warn-code 299), ASCII-only as Go's strconv.Quote makes it */
export function warningHeader(text: string): string {
  const quoted = JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return `299 - ${quoted}`
}
