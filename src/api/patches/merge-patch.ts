// JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else replaces.
// Keys are own properties only: "__proto__" in a patch is a field name, not a prototype.
import { clone, copyOwn, isObject, own, put, type PatchResult } from '../json/index.ts'

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch)
  const out = isObject(target) ? copyOwn(target) : {}
  for (const k of Object.keys(patch)) {
    const v = patch[k]
    if (v === null) delete out[k]
    else put(out, k, merge(own(out, k), v))
  }
  return out
}

/** Applies a merge patch to a document without changing it. */
export function applyMergePatch<T = unknown>(target: unknown, patch: unknown): PatchResult<T> {
  return { ok: true, value: merge(target, patch) as T }
}
