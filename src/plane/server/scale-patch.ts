// Applies a patch to a Scale object (it has no strategic-merge metadata: merge rules apply).
import { applyJsonPatch, applyMergePatch, type PatchType } from '../../api/index.ts'
import { BadRequestError } from '../../core/index.ts'

export function applyPatchTo(scale: unknown, patch: unknown, type: PatchType): unknown {
  const r = type === 'json' ? applyJsonPatch(scale, patch) : applyMergePatch(scale, patch)
  if (!r.ok) throw new BadRequestError(`the patch could not be applied: ${r.error}`)
  return r.value
}
