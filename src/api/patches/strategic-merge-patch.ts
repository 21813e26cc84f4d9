// Strategic merge patch, as kubectl sends it for client-side apply and edit: a JSON merge patch
// whose lists merge on their merge key (patch-strategy.ts), with the directives $patch
// (merge | replace | delete), $retainKeys, $deleteFromPrimitiveList/<f> and $setElementOrder/<f>.
// Keys are read and written as own properties only (json/json-value.ts: own, put): a patch key such
// as "__proto__" is a field name like any other, never a path into a prototype.
import {
  clone,
  copyOwn,
  deepEqual,
  isObject,
  own,
  put,
  type JsonObject,
  type PatchResult,
} from '../json/index.ts'
import { patchStrategyFor, type FieldStrategy } from './patch-strategy.ts'

type Fields = Record<string, FieldStrategy> | undefined
type Merged = PatchResult<unknown>

const DELETE = Symbol('delete')
const ok = (value: unknown): Merged => ({ ok: true, value })
const fail = (error: string): Merged => ({ ok: false, error })

/** Applies a strategic merge patch to a copy of an object of the given kind. */
export function applyStrategicMergePatch<T = unknown>(
  original: unknown,
  patch: unknown,
  kind: string,
): PatchResult<T> {
  if (!isObject(patch)) return { ok: false, error: 'a strategic merge patch must be a JSON object' }
  const r = mergeMap(
    isObject(original) ? clone(original) : {},
    patch,
    patchStrategyFor(kind).fields,
  )
  if (!r.ok) return r
  return { ok: true, value: (r.value === DELETE ? {} : r.value) as T }
}

function mergeMap(original: JsonObject, patch: JsonObject, fields: Fields): Merged {
  const directive = own(patch, '$patch')
  if (directive === 'delete') return ok(DELETE)
  if (directive === 'replace') return mergeMap({}, { ...copyOwn(patch), $patch: undefined }, fields)
  if (directive !== undefined && directive !== 'merge')
    return fail(`unknown patch type: ${JSON.stringify(directive)}`)
  const retained = retainKeys(original, own(patch, '$retainKeys'))
  if (!retained.ok) return retained
  const out = retained.value as JsonObject
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$') || value === undefined) continue
    if (value === null) {
      delete out[key]
      continue
    }
    const r = mergeValue(own(out, key), value, fieldOf(fields, key))
    if (!r.ok) return r
    if (r.value === DELETE) delete out[key]
    else put(out, key, r.value)
  }
  return applyListDirectives(out, patch, fields)
}

function retainKeys(original: JsonObject, keys: unknown): Merged {
  if (keys === undefined) return ok(original)
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
    return fail('$retainKeys must be a list of field names')
  const out: JsonObject = {}
  for (const k of Object.keys(original)) if (keys.includes(k)) put(out, k, original[k])
  return ok(out)
}

const fieldOf = (fields: Fields, key: string) =>
  fields && Object.hasOwn(fields, key) ? fields[key] : undefined

function mergeValue(
  original: unknown,
  patch: unknown,
  strategy: FieldStrategy | undefined,
): Merged {
  if (isObject(patch)) return mergeMap(isObject(original) ? original : {}, patch, strategy?.fields)
  if (!Array.isArray(patch)) return ok(clone(patch))
  const base = Array.isArray(original) ? original : []
  if (strategy?.mergeKey) return mergeList(base, patch, strategy)
  if (strategy?.primitiveMerge)
    return ok([...base, ...patch.filter((v) => !base.some((b) => deepEqual(b, v)))])
  return ok(clone(patch))
}

function mergeList(original: unknown[], patch: unknown[], strategy: FieldStrategy): Merged {
  const key = strategy.mergeKey as string
  if (
    patch.some(
      (el) => isObject(el) && own(el, '$patch') === 'replace' && Object.keys(el).length === 1,
    )
  ) {
    const rest = patch.filter((el) => !(isObject(el) && own(el, '$patch') === 'replace'))
    return mergeList([], rest, strategy)
  }
  const out = [...original]
  for (const el of patch) {
    if (!isObject(el))
      return fail(`list elements merged on "${key}" must be objects, found ${JSON.stringify(el)}`)
    if (!Object.hasOwn(el, key))
      return fail(`map: ${JSON.stringify(el)} does not contain declared merge key: ${key}`)
    const at = out.findIndex(
      (o) => isObject(o) && Object.hasOwn(o, key) && deepEqual(o[key], el[key]),
    )
    if (own(el, '$patch') === 'delete') {
      if (at >= 0) out.splice(at, 1)
      continue
    }
    const r = mergeMap(at >= 0 ? (out[at] as JsonObject) : {}, el, strategy.fields)
    if (!r.ok) return r
    if (r.value === DELETE) {
      if (at >= 0) out.splice(at, 1)
    } else if (at >= 0) out[at] = r.value
    else out.push(r.value)
  }
  return ok(out)
}

function applyListDirectives(out: JsonObject, patch: JsonObject, fields: Fields): Merged {
  for (const [directive, value] of Object.entries(patch)) {
    const m = /^\$(deleteFromPrimitiveList|setElementOrder)\/(.+)$/.exec(directive)
    if (!m) continue
    if (!Array.isArray(value)) return fail(`${directive} must be a list`)
    const list = own(out, m[2])
    if (!Array.isArray(list)) continue
    put(
      out,
      m[2],
      m[1] === 'deleteFromPrimitiveList'
        ? list.filter((v) => !value.some((d) => deepEqual(d, v)))
        : reorder(list, value, fieldOf(fields, m[2])?.mergeKey),
    )
  }
  return ok(out)
}

/** Orders a list as $setElementOrder says; elements it does not name keep their order, at the end. */
function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (v: unknown) => (key && isObject(v) ? own(v, key) : v)
  const rank = (v: unknown) => {
    const i = order.findIndex((o) => deepEqual(id(o), id(v)))
    return i < 0 ? order.length : i
  }
  return list
    .map((v, i) => ({ v, i, r: rank(v) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v)
}
