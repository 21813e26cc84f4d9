// The ReplicaSet controller (Kubernetes' ReplicaSetController): keeps spec.replicas active pods
// that match the selector and are controlled by the ReplicaSet. Pods it controls that stop
// matching are released; matching pods without a controller are adopted; missing pods are
// created from the template as <rs>-<5 random chars> (generateName); surplus pods are deleted
// in deleteFirst order. Then status: replicas, fullyLabeledReplicas, readyReplicas,
// availableReplicas (ready for minReadySeconds; a later look is asked for the ones not yet),
// observedGeneration — written only when it changed.
import {
  matchesLabelSelector,
  podQosClass,
  resourceByKind,
  type OwnerReference,
  type Pod,
  type ReplicaSet,
  type ReplicaSetStatus,
} from '../../api/index.ts'
import {
  Controller,
  controllerOf,
  keyOf,
  type ControllerContext,
  type Informer,
  type Result,
} from './kit/index.ts'
import { availableIn, deleteFirst, isActive } from './pod-state.ts'

const PODS = resourceByKind('Pod')!
const RSS = resourceByKind('ReplicaSet')!
/** pods created or deleted in one reconcile at most (Kubernetes' burstReplicas) */
const BURST = 500
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** Kubernetes' generateName suffix: 5 characters without vowels or look-alikes */
export function nameSuffix(): string {
  const b = crypto.getRandomValues(new Uint8Array(5))
  return [...b].map((x) => ALPHABET[x % ALPHABET.length]).join('')
}

export function controllerRef(rs: ReplicaSet): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: rs.metadata.name!,
    uid: rs.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  }
}

export function replicaSetController(ctx: ControllerContext): Controller {
  const pods = ctx.informers.for<Pod>(PODS)
  const sets = ctx.informers.for<ReplicaSet>(RSS)
  const c = new Controller('replicaset', (key) => reconcile(ctx, { pods, sets }, key), ctx)
  sets.on({ added: (rs) => c.enqueue(keyOf(rs)), updated: (rs) => c.enqueue(keyOf(rs)) })
  const owners = (pod: Pod) => {
    const uid = controllerOf(pod)
    const ns = pod.metadata.namespace ?? ''
    const all = sets.cache.byNamespace(ns)
    // a pod without a controller may be adopted by any ReplicaSet whose selector it matches
    return uid
      ? all.filter((rs) => rs.metadata.uid === uid)
      : all.filter((rs) => matchesLabelSelector(rs.spec?.selector, pod.metadata.labels))
  }
  pods.on({
    added: (p) => owners(p).forEach((rs) => c.enqueue(keyOf(rs))),
    updated: (p, old) => [...owners(p), ...owners(old)].forEach((rs) => c.enqueue(keyOf(rs))),
    deleted: (p) => owners(p).forEach((rs) => c.enqueue(keyOf(rs))),
  })
  return c
}

type Caches = { pods: Informer<Pod>; sets: Informer<ReplicaSet> }

export async function reconcile(
  ctx: ControllerContext,
  caches: Caches,
  key: string,
): Promise<Result | void> {
  const rs = caches.sets.cache.get(key)
  if (!rs || rs.metadata.deletionTimestamp) return
  const mine = await claimPods(ctx, caches, rs)
  const active = mine.filter(isActive)
  const want = rs.spec.replicas ?? 1
  if (active.length < want) await createPods(ctx, caches, rs, want - active.length)
  if (active.length > want) await deletePods(ctx, caches, rs, active, active.length - want)
  return updateStatus(ctx, caches, caches.sets.cache.get(key) ?? rs)
}

/** the pods the ReplicaSet controls, after adopting orphans that match and releasing the
 * controlled ones that no longer do */
async function claimPods(ctx: ControllerContext, caches: Caches, rs: ReplicaSet): Promise<Pod[]> {
  const uid = rs.metadata.uid!
  const out: Pod[] = []
  for (const pod of caches.pods.cache.byOwner(uid)) {
    if (matchesLabelSelector(rs.spec.selector, pod.metadata.labels)) out.push(pod)
    else if (isActive(pod)) await setOwners(ctx, pod, without(pod, uid))
  }
  for (const pod of caches.pods.cache.orphans(rs.metadata.namespace ?? '')) {
    if (!isActive(pod) || !matchesLabelSelector(rs.spec.selector, pod.metadata.labels)) continue
    out.push(await setOwners(ctx, pod, [...without(pod, uid), controllerRef(rs)]))
  }
  return out
}

const without = (pod: Pod, uid: string | undefined) =>
  (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)

async function setOwners(ctx: ControllerContext, pod: Pod, refs: OwnerReference[]) {
  const next = { ...pod, metadata: { ...pod.metadata, ownerReferences: refs } }
  return (await ctx.store.replace(PODS, pod, next)) as Pod
}

export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec.template
  const base = rs.metadata.name!.slice(0, 57)
  const spec = structuredClone(t?.spec ?? { containers: [] })
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${base}-${nameSuffix()}`,
      generateName: `${base}-`,
      namespace: rs.metadata.namespace,
      ...(t?.metadata?.labels ? { labels: { ...t.metadata.labels } } : {}),
      ...(t?.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(rs)],
    },
    spec,
    status: { phase: 'Pending', qosClass: podQosClass(spec) },
  }
}

async function createPods(ctx: ControllerContext, caches: Caches, rs: ReplicaSet, n: number) {
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(n, BURST) }, () => ctx.store.create(PODS, podFromTemplate(rs))),
  )
  let last = 0
  for (const r of results) {
    if (r.status === 'fulfilled') {
      last = Math.max(last, Number(r.value.metadata.resourceVersion))
      const message = `Created pod: ${r.value.metadata.name}`
      ctx.events.event({ info: RSS, obj: rs }, { reason: 'SuccessfulCreate', message })
    } else {
      const message = `Error creating: ${(r.reason as Error).message}`
      ctx.events.event({ info: RSS, obj: rs }, { type: 'Warning', reason: 'FailedCreate', message })
    }
  }
  await caches.pods.seen(last)
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
}

async function deletePods(
  ctx: ControllerContext,
  caches: Caches,
  rs: ReplicaSet,
  active: Pod[],
  n: number,
) {
  const doomed = [...active].sort(deleteFirst).slice(0, Math.min(n, BURST))
  const results = await Promise.allSettled(doomed.map((p) => ctx.store.remove(PODS, p)))
  let last = 0
  results.forEach((r, i) => {
    if (r.status !== 'fulfilled') return
    last = Math.max(last, Number(r.value.obj.metadata.resourceVersion))
    const message = `Deleted pod: ${doomed[i].metadata.name}`
    ctx.events.event({ info: RSS, obj: rs }, { reason: 'SuccessfulDelete', message })
  })
  await caches.pods.seen(last)
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
}

/** status from the cache as it is now; a later look while pods wait out minReadySeconds */
async function updateStatus(
  ctx: ControllerContext,
  caches: Caches,
  rs: ReplicaSet,
): Promise<Result | void> {
  const now = ctx.clock.now()
  const min = rs.spec.minReadySeconds ?? 0
  const pods = caches.pods.cache.byOwner(rs.metadata.uid!).filter(isActive)
  const labels = rs.spec.template?.metadata?.labels ?? {}
  const waits = pods.map((p) => availableIn(p, min, now))
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) =>
      Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v),
    ).length,
    readyReplicas: waits.filter((w) => w !== undefined).length,
    availableReplicas: waits.filter((w) => w === 0).length,
    observedGeneration: rs.metadata.generation,
    ...(rs.status?.conditions ? { conditions: rs.status.conditions } : {}),
  }
  if (!sameStatus(rs.status, status)) {
    const next: ReplicaSet = { ...rs, status }
    const written = await ctx.store.replace(RSS, rs, next)
    await caches.sets.seen(Number(written.metadata.resourceVersion))
  }
  const pending = waits.filter((w): w is number => w !== undefined && w > 0)
  if (pending.length) return { requeueAfter: Math.min(...pending) }
}

function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  return (
    !!a &&
    a.replicas === b.replicas &&
    (a.fullyLabeledReplicas ?? 0) === b.fullyLabeledReplicas &&
    (a.readyReplicas ?? 0) === b.readyReplicas &&
    (a.availableReplicas ?? 0) === b.availableReplicas &&
    a.observedGeneration === b.observedGeneration
  )
}
