// The DaemonSet controller (Kubernetes' DaemonSetsController): one pod of the template on every
// node that should run it (daemon-rules.ts: nodeSelector, required node affinity, taints against
// the pod's tolerations with the daemon defaults — cordoned nodes included), created pinned to
// its node by required node affinity matchFields metadata.name so the scheduler binds it there.
// A node that joins gets its pod; a node that stops matching, or is gone, loses it; extra pods
// on a node go, failed ones are deleted (with a FailedDaemonPod Event, per-node back-off) and
// made again. Pods carry controller-revision-hash (its ControllerRevision, daemon-history.ts)
// and pod-template-generation; RollingUpdate replaces old pods within maxUnavailable (or beside
// them within maxSurge) gated on availability, OnDelete waits for the user to delete them
// (daemon-plan.ts). Status as kubectl rollout status daemonset reads it; Events
// SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete, FailedDaemonPod.
import {
  matchesLabelSelector,
  podQosClass,
  resourceByKind,
  type ControllerRevision,
  type DaemonSet,
  type Node,
  type OwnerReference,
  type Pod,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import {
  Controller,
  controllerOf,
  keyOf,
  type ControllerContext,
  type Informer,
  type Result,
} from './kit/index.ts'
import { cleanupHistory, constructHistory, dsRef } from './daemon-history.ts'
import { emptyPlan, FailedPodBackOff, planNode, planRollingUpdate } from './daemon-plan.ts'
import { type NodePods, type Plan, type PlanContext } from './daemon-plan.ts'
import { daemonTemplate, nodeShouldRun, pinnedTo, REVISION_HASH } from './daemon-rules.ts'
import { targetNode } from './daemon-rules.ts'
import { daemonSetStatus, writeStatus } from './daemonset-status.ts'
import { isActive } from './pod-state.ts'
import { nameSuffix } from './replicaset.ts'

const PODS = resourceByKind('Pod')!
const DSS = resourceByKind('DaemonSet', 'apps')!
const NODES = resourceByKind('Node')!
const REVISIONS = resourceByKind('ControllerRevision', 'apps')!
/** pods created or deleted in one sync at most (burstReplicas) */
const BURST = 250

export interface State {
  dss: Informer<DaemonSet>
  pods: Informer<Pod>
  nodes: Informer<Node>
  revisions: Informer<ControllerRevision>
  backOff: FailedPodBackOff
}

export function daemonSetController(ctx: ControllerContext): Controller {
  const s: State = {
    dss: ctx.informers.for<DaemonSet>(DSS),
    pods: ctx.informers.for<Pod>(PODS),
    nodes: ctx.informers.for<Node>(NODES),
    revisions: ctx.informers.for<ControllerRevision>(REVISIONS),
    backOff: new FailedPodBackOff(),
  }
  const c = new Controller('daemonset', (key) => reconcile(ctx, s, key), ctx)
  s.dss.on({ added: (ds) => c.enqueue(keyOf(ds)), updated: (ds) => c.enqueue(keyOf(ds)) })
  const owner = (obj: Pod | ControllerRevision) => {
    const uid = controllerOf(obj)
    const all = s.dss.cache.byNamespace(obj.metadata.namespace ?? '')
    const mine = uid
      ? all.filter((ds) => ds.metadata.uid === uid)
      : all.filter((ds) => matchesLabelSelector(ds.spec?.selector, obj.metadata.labels))
    for (const ds of mine) c.enqueue(keyOf(ds))
  }
  s.pods.on({ added: owner, updated: (p, old) => (owner(p), owner(old)), deleted: owner })
  s.revisions.on({ added: owner, updated: owner, deleted: owner })
  const verdict = (n: Node, ds: DaemonSet) => JSON.stringify(nodeShouldRun(n, ds))
  s.nodes.on({
    added: () => s.dss.cache.list().forEach((ds) => c.enqueue(keyOf(ds))),
    updated: (n, old) =>
      s.dss.cache.list().forEach((ds) => {
        if (verdict(n, ds) !== verdict(old, ds)) c.enqueue(keyOf(ds))
      }),
    deleted: () => s.dss.cache.list().forEach((ds) => c.enqueue(keyOf(ds))),
  })
  return c
}

export async function reconcile(
  ctx: ControllerContext,
  s: State,
  key: string,
): Promise<Result | void> {
  const ds = s.dss.cache.get(key)
  if (!ds || ds.metadata.deletionTimestamp) return
  const pods = await claimPods(ctx, s, ds)
  const { cur, old } = await constructHistory({ ctx, revisions: s.revisions }, ds, pods)
  const hash = cur.metadata.labels?.[REVISION_HASH] ?? ''
  const nodes = s.nodes.cache.list().sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))
  const c: PlanContext = { ds, hash, now: ctx.clock.now(), backOff: s.backOff }
  const plan = manage(c, nodes, byNode(pods))
  let wrote = await sync(ctx, s, ds, plan, hash)
  if (!wrote && ds.spec.updateStrategy?.type !== 'OnDelete') {
    const mine = s.pods.cache.byOwner(ds.metadata.uid!).filter((p) => !isFinished(p))
    wrote = await sync(ctx, s, ds, planRollingUpdate(c, nodes, byNode(mine)), hash)
  }
  const current = s.pods.cache.byOwner(ds.metadata.uid!)
  await cleanupHistory({ ctx, revisions: s.revisions }, ds, old, current)
  const latest = s.dss.cache.get(key) ?? ds
  const at = { nodes, byNode: byNode(current), hash, now: ctx.clock.now() }
  const { status, requeueAfter } = daemonSetStatus(latest, at)
  await writeStatus(ctx, s.dss, latest, status)
  const after = Math.min(requeueAfter ?? Infinity, plan.requeueAfter ?? Infinity)
  return after === Infinity ? undefined : { requeueAfter: after }
}

const isFinished = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'

/** the DaemonSet's pods by the node each is for */
function byNode(pods: Pod[]): NodePods {
  const out: NodePods = new Map()
  for (const pod of pods) {
    const node = targetNode(pod)
    if (node === undefined) continue
    const list = out.get(node)
    if (list) list.push(pod)
    else out.set(node, [pod])
  }
  return out
}

/** every node's plan, and the pods meant for nodes that are gone (the pod GC's part in
 * Kubernetes: nothing else here deletes them) */
function manage(c: PlanContext, nodes: Node[], pods: NodePods): Plan {
  const plan = emptyPlan()
  for (const node of nodes) planNode(c, node, pods.get(node.metadata.name!), plan)
  const known = new Set(nodes.map((n) => n.metadata.name!))
  for (const [node, list] of pods)
    if (!known.has(node)) plan.delete.push(...list.filter((p) => !p.metadata.deletionTimestamp))
  return plan
}

/** the pods the DaemonSet controls, after adopting orphans its selector matches and releasing
 * the controlled ones that stopped matching (ClaimPods) */
async function claimPods(ctx: ControllerContext, s: State, ds: DaemonSet): Promise<Pod[]> {
  const uid = ds.metadata.uid!
  const out: Pod[] = []
  const setOwners = async (pod: Pod, refs: OwnerReference[]) =>
    (await ctx.store.replace(PODS, pod, {
      ...pod,
      metadata: { ...pod.metadata, ownerReferences: refs },
    })) as Pod
  const others = (pod: Pod) => (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
  for (const pod of s.pods.cache.byOwner(uid)) {
    if (matchesLabelSelector(ds.spec.selector, pod.metadata.labels)) out.push(pod)
    else if (isActive(pod)) await setOwners(pod, others(pod))
  }
  for (const pod of s.pods.cache.orphans(ds.metadata.namespace ?? '')) {
    if (!isActive(pod) || !matchesLabelSelector(ds.spec.selector, pod.metadata.labels)) continue
    out.push(await setOwners(pod, [...others(pod), dsRef(ds)]))
  }
  return out
}

function newPod(ds: DaemonSet, hash: string, node: string): Pod {
  const t = daemonTemplate(ds, hash)
  const spec = { ...t.spec, affinity: pinnedTo(t.spec, node) }
  const base = ds.metadata.name!.slice(0, 57)
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${base}-${nameSuffix()}`,
      generateName: `${base}-`,
      namespace: ds.metadata.namespace,
      labels: t.metadata?.labels,
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ownerReferences: [dsRef(ds)],
    },
    spec,
    status: { phase: 'Pending', qosClass: podQosClass(spec) },
  }
}

/** the plan's deletes, then its creates, with their Events; true when it wrote */
async function sync(ctx: ControllerContext, s: State, ds: DaemonSet, plan: Plan, hash: string) {
  const about = { info: DSS, obj: ds }
  for (const e of plan.events) ctx.events.event(about, e)
  const doomed = plan.delete.slice(0, BURST)
  const deleted = await Promise.allSettled(doomed.map((p) => ctx.store.remove(PODS, p)))
  const made = await Promise.allSettled(
    plan.create.slice(0, BURST).map((n) => ctx.store.create(PODS, newPod(ds, hash, n))),
  )
  let last = 0
  let failure: unknown
  deleted.forEach((r, i) => {
    const name = doomed[i].metadata.name
    if (r.status === 'fulfilled') {
      last = Math.max(last, Number(r.value.obj.metadata.resourceVersion))
      ctx.events.event(about, { reason: 'SuccessfulDelete', message: `Deleted pod: ${name}` })
    } else if (!isShoalError(r.reason, 'NotFound')) {
      failure ??= r.reason
      const message = `Error deleting: ${(r.reason as Error).message}`
      ctx.events.event(about, { type: 'Warning', reason: 'FailedDelete', message })
    }
  })
  for (const r of made) {
    if (r.status === 'fulfilled') {
      last = Math.max(last, Number(r.value.metadata.resourceVersion))
      const message = `Created pod: ${r.value.metadata.name}`
      ctx.events.event(about, { reason: 'SuccessfulCreate', message })
    } else {
      failure ??= r.reason
      const message = `Error creating: ${(r.reason as Error).message}`
      ctx.events.event(about, { type: 'Warning', reason: 'FailedCreate', message })
    }
  }
  if (last) await s.pods.seen(last)
  if (failure) throw failure
  return doomed.length + made.length > 0
}
