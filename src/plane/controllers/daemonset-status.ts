// A DaemonSet's status as Kubernetes' updateDaemonSetStatus counts it, over the nodes: desired
// (should run), current (should run and has a pod), misscheduled (has a pod and should not),
// ready and available (the node's oldest pod, available after minReadySeconds), updated (that
// pod is of the current template), unavailable (desired − available), observedGeneration — what
// kubectl get ds and kubectl rollout status daemonset read. Written only when it changed.
import { resourceByKind, type DaemonSet, type DaemonSetStatus, type Node } from '../../api/index.ts'
import type { ControllerContext, Informer } from './kit/index.ts'
import type { NodePods } from './daemon-plan.ts'
import { isUpdated, nodeShouldRun, oldestFirst, templateGeneration } from './daemon-rules.ts'
import { availableIn } from './pod-state.ts'

const DSS = resourceByKind('DaemonSet', 'apps')!

const COUNTS = [
  'desiredNumberScheduled',
  'currentNumberScheduled',
  'numberMisscheduled',
  'numberReady',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
] as const

export function daemonSetStatus(
  ds: DaemonSet,
  o: { nodes: Node[]; byNode: NodePods; hash: string; now: number },
): { status: DaemonSetStatus; requeueAfter?: number } {
  const n = Object.fromEntries(COUNTS.map((k) => [k, 0])) as Record<(typeof COUNTS)[number], number>
  const generation = templateGeneration(ds)
  const waits: number[] = []
  for (const node of o.nodes) {
    const { shouldRun } = nodeShouldRun(node, ds)
    const pods = o.byNode.get(node.metadata.name!) ?? []
    if (!shouldRun) {
      if (pods.length) n.numberMisscheduled++
      continue
    }
    n.desiredNumberScheduled++
    if (!pods.length) continue
    n.currentNumberScheduled++
    const pod = [...pods].sort(oldestFirst)[0]
    const wait = availableIn(pod, ds.spec.minReadySeconds ?? 0, o.now)
    if (wait !== undefined) n.numberReady++
    if (wait === 0) n.numberAvailable++
    else if (wait !== undefined) waits.push(wait)
    if (isUpdated(pod, o.hash, generation)) n.updatedNumberScheduled++
  }
  n.numberUnavailable = n.desiredNumberScheduled - n.numberAvailable
  const status: DaemonSetStatus = {
    ...ds.status,
    ...n,
    observedGeneration: ds.metadata.generation,
  }
  return { status, ...(waits.length ? { requeueAfter: Math.min(...waits) } : {}) }
}

/** the status, if any count or observedGeneration changed (storeDaemonSetStatus) */
export async function writeStatus(
  ctx: ControllerContext,
  dss: Informer<DaemonSet>,
  ds: DaemonSet,
  status: DaemonSetStatus,
): Promise<void> {
  const cur = ds.status
  const same =
    !!cur &&
    COUNTS.every((k) => (cur[k] ?? 0) === status[k]) &&
    (cur.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)
  if (same) return
  const written = await ctx.store.replace(DSS, ds, { ...ds, status } as DaemonSet)
  await dss.seen(Number(written.metadata.resourceVersion))
}
