// JSON patch (RFC 6902) with JSON pointers (RFC 6901): add, remove, replace, move, copy, test.
// The patch applies as a whole or not at all; the error names the operation that failed.
// Pointer tokens address own properties only: "/__proto__/x" adds a field named "__proto__".
import { clone, deepEqual, isObject, own, put, type PatchResult } from '../json/index.ts'

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'
  path: string
  value?: unknown
  from?: string
}

/** "/a/b~1c/0" → ["a", "b/c", "0"]; undefined when it is not a pointer. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) return undefined
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

type Container = Record<string, unknown> | unknown[]

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number | undefined {
  if (forAdd && token === '-') return arr.length
  if (!/^(0|[1-9]\d*)$/.test(token)) return undefined
  const i = Number(token)
  return i < arr.length || (forAdd && i === arr.length) ? i : undefined
}

function parentOf(doc: unknown, tokens: string[]): Container | undefined {
  let cur: unknown = doc
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false) ?? -1]
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t]
    else return undefined
  }
  return Array.isArray(cur) || isObject(cur) ? cur : undefined
}

function get(doc: unknown, tokens: string[]): { found: boolean; value?: unknown } {
  if (tokens.length === 0) return { found: true, value: doc }
  const parent = parentOf(doc, tokens)
  const last = tokens[tokens.length - 1]
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, false)
    return i === undefined ? { found: false } : { found: true, value: parent[i] }
  }
  return parent && Object.hasOwn(parent, last)
    ? { found: true, value: parent[last] }
    : { found: false }
}

type Doc = { root: unknown }

function add(doc: Doc, tokens: string[], value: unknown): boolean {
  if (tokens.length === 0) return ((doc.root = value), true)
  const parent = parentOf(doc.root, tokens)
  const last = tokens[tokens.length - 1]
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, true)
    return i !== undefined && (parent.splice(i, 0, value), true)
  }
  return parent !== undefined && (put(parent, last, value), true)
}

function remove(doc: Doc, tokens: string[]): boolean {
  if (tokens.length === 0 || !get(doc.root, tokens).found) return false
  const parent = parentOf(doc.root, tokens) as Container
  const last = tokens[tokens.length - 1]
  if (Array.isArray(parent)) parent.splice(Number(last), 1)
  else delete parent[last]
  return true
}

function applyOne(doc: Doc, op: JsonPatchOperation): string | undefined {
  const path = parsePointer(op.path ?? '')
  if (!path) return `invalid JSON pointer ${JSON.stringify(op.path)}`
  const from = op.from === undefined ? undefined : parsePointer(op.from)
  const missing = (p: string) =>
    `${op.op} operation does not apply: doc is missing path: ${JSON.stringify(p)}`
  switch (op.op) {
    case 'add':
      return add(doc, path, clone(op.value)) ? undefined : missing(op.path)
    case 'remove':
      return remove(doc, path) ? undefined : missing(op.path)
    case 'replace':
      if (!get(doc.root, path).found) return missing(op.path)
      if (path.length === 0) return ((doc.root = clone(op.value)), undefined)
      return remove(doc, path) && add(doc, path, clone(op.value)) ? undefined : missing(op.path)
    case 'move':
    case 'copy': {
      if (!from) return `invalid JSON pointer ${JSON.stringify(op.from)} in "from"`
      if (op.op === 'move' && op.path.startsWith(`${op.from}/`))
        return `move operation cannot move ${JSON.stringify(op.from)} into its own child`
      const source = get(doc.root, from)
      if (!source.found) return missing(op.from ?? '')
      if (op.op === 'move') remove(doc, from)
      return add(doc, path, clone(source.value)) ? undefined : missing(op.path)
    }
    case 'test': {
      const target = get(doc.root, path)
      if (!target.found) return missing(op.path)
      return deepEqual(target.value, op.value)
        ? undefined
        : `testing value ${JSON.stringify(op.path)} failed: test failed`
    }
    default:
      return `unexpected operation ${JSON.stringify((op as { op: unknown }).op)}`
  }
}

/** Applies a JSON patch to a copy of the document. */
export function applyJsonPatch<T = unknown>(target: unknown, patch: unknown): PatchResult<T> {
  if (!Array.isArray(patch))
    return { ok: false, error: 'a JSON patch must be an array of operations' }
  const doc: Doc = { root: clone(target) }
  for (const [i, op] of patch.entries()) {
    if (!isObject(op) || typeof own(op, 'op') !== 'string' || typeof own(op, 'path') !== 'string')
      return { ok: false, error: `operation ${i}: needs "op" and "path"` }
    const operation = {
      op: op.op,
      path: op.path,
      value: own(op, 'value'),
      from: own(op, 'from'),
    } as JsonPatchOperation
    const error = applyOne(doc, operation)
    if (error) return { ok: false, error: `operation ${i}: ${error}` }
  }
  return { ok: true, value: doc.root as T }
}
