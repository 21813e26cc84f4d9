// A DaemonSet's template generation, as kube-apiserver's daemonSetStrategy keeps it (apps/v1
// carries it in the deprecated.daemonset.template.generation annotation; the DaemonSet
// controller labels its pods pod-template-generation with it): 1 on create unless the client set
// a larger one, never set by a client on update — the stored value stays — and one more each
// time the pod template changes.
import { deepEqual, type DaemonSet, type KubeObject } from '../../api/index.ts'

export const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation'

const generationOf = (obj: KubeObject) => {
  const n = Number(obj.metadata.annotations?.[TEMPLATE_GENERATION])
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}

const withGeneration = <T extends KubeObject>(obj: T, n: number): T => ({
  ...obj,
  metadata: {
    ...obj.metadata,
    annotations: { ...obj.metadata.annotations, [TEMPLATE_GENERATION]: String(n) },
  },
})

/** a DaemonSet being created: its template generation at least 1 */
export function templateGenerationOnCreate(obj: KubeObject): KubeObject {
  if (obj.kind !== 'DaemonSet') return obj
  return withGeneration(obj, Math.max(1, generationOf(obj)))
}

/** a DaemonSet being updated: the stored template generation, one more if the template changed */
export function templateGenerationOnUpdate(cur: KubeObject, next: KubeObject): KubeObject {
  if (next.kind !== 'DaemonSet') return next
  const changed = !deepEqual((cur as DaemonSet).spec?.template, (next as DaemonSet).spec?.template)
  return withGeneration(next, Math.max(1, generationOf(cur)) + (changed ? 1 : 0))
}
