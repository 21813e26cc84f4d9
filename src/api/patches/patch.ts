// One entry point for PATCH bodies: the patch type a Content-Type names, and applying it.
// Server-side apply (application/apply-patch+yaml) is the server's: it needs field managers.
import { lookupTable, type PatchResult } from '../json/index.ts'
import { applyJsonPatch } from './json-patch.ts'
import { applyMergePatch } from './merge-patch.ts'
import { applyStrategicMergePatch } from './strategic-merge-patch.ts'

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply'

const byContentType = lookupTable<PatchType>({
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
})

/** The patch type of a Content-Type header (parameters ignored); undefined when unsupported (415). */
export function patchTypeFor(contentType: string | undefined): PatchType | undefined {
  return byContentType[(contentType ?? '').split(';')[0].trim().toLowerCase()]
}

/** Applies a parsed patch body of the given type to a copy of the object. */
export function applyPatch<T = unknown>(
  original: unknown,
  options: { type: Exclude<PatchType, 'apply'>; patch: unknown; kind: string },
): PatchResult<T> {
  if (options.type === 'json') return applyJsonPatch<T>(original, options.patch)
  if (options.type === 'merge') return applyMergePatch<T>(original, options.patch)
  return applyStrategicMergePatch<T>(original, options.patch, options.kind)
}
