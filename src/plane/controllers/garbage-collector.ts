// The garbage collector (Kubernetes' garbagecollector controller): an owner graph (owner-graph.ts)
// over the informers of every kind but Events, and a queue of uids. An object all of whose
// owners are gone — deleted, or replaced by another object of that name (another uid) — is
// deleted, in the background unless its own finalizers say otherwise; this also collects what a
// crash of the plane left behind, as every object is looked at when the informers list. Owners
// that are gone or waiting are dropped from the references of an object that keeps a live owner.
// An owner marked with foregroundDeletion has its dependents deleted (in the foreground, in turn,
// when they have dependents of their own) and loses the finalizer once none that blocks
// (blockOwnerDeletion) is left; an owner marked with orphan has its reference taken off its
// dependents, then loses the finalizer. Every decision is made on objects read again from the
// store, and every write names the resourceVersion read: an object changed or recreated under
// the same name meanwhile is never written, the uid is looked at again.
import {
  allResources,
  deletingWith,
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  parseApiVersion,
  resourceByKind,
  type KubeObject,
  type OwnerReference,
  type Propagation,
  type ResourceInfo,
} from '../../api/index.ts'
import { Controller, type ControllerContext } from './kit/index.ts'
import { OwnerGraph, type GraphNode } from './owner-graph.ts'

/** what the collector watches: every kind that can be deleted, but Events (owned by no one in
 * practice, and the most numerous: not worth their memory) */
export const collectedKinds = (): ResourceInfo[] =>
  allResources().filter(
    (r) => r.kind !== 'Event' && r.verbs.includes('watch') && r.verbs.includes('delete'),
  )

interface State {
  graph: OwnerGraph
  c: Controller
}

export function garbageCollector(ctx: ControllerContext): Controller {
  const graph = new OwnerGraph()
  const c = new Controller('garbage-collector', (uid) => reconcile(ctx, s, uid), {
    ...ctx,
    workers: 2,
  })
  const s: State = { graph, c }
  for (const info of collectedKinds()) {
    ctx.informers.for(info).on({
      added: (obj) => observe(s, info, obj),
      updated: (obj, old) => observe(s, info, obj, old),
      deleted: (old) => gone(s, old),
    })
  }
  return c
}

/** the owners of `refs` that wait for their dependents (their turn comes when one changes) */
function wakeOwners(s: State, refs: readonly OwnerReference[]): void {
  for (const r of refs) {
    const owner = s.graph.get(r.uid)
    if (owner?.deletingDependents || owner?.orphaning) s.c.enqueue(r.uid)
  }
}

function observe(s: State, info: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
  if (!obj.metadata.uid) return
  const before = old?.metadata.uid && s.graph.get(old.metadata.uid)
  const node = s.graph.put(info, obj)
  if (node.deletingDependents || node.orphaning) s.c.enqueue(node.uid)
  // an owner that starts waiting for its dependents: every one of them is looked at
  if (node.deletingDependents && !(before && before.deletingDependents))
    for (const d of s.graph.dependents(node.uid)) s.c.enqueue(d.uid)
  const doubtful = node.owners.some((r) => {
    const owner = s.graph.get(r.uid)
    return !owner || owner.deletingDependents
  })
  if (doubtful) s.c.enqueue(node.uid)
  wakeOwners(s, [...(old?.metadata.ownerReferences ?? []), ...node.owners])
}

function gone(s: State, old: KubeObject): void {
  const uid = old.metadata.uid
  if (!uid) return
  const node = s.graph.remove(uid)
  for (const d of s.graph.dependents(uid)) s.c.enqueue(d.uid)
  wakeOwners(s, node?.owners ?? [])
}

export async function reconcile(ctx: ControllerContext, s: State, uid: string): Promise<void> {
  const node = s.graph.get(uid)
  if (!node) return
  const obj = await ctx.store.read(node.info, node.key)
  if (!obj || obj.metadata.uid !== uid) return // gone, or another object by that name now
  if (deletingWith(obj, ORPHAN_FINALIZER)) return orphanDependents(ctx, s, node, obj)
  if (deletingWith(obj, FOREGROUND_FINALIZER)) return deleteDependents(ctx, s, node, obj)
  if (obj.metadata.deletionTimestamp || !obj.metadata.ownerReferences?.length) return
  return collect(ctx, s, node, obj)
}

/** an owner marked with foregroundDeletion: its blocking dependents first, then the finalizer */
async function deleteDependents(
  ctx: ControllerContext,
  s: State,
  node: GraphNode,
  owner: KubeObject,
): Promise<void> {
  const blocking = s.graph
    .dependents(node.uid)
    .filter((d) => d.owners.some((r) => r.uid === node.uid && r.blockOwnerDeletion))
  if (!blocking.length) return removeFinalizer(ctx, node, owner, FOREGROUND_FINALIZER)
  for (const d of blocking) if (!d.deletingDependents) s.c.enqueue(d.uid)
}

/** an owner marked with orphan: its reference off every dependent, then the finalizer */
async function orphanDependents(
  ctx: ControllerContext,
  s: State,
  node: GraphNode,
  owner: KubeObject,
): Promise<void> {
  for (const d of s.graph.dependents(node.uid)) {
    const dep = await ctx.store.read(d.info, d.key)
    if (!dep || dep.metadata.uid !== d.uid) continue
    await dropOwners(ctx, d.info, dep, [node.uid])
  }
  await removeFinalizer(ctx, node, owner, ORPHAN_FINALIZER)
}

async function removeFinalizer(
  ctx: ControllerContext,
  node: GraphNode,
  obj: KubeObject,
  finalizer: string,
): Promise<void> {
  const finalizers = obj.metadata.finalizers!.filter((f) => f !== finalizer)
  const metadata = { ...obj.metadata, finalizers }
  if (!finalizers.length) delete (metadata as { finalizers?: string[] }).finalizers
  await ctx.store.replace(node.info, obj, { ...obj, metadata })
  ctx.log.info('removed the finalizer', { object: `${node.info.kind} ${node.key}`, finalizer })
}

/** `obj` without the ownerReferences to `uids` */
async function dropOwners(
  ctx: ControllerContext,
  info: ResourceInfo,
  obj: KubeObject,
  uids: string[],
): Promise<void> {
  const refs = obj.metadata.ownerReferences ?? []
  const kept = refs.filter((r) => !uids.includes(r.uid))
  if (kept.length === refs.length) return
  const metadata = { ...obj.metadata, ownerReferences: kept }
  if (!kept.length) delete (metadata as { ownerReferences?: unknown }).ownerReferences
  await ctx.store.replace(info, obj, { ...obj, metadata })
}

type Standing = 'solid' | 'dangling' | 'waiting'

/** whether the owner `ref` names exists with that uid, and whether it waits for dependents */
async function standingOf(
  ctx: ControllerContext,
  dependent: KubeObject,
  ref: OwnerReference,
): Promise<Standing> {
  const info = resourceByKind(ref.kind, parseApiVersion(ref.apiVersion).group)
  if (!info) return 'solid' // a kind this plane does not serve: never a reason to collect
  const ns = dependent.metadata.namespace
  if (info.namespaced && !ns) return 'dangling' // a cluster-scoped object cannot have one
  const owner = await ctx.store.read(info, info.namespaced ? `${ns}/${ref.name}` : ref.name)
  if (!owner || owner.metadata.uid !== ref.uid) return 'dangling'
  return deletingWith(owner, FOREGROUND_FINALIZER) ? 'waiting' : 'solid'
}

/** Kubernetes' attemptToDeleteItem for an object with owners */
async function collect(
  ctx: ControllerContext,
  s: State,
  node: GraphNode,
  obj: KubeObject,
): Promise<void> {
  const refs = obj.metadata.ownerReferences!
  const standing = await Promise.all(refs.map((r) => standingOf(ctx, obj, r)))
  const not = (w: Standing) => refs.filter((_, i) => standing[i] !== w)
  if (standing.includes('solid')) return dropOwners(ctx, node.info, obj, uids(not('solid')))
  const what = `${node.info.kind} ${node.key}`
  const dependents = s.graph.dependents(node.uid)
  if (standing.includes('waiting') && dependents.length) {
    // an owner waits for this object, which has dependents of its own: those go first
    if (dependents.some((d) => d.deletingDependents)) obj = await unblock(ctx, node.info, obj)
    ctx.log.info('deleting an object whose owner waits for it', { object: what })
    await ctx.store.remove(node.info, obj, { propagationPolicy: 'Foreground' })
    return
  }
  const policy: Propagation = obj.metadata.finalizers?.includes(ORPHAN_FINALIZER)
    ? 'Orphan'
    : obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)
      ? 'Foreground'
      : 'Background'
  ctx.log.info('deleting an object whose owners are gone', { object: what, policy })
  await ctx.store.remove(node.info, obj, { propagationPolicy: policy })
}

const uids = (refs: OwnerReference[]) => refs.map((r) => r.uid)

/** references that no longer block their owners' deletion (Kubernetes breaks a would-be cycle
 * of foreground deletions so) */
async function unblock(
  ctx: ControllerContext,
  info: ResourceInfo,
  obj: KubeObject,
): Promise<KubeObject> {
  const refs = obj.metadata.ownerReferences!.map((r) =>
    r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r,
  )
  return ctx.store.replace(info, obj, {
    ...obj,
    metadata: { ...obj.metadata, ownerReferences: refs },
  })
}
