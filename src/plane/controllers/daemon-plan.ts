// What a DaemonSet sync does, decided before anything is written (daemon_controller.go's
// podsShouldBeOnNode, update.go's rollingUpdate): per node, create the missing pod, delete
// failed (with back-off) and succeeded pods, the extra ones (all but the oldest; with maxSurge
// one old and one new may stand while the new one is not yet available) and every pod on a
// node that may no longer run it; then a rolling update replaces old pods — without surge by
// deleting at most maxUnavailable available ones at a time (unavailable ones at once), with
// surge by creating up to maxSurge new pods beside old ones and deleting an old one once its
// replacement is available.
import type { DaemonSet, Node, Pod } from '../../api/index.ts'
import { isAvailable, isReady } from './pod-state.ts'
import {
  allowsSurge,
  fenceposts,
  isUpdated,
  nodeShouldRun,
  oldestFirst,
  templateGeneration,
} from './daemon-rules.ts'

export interface Plan {
  /** nodes that get a new pod */
  create: string[]
  delete: Pod[]
  events: { type: 'Normal' | 'Warning'; reason: string; message: string }[]
  /** look again then (a failed pod's back-off) */
  requeueAfter?: number
}

export interface PlanContext {
  ds: DaemonSet
  hash: string
  now: number
  backOff: FailedPodBackOff
}

export const emptyPlan = (): Plan => ({ create: [], delete: [], events: [] })

/** per node: time of the last failed pod deleted and the delay before the next may be
 * (flowcontrol.Backoff: 1 s doubling to 15 min, forgotten after twice that) */
export class FailedPodBackOff {
  #entries = new Map<string, { delay: number; last: number }>()
  constructor(
    readonly initialMs = 1000,
    readonly maxMs = 15 * 60_000,
  ) {}

  /** ms until a failed pod under `key` may be deleted again; 0 now */
  wait(key: string, now: number): number {
    const e = this.#entries.get(key)
    return e ? Math.max(0, e.last + e.delay - now) : 0
  }

  next(key: string, now: number): void {
    const e = this.#entries.get(key)
    const fresh = !e || now - e.last > 2 * this.maxMs
    const delay = fresh ? this.initialMs : Math.min(2 * e.delay, this.maxMs)
    this.#entries.set(key, { delay, last: now })
  }
}

const minReady = (ds: DaemonSet) => ds.spec.minReadySeconds ?? 0
const podName = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`

/** the failed and succeeded pods go (failed ones within their back-off); the rest answered */
function sweepFinished(c: PlanContext, node: string, pods: Pod[], plan: Plan): Pod[] {
  const running: Pod[] = []
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue
    const phase = pod.status?.phase
    if (phase === 'Failed') {
      const key = `${c.ds.metadata.uid}/${c.ds.status?.observedGeneration ?? 0}/${node}`
      const wait = c.backOff.wait(key, c.now)
      if (wait > 0) {
        plan.requeueAfter = Math.min(plan.requeueAfter ?? Infinity, wait)
        continue
      }
      c.backOff.next(key, c.now)
      const message = `Found failed daemon pod ${podName(pod)} on node ${node}, will try to kill it`
      plan.events.push({ type: 'Warning', reason: 'FailedDaemonPod', message })
      plan.delete.push(pod)
    } else if (phase === 'Succeeded') {
      const message = `Found succeeded daemon pod ${podName(pod)} on node ${node}, will try to delete it`
      plan.events.push({ type: 'Normal', reason: 'SucceededDaemonPod', message })
      plan.delete.push(pod)
    } else running.push(pod)
  }
  return running
}

/** podsShouldBeOnNode: what this node's pods call for */
export function planNode(c: PlanContext, node: Node, pods: Pod[] | undefined, plan: Plan): void {
  const name = node.metadata.name!
  const { shouldRun, shouldContinueRunning } = nodeShouldRun(node, c.ds)
  if (shouldRun && !pods?.length) {
    plan.create.push(name)
    return
  }
  if (!pods?.length) return
  if (!shouldContinueRunning) {
    plan.delete.push(...pods.filter((p) => !p.metadata.deletionTimestamp))
    return
  }
  const running = sweepFinished(c, name, pods, plan).sort(oldestFirst)
  if (!allowsSurge(c.ds)) {
    plan.delete.push(...running.slice(1))
    return
  }
  if (running.length <= 1) {
    if (!running.length && shouldRun) plan.create.push(name)
    return
  }
  keepOldAndNew(c, running, plan)
}

/** surging: the oldest new pod and the oldest old pod may stand together while the old one is
 * ready and the new one not yet available; every other pod goes */
function keepOldAndNew(c: PlanContext, running: Pod[], plan: Plan): void {
  const generation = templateGeneration(c.ds)
  let oldestNew: Pod | undefined
  let oldestOld: Pod | undefined
  for (const pod of running) {
    const updated = isUpdated(pod, c.hash, generation)
    if (updated && !oldestNew) oldestNew = pod
    else if (!updated && !oldestOld) oldestOld = pod
    else plan.delete.push(pod)
  }
  if (!oldestNew || !oldestOld) return
  if (!isReady(oldestOld) || isAvailable(oldestNew, minReady(c.ds), c.now))
    plan.delete.push(oldestOld)
}

/** the not-deleted new and old pod of a node; undefined when there are several of either */
function newAndOld(c: PlanContext, pods: Pod[]): { newPod?: Pod; oldPod?: Pod } | undefined {
  const generation = templateGeneration(c.ds)
  const out: { newPod?: Pod; oldPod?: Pod } = {}
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue
    const slot = isUpdated(pod, c.hash, generation) ? 'newPod' : 'oldPod'
    if (out[slot]) return undefined
    out[slot] = pod
  }
  return out
}

export type NodePods = Map<string, Pod[]>

/** rollingUpdate: the old pods to delete and the nodes to surge onto, within the fenceposts */
export function planRollingUpdate(c: PlanContext, nodes: Node[], byNode: NodePods): Plan {
  const running = new Map<string, Pod[]>()
  let desired = 0
  for (const node of nodes)
    if (nodeShouldRun(node, c.ds).shouldRun) {
      desired++
      running.set(node.metadata.name!, byNode.get(node.metadata.name!) ?? [])
    }
  for (const [name, pods] of byNode) if (!running.has(name)) running.set(name, pods)
  const posts = fenceposts(c.ds, desired)
  const names = [...running.keys()].sort()
  const byName = new Map(nodes.map((n) => [n.metadata.name!, n]))
  return posts.surge === 0
    ? withoutSurge(
        c,
        names.map((n) => [n, running.get(n)!]),
        posts.unavailable,
      )
    : withSurge(c, { names, running, byName, desired, maxSurge: posts.surge })
}

function withoutSurge(c: PlanContext, nodes: [string, Pod[]][], maxUnavailable: number): Plan {
  const plan = emptyPlan()
  let unavailable = 0
  const candidates: Pod[] = []
  for (const [, pods] of nodes) {
    const found = newAndOld(c, pods)
    if (!found || (!found.newPod && !found.oldPod) || (found.newPod && found.oldPod)) {
      unavailable++ // the manage step is still at work here
      continue
    }
    const { newPod, oldPod } = found
    if (newPod) {
      if (!isAvailable(newPod, minReady(c.ds), c.now)) unavailable++
    } else if (!isAvailable(oldPod!, minReady(c.ds), c.now)) {
      plan.delete.push(oldPod!) // an old pod that is not available is replaced at once
      unavailable++
    } else if (unavailable < maxUnavailable) candidates.push(oldPod!)
  }
  const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length))
  plan.delete.push(...candidates.slice(0, room))
  return plan
}

interface SurgeView {
  names: string[]
  running: Map<string, Pod[]>
  byName: Map<string, Node>
  desired: number
  maxSurge: number
}

function withSurge(c: PlanContext, v: SurgeView): Plan {
  const plan = emptyPlan()
  const allowed: string[] = []
  const candidates: string[] = []
  const shouldNotRun: Pod[] = []
  let surging = 0
  let available = 0
  const avail = (p: Pod) => isAvailable(p, minReady(c.ds), c.now)
  const runs = (name: string) => {
    const node = v.byName.get(name)
    return !!node && nodeShouldRun(node, c.ds).shouldRun
  }
  for (const name of v.names) {
    const found = newAndOld(c, v.running.get(name)!)
    if (!found) {
      surging++
      continue
    }
    const { newPod, oldPod } = found
    if (oldPod ? avail(oldPod) : newPod && avail(newPod)) available++
    if (!oldPod) continue
    if (newPod) {
      if (avail(newPod)) plan.delete.push(oldPod)
      else surging++
    } else if (!avail(oldPod)) {
      if (runs(name)) allowed.push(name)
      else plan.delete.push(oldPod)
    } else if (!runs(name)) shouldNotRun.push(oldPod)
    else if (surging < v.maxSurge) candidates.push(name)
  }
  // only once the pods elsewhere are available do the ones on nodes that left go
  const deletable = Math.min(Math.max(0, available - v.desired), shouldNotRun.length)
  plan.delete.push(...shouldNotRun.slice(0, deletable))
  const room = Math.max(0, Math.min(v.maxSurge - surging, candidates.length))
  plan.create.push(...allowed, ...candidates.slice(0, room))
  return plan
}
