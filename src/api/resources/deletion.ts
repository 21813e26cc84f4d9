// What a delete does to an object's finalizers, as Kubernetes' generic registry decides it
// (deletionFinalizersForGarbageCollection): the propagation policy asked for wins; without one,
// a finalizer the object already carries (a pending delete) keeps its policy; else the kind's
// default (Background; batch/v1 Jobs orphan their pods, for compatibility). Foreground leaves
// "foregroundDeletion" on the object, Orphan leaves "orphan": the garbage collector deletes the
// dependents, or strips their ownerReferences, and then removes its finalizer. An object marked
// for deletion is gone once no finalizer is left — for a Namespace that includes its
// spec.finalizers ("kubernetes", removed by the namespace controller once it is empty).
import type { KubeObject } from '../types/index.ts'

export type Propagation = 'Background' | 'Foreground' | 'Orphan'

export const FOREGROUND_FINALIZER = 'foregroundDeletion'
export const ORPHAN_FINALIZER = 'orphan'
/** the namespace controller's spec.finalizers token */
export const NAMESPACE_FINALIZER = 'kubernetes'

/** the policy a delete without one falls back to */
export function defaultPropagation(kind: { group: string; kind: string }): Propagation {
  return kind.group === 'batch' && kind.kind === 'Job' ? 'Orphan' : 'Background'
}

/**
 * The finalizers `obj` carries once deleted with `policy` (undefined: none asked for); the
 * garbage collector's own two are added or removed, any other is kept in place.
 */
export function deletionFinalizers(
  obj: KubeObject,
  o: { policy?: Propagation; kind: { group: string; kind: string } },
): string[] {
  const current = obj.metadata.finalizers ?? []
  const pending = current.includes(ORPHAN_FINALIZER)
    ? 'Orphan'
    : current.includes(FOREGROUND_FINALIZER)
      ? 'Foreground'
      : undefined
  const policy = o.policy ?? pending ?? defaultPropagation(o.kind)
  const kept = current.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER)
  if (policy === 'Orphan') kept.push(ORPHAN_FINALIZER)
  if (policy === 'Foreground') kept.push(FOREGROUND_FINALIZER)
  const same = kept.length === current.length && kept.every((f) => current.includes(f))
  return same ? current : kept
}

/** whether an object marked for deletion still waits for someone (a finalizer is left) */
export function hasPendingFinalizers(obj: KubeObject, kind: string): boolean {
  if (obj.metadata.finalizers?.length) return true
  const spec = (obj as { spec?: { finalizers?: unknown } }).spec
  return kind === 'Namespace' && Array.isArray(spec?.finalizers) && spec.finalizers.length > 0
}

/** marked for deletion with the finalizer `f` still on it */
export const deletingWith = (obj: KubeObject, f: string): boolean =>
  !!obj.metadata.deletionTimestamp && !!obj.metadata.finalizers?.includes(f)
