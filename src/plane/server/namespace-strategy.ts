// What kube-apiserver's namespace strategy does around a write: a created Namespace starts
// Active and always carries the "kubernetes" spec.finalizer (the namespace controller's: it
// empties the namespace before it goes); an update keeps spec.finalizers as they were, which
// only the finalize subresource (PUT namespaces/NAME/finalize) changes — nothing else of it.
import { NAMESPACE_FINALIZER, type Namespace } from '../../api/index.ts'

export function namespaceOnCreate(ns: Namespace): Namespace {
  const finalizers = ns.spec?.finalizers ?? []
  return {
    ...ns,
    spec: {
      ...ns.spec,
      finalizers: finalizers.includes(NAMESPACE_FINALIZER)
        ? finalizers
        : [...finalizers, NAMESPACE_FINALIZER],
    },
    status: { phase: 'Active' },
  }
}

/** `next`, an update of `cur` (through the finalize subresource, or not) */
export function namespaceOnUpdate(
  cur: Namespace,
  next: Namespace,
  subresource?: string,
): Namespace {
  if (subresource === 'finalize')
    return { ...cur, spec: { ...cur.spec, finalizers: next.spec?.finalizers ?? [] } }
  const { finalizers } = cur.spec ?? {}
  const spec = { ...next.spec, finalizers }
  if (!finalizers) delete spec.finalizers
  return { ...next, spec }
}
