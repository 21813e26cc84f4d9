// JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else replaces.
import { clone, isObject, type PatchResult } from './json-value.ts'

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch)
  const out = isObject(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = merge(out[k], v)
  }
  return out
}

/** Applies a merge patch to a document without changing it. */
export function applyMergePatch<T = unknown>(target: unknown, patch: unknown): PatchResult<T> {
  return { ok: true, value: merge(target, patch) as T }
}
