// Plain JSON values: the deep copy, equality and type tests the patch functions share, and
// the own-property access every merge of user JSON goes through: a key the user wrote
// ("__proto__", "constructor", "toString") is only ever an own property, never a way into a
// prototype, and lookup tables keyed by user strings have no prototype at all.

export type JsonObject = { [key: string]: unknown }

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * A deep copy of a JSON value, as JSON.parse(JSON.stringify(v)) would make it (undefined members
 * dropped, undefined in arrays as null, toJSON honoured, a "__proto__" key kept as a plain key) at a fifth of
 * its cost: every write copies its object at least once.
 */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function')
    return clone((v as unknown as { toJSON(): T }).toJSON()) // a Date from a CBOR body
  if (Array.isArray(v)) {
    const a = new Array(v.length)
    for (let i = 0; i < v.length; i++) a[i] = v[i] === undefined ? null : clone(v[i])
    return a as T
  }
  const o: JsonObject = {}
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue
    const x = (v as JsonObject)[k]
    if (x === undefined) continue
    if (k === '__proto__')
      Object.defineProperty(o, k, {
        value: clone(x),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else o[k] = clone(x)
  }
  return o as T
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (!isObject(a) || !isObject(b)) return false
  const ka = Object.keys(a)
  return (
    ka.length === Object.keys(b).length &&
    ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  )
}

export type PatchResult<T = unknown> = { ok: true; value: T } | { ok: false; error: string }

/** `o[key]` when `o` has it as its own property; undefined for inherited ones ("__proto__", "constructor") */
export function own(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined
}

/** `o[key] = value` as an own property, also for "__proto__" (which plain assignment would turn into a prototype) */
export function put(o: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
  else o[key] = value
}

/** A shallow copy of an object's own enumerable properties, "__proto__" kept as a plain key. */
export function copyOwn(o: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const k of Object.keys(o)) put(out, k, o[k])
  return out
}

/**
 * A lookup table for keys that come from requests (kinds, content types, suffixes): no
 * prototype, so `table["constructor"]` or `table["__proto__"]` is undefined, not a function.
 */
export function lookupTable<T>(
  entries: Record<string, T>,
): Readonly<Record<string, T | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries))
}
