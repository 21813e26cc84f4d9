// The Deployment controller (Kubernetes' DeploymentController): each Deployment owns one
// ReplicaSet per pod template it has had, named <deployment>-<pod-template-hash> and labelled
// with the hash (so is each of its pods), its revision in deployment.kubernetes.io/revision.
// The ReplicaSet whose template is the Deployment's is the new one — a template seen before
// (rollout undo) makes that ReplicaSet new again at the next revision. RollingUpdate scales the
// new one up within replicas + maxSurge and the old ones down while replicas − maxUnavailable
// stay available (rolling.ts); Recreate scales the old ones to 0, waits for their pods to go,
// then scales the new one up. A paused Deployment is only scaled. Once complete, old
// ReplicaSets beyond revisionHistoryLimit are deleted. The ReplicaSets it writes:
// replica-sets.ts; status: deployment-status.ts.
import {
  deepEqual,
  resourceByKind,
  type Deployment,
  type Pod,
  type ReplicaSet,
} from '../../api/index.ts'
import {
  Controller,
  controllerOf,
  keyOf,
  type ControllerContext,
  type Informer,
  type Result,
} from './kit/index.ts'
import { equalIgnoreHash, REVISION, revisionOf } from './deployment-rules.ts'
import { newReplicaSet, ownerRef, scaleSet, write } from './replica-sets.ts'
import { deploymentStatus, type PodCounts } from './deployment-status.ts'
import { availableIn, isActive } from './pod-state.ts'
import { rollOld, rollNew } from './rolling.ts'

const PODS = resourceByKind('Pod')!
const RSS = resourceByKind('ReplicaSet')!
const DEPLOYS = resourceByKind('Deployment')!

export interface Rollout {
  ctx: ControllerContext
  d: Deployment
  pods: Informer<Pod>
  sets: Informer<ReplicaSet>
  /** the Deployment's pods of one ReplicaSet, as counted now */
  counts(rs: ReplicaSet): PodCounts
  /** sets the ReplicaSet's replicas (and the Deployment's replica annotations); the new copy */
  scale(rs: ReplicaSet, replicas: number): Promise<ReplicaSet>
}

export function deploymentController(ctx: ControllerContext): Controller {
  const deploys = ctx.informers.for<Deployment>(DEPLOYS)
  const sets = ctx.informers.for<ReplicaSet>(RSS)
  const pods = ctx.informers.for<Pod>(PODS)
  const c = new Controller('deployment', (key) => reconcile(ctx, { deploys, sets, pods }, key), ctx)
  deploys.on({ added: (d) => c.enqueue(keyOf(d)), updated: (d) => c.enqueue(keyOf(d)) })
  const ownerKey = (obj: Pod | ReplicaSet, uid = controllerOf(obj)) => {
    const ns = obj.metadata.namespace ?? ''
    const d = uid && deploys.cache.byNamespace(ns).find((x) => x.metadata.uid === uid)
    if (d) c.enqueue(keyOf(d))
  }
  const ofSet = (rs: ReplicaSet) => ownerKey(rs)
  sets.on({ added: ofSet, updated: ofSet, deleted: ofSet })
  const ofPod = (p: Pod) => {
    const rsUid = controllerOf(p)
    const rs =
      rsUid &&
      sets.cache.byNamespace(p.metadata.namespace ?? '').find((x) => x.metadata.uid === rsUid)
    if (rs) ownerKey(rs)
  }
  pods.on({ added: ofPod, updated: ofPod, deleted: ofPod })
  return c
}

type Caches = { deploys: Informer<Deployment>; sets: Informer<ReplicaSet>; pods: Informer<Pod> }

async function reconcile(
  ctx: ControllerContext,
  caches: Caches,
  key: string,
): Promise<Result | void> {
  const d = caches.deploys.cache.get(key)
  if (!d || d.metadata.deletionTimestamp) return
  const r = rollout(ctx, caches, d)
  const owned = await claimSets(r)
  const found = owned.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template))
  if (d.spec.paused) {
    const only = activeOrLatest(owned, found)
    if (only) await r.scale(only, d.spec.replicas ?? 1)
    return syncStatus(r, found)
  }
  const recreate = d.spec.strategy?.type === 'Recreate'
  const { rs: newRS, note } = await newReplicaSet(r, owned, found, recreate)
  const old = caches.sets.cache
    .byOwner(d.metadata.uid!)
    .filter((rs) => rs.metadata.uid !== newRS.metadata.uid)
  const moved = recreate ? await stepRecreate(r, old, newRS) : await stepRolling(r, old, newRS)
  if (!moved) await cleanup(r, old)
  return syncStatus(r, caches.sets.cache.get(keyOf(newRS)) ?? newRS, note)
}

/** the one ReplicaSet with replicas, or with none the new or latest one: what a paused
 * Deployment scales (FindActiveOrLatest); undefined while several have replicas */
function activeOrLatest(all: ReplicaSet[], found: ReplicaSet | undefined): ReplicaSet | undefined {
  const active = all.filter((rs) => rs.spec.replicas)
  if (active.length === 1) return active[0]
  if (active.length) return undefined
  return found ?? [...all].sort((a, b) => revisionOf(b) - revisionOf(a))[0]
}

function rollout(ctx: ControllerContext, caches: Caches, d: Deployment): Rollout {
  const counts = (rs: ReplicaSet): PodCounts => {
    const now = ctx.clock.now()
    const min = rs.spec.minReadySeconds ?? 0
    const pods = caches.pods.cache.byOwner(rs.metadata.uid!).filter(isActive)
    const waits = pods.map((p) => availableIn(p, min, now))
    return {
      active: pods.length,
      ready: waits.filter((w) => w !== undefined).length,
      available: waits.filter((w) => w === 0).length,
    }
  }
  const r: Rollout = {
    ctx,
    d,
    pods: caches.pods,
    sets: caches.sets,
    counts,
    scale: (rs, replicas) => scaleSet(r, rs, replicas),
  }
  return r
}

/** the ReplicaSets the Deployment controls, after adopting the orphans its selector matches */
async function claimSets(r: Rollout): Promise<ReplicaSet[]> {
  const { d } = r
  const out = r.sets.cache.byOwner(d.metadata.uid!)
  for (const rs of r.sets.cache.orphans(d.metadata.namespace ?? '')) {
    if (rs.metadata.deletionTimestamp || !matches(d, rs)) continue
    const ownerReferences = [...(rs.metadata.ownerReferences ?? []), ownerRef(d)]
    out.push(await write(r, rs, { ...rs, metadata: { ...rs.metadata, ownerReferences } }))
  }
  return out
}

function matches(d: Deployment, rs: ReplicaSet): boolean {
  const want = d.spec.selector.matchLabels ?? {}
  const labels = rs.metadata.labels ?? {}
  return (
    !d.spec.selector.matchExpressions?.length &&
    Object.entries(want).every(([k, v]) => labels[k] === v) &&
    Object.keys(want).length > 0
  )
}

async function stepRolling(r: Rollout, old: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (await rollNew(r, old, newRS)) return true
  return rollOld(r, old, r.sets.cache.get(keyOf(newRS)) ?? newRS)
}

async function stepRecreate(r: Rollout, old: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const running = old.filter((rs) => rs.spec.replicas)
  for (const rs of running) await r.scale(rs, 0)
  if (running.length) return true
  if (old.some((rs) => r.counts(rs).active > 0)) return true // their pods are still going
  const want = r.d.spec.replicas ?? 1
  if ((newRS.spec.replicas ?? 0) === want) return false
  await r.scale(newRS, want)
  return true
}

/** old ReplicaSets with nothing left, beyond revisionHistoryLimit, oldest revision first */
async function cleanup(r: Rollout, old: ReplicaSet[]) {
  const limit = r.d.spec.revisionHistoryLimit ?? 10
  const idle = old
    .filter((rs) => !rs.spec.replicas && !r.counts(rs).active && !rs.metadata.deletionTimestamp)
    .sort((a, b) => revisionOf(a) - revisionOf(b))
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
    const gone = await r.ctx.store.remove(RSS, rs)
    await r.sets.seen(Number(gone.obj.metadata.resourceVersion))
  }
}

async function syncStatus(
  r: Rollout,
  newRS: ReplicaSet | undefined,
  note?: 'NewReplicaSetCreated' | 'FoundNewReplicaSet',
): Promise<Result | void> {
  const { d, ctx } = r
  const all = r.sets.cache.byOwner(d.metadata.uid!)
  const { status, requeueAfter } = deploymentStatus(d, {
    all,
    newRS,
    counts: r.counts,
    now: ctx.clock.now(),
    note,
  })
  const revision = newRS && String(revisionOf(newRS))
  const annotations =
    revision && d.metadata.annotations?.[REVISION] !== revision
      ? { ...d.metadata.annotations, [REVISION]: revision }
      : d.metadata.annotations
  if (!deepEqual(status, d.status ?? {}) || annotations !== d.metadata.annotations) {
    const next: Deployment = { ...d, metadata: { ...d.metadata, annotations }, status }
    await ctx.store.replace(DEPLOYS, d, next)
  }
  const waits = all.flatMap((rs) =>
    r.pods.cache
      .byOwner(rs.metadata.uid!)
      .map((p) => availableIn(p, rs.spec.minReadySeconds ?? 0, ctx.clock.now()))
      .filter((w): w is number => w !== undefined && w > 0),
  )
  const after = Math.min(...waits, requeueAfter ?? Infinity)
  return after === Infinity ? undefined : { requeueAfter: after }
}
