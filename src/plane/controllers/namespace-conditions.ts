// The conditions the namespace controller writes on a Namespace it empties, worded as
// Kubernetes' namespace deleter words them (status_condition_utils.go): each of the five types is
// always present, False with its "ok" reason while nothing is wrong, True with what remains or
// failed. A condition's lastTransitionTime moves only when its status changes.
import type { Condition, Namespace } from '../../api/index.ts'

/** what one pass over a terminating namespace's content found */
export interface ContentReport {
  /** "<resource>.<group>" → objects left that wait for finalizers */
  remaining: Map<string, number>
  /** finalizer → objects left carrying it */
  finalizers: Map<string, number>
  /** the deletes or lists that failed, one message each */
  errors: string[]
}

const TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const

const OK: Record<(typeof TYPES)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: {
    reason: 'ResourcesDiscovered',
    message: 'All resources successfully discovered',
  },
  NamespaceDeletionGroupVersionParsingFailure: {
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  NamespaceDeletionContentFailure: {
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  NamespaceContentRemaining: {
    reason: 'ContentRemoved',
    message: 'All content successfully removed',
  },
  NamespaceFinalizersRemaining: {
    reason: 'ContentRemoved',
    message: 'All content successfully removed',
  },
}

const listed = (m: Map<string, number>, word: string) =>
  [...m]
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${what} ${word} ${n} resource instances`)
    .sort()
    .join(', ')

/** the condition of each type that is not "ok" for this report */
function failing(r: ContentReport): Map<string, { reason: string; message: string }> {
  const out = new Map<string, { reason: string; message: string }>()
  if (r.errors.length)
    out.set('NamespaceDeletionContentFailure', {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${r.errors.length} remaining: ${[...r.errors].sort().join(', ')}`,
    })
  if (listed(r.remaining, 'has'))
    out.set('NamespaceContentRemaining', {
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${listed(r.remaining, 'has')}`,
    })
  if (listed(r.finalizers, 'in'))
    out.set('NamespaceFinalizersRemaining', {
      reason: 'SomeFinalizerRemain',
      message: `Some finalizers are remaining: ${listed(r.finalizers, 'in')}`,
    })
  return out
}

/** the namespace's conditions after this report, or undefined when none changes */
export function contentConditions(
  ns: Namespace,
  r: ContentReport,
  now: string,
): Condition[] | undefined {
  const bad = failing(r)
  const conditions = [...(ns.status?.conditions ?? [])]
  let changed = false
  for (const type of TYPES) {
    const want = bad.get(type) ?? OK[type]
    const status = bad.has(type) ? 'True' : 'False'
    const i = conditions.findIndex((c) => c.type === type)
    const old = conditions[i]
    if (old && old.status === status && old.reason === want.reason && old.message === want.message)
      continue
    changed = true
    const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now
    const next: Condition = { type, status, lastTransitionTime, ...want }
    if (old) conditions[i] = next
    else conditions.push(next)
  }
  return changed ? conditions : undefined
}
