// The node's pods driven to the desired set, the controller way: events (a new desired set, an
// instance status from the runtime, a back-off or pull that ended) only enqueue pod uids, and
// reconcile(uid) reads the desired pod and the runtime's instances and does only the difference
// (container-sync.ts per container), then reports the pod's status if it changed. A pod that is
// being deleted, or that left the desired set, is stopped within its grace period and forgotten
// — reported `gone` when it was deleted, its pending statuses dropped when it moved away.
// Reconciling the same set twice changes nothing: no instance of an unchanged pod is touched, and
// a new set looks only at the pods it adds, changes or leaves out (a node of 100 pods told of one
// more does not look at the other 100).
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DesiredPod, PodStatus, PodStatusUpdate } from '../api/index.ts'
import type { Timer } from '../core/index.ts'
import {
  ContainerSync,
  graceMs,
  newContainer,
  type ContainerRecord,
  type ContainerSyncOptions,
} from './container-sync.ts'
import { emptyDirs, parseInstanceId } from './instance-spec.ts'
import { KeyQueue } from './key-queue.ts'
import { podStatus, type ContainerView } from './pod-status.ts'

export interface ReconcilerOptions extends Omit<ContainerSyncOptions, 'wake' | 'podDir'> {
  /** <dataDir>/pods: each pod's emptyDir volumes */
  podsDir: string
  /** a pod's status changed (or it is gone) */
  report(update: PodStatusUpdate): void
  /** a pod left the node without being deleted: drop what is queued about it */
  forget(uid: string): void
  /** before a pod is stopped: no new request to it; resolves when those in flight are done
   * (the mesh's drainLocal; waited for at most the pod's grace period); undefined: no drain */
  drain?(uid: string): Promise<void> | undefined
}

interface PodRecord {
  pod: DesiredPod
  startTime: number
  containers: Map<string, ContainerRecord>
  status?: PodStatus
  reported?: string
  /** the next look that is due (a back-off ends), and when */
  timer?: Timer
  due?: number
}

/** container → the port its live instance serves on, on this node (http and handler kinds) */
function servingPorts(containers: ContainerView[]): Record<string, number> {
  const ports: Record<string, number> = {}
  for (const c of containers) {
    if (!c.instance?.url || c.instance.state === 'exited') continue
    const port = Number(new URL(c.instance.url).port)
    if (port > 0) ports[c.name] = port
  }
  return ports
}

export class Reconciler {
  readonly #o: ReconcilerOptions
  readonly #sync: ContainerSync
  readonly #queue: KeyQueue
  readonly #pods = new Map<string, PodRecord>()
  readonly #gone = new Set<string>()
  readonly #unsubscribe: () => void
  #desired = new Map<string, DesiredPod>()
  #closed = false

  constructor(o: ReconcilerOptions) {
    this.#o = o
    this.#queue = new KeyQueue(
      (uid) => this.#reconcile(uid),
      (uid, error) => o.log.error('reconcile failed', { uid, error: (error as Error).message }),
    )
    this.#sync = new ContainerSync({
      ...o,
      podDir: (uid) => join(o.podsDir, uid),
      wake: (uid, ms) => this.#wake(uid, ms),
    })
    this.#unsubscribe = o.runtime.onStatus((s) => {
      const uid = parseInstanceId(s.id)?.uid
      if (uid && (this.#pods.has(uid) || this.#desired.has(uid))) this.enqueue(uid)
    })
  }

  /** a new desired set: only the pods it adds, changes (a new object) or leaves out are looked at */
  setDesired(pods: DesiredPod[]): void {
    const next = new Map(pods.map((p) => [p.uid, p]))
    const before = this.#desired
    const uids = new Set([...before.keys(), ...next.keys(), ...this.#pods.keys()])
    this.#desired = next
    for (const uid of this.#gone) if (!next.has(uid)) this.#gone.delete(uid)
    for (const uid of uids) {
      const pod = next.get(uid)
      if (!pod || pod !== before.get(uid) || !this.#pods.has(uid)) this.enqueue(uid)
    }
  }

  enqueue(uid: string): void {
    if (!this.#closed) this.#queue.add(uid)
  }

  /** every pod the agent runs or is asked to (an image arrived, a back-off ended) */
  enqueueAll(): void {
    for (const uid of new Set([...this.#pods.keys(), ...this.#desired.keys()])) this.enqueue(uid)
  }

  /** every pod again (the link is back: retry what waits for the plane) */
  retryNow(): void {
    const retrying = ['ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError']
    for (const r of this.#pods.values())
      for (const cr of r.containers.values())
        if (cr.waiting && retrying.includes(cr.waiting.reason ?? '')) {
          cr.notBefore = 0
          cr.retry.reset()
        }
    this.enqueueAll()
  }

  /** look at the pod again in ms (the earliest of the looks asked for wins) */
  #wake(uid: string, ms: number): void {
    const r = this.#pods.get(uid)
    const due = this.#o.clock.now() + Math.max(0, ms)
    if (!r || (r.due !== undefined && r.due <= due && r.due > this.#o.clock.now())) return
    r.timer?.cancel()
    r.due = due
    r.timer = this.#o.clock.setTimeout(() => {
      r.due = undefined
      this.enqueue(uid)
    }, ms)
  }

  async #reconcile(uid: string): Promise<void> {
    if (this.#closed) return
    const pod = this.#desired.get(uid)
    if (!pod || pod.deletionTimestamp) return this.#teardown(uid, pod)
    let r = this.#pods.get(uid)
    if (!r) {
      r = { pod, startTime: this.#o.clock.now(), containers: new Map() }
      this.#pods.set(uid, r)
      for (const dir of emptyDirs(pod, join(this.#o.podsDir, uid)))
        await mkdir(dir, { recursive: true, mode: 0o700 })
    }
    r.pod = pod
    for (const c of pod.spec.containers) {
      let cr = r.containers.get(c.name)
      if (!cr) r.containers.set(c.name, (cr = newContainer(uid, c.name, this.#o)))
      await this.#sync.sync(pod, c, cr)
    }
    for (const [name, cr] of r.containers) {
      if (pod.spec.containers.some((c) => c.name === name)) continue
      await this.#o.runtime.stop(cr.id, { graceMs: graceMs(pod) })
      this.#o.runtime.remove(cr.id)
      r.containers.delete(name)
    }
    this.#report(r)
  }

  async #teardown(uid: string, deleted: DesiredPod | undefined): Promise<void> {
    const r = this.#pods.get(uid)
    if (r) {
      r.timer?.cancel()
      const graceful = await this.#drain(uid, graceMs(deleted ?? r.pod))
      await Promise.all(
        [...r.containers.values()].map((cr) => this.#o.runtime.stop(cr.id, { graceMs: graceful })),
      )
      r.status = podStatus(this.#view(r), r.status, this.#o.clock.now())
      for (const cr of r.containers.values()) this.#o.runtime.remove(cr.id)
      this.#pods.delete(uid)
      await rm(join(this.#o.podsDir, uid), { recursive: true, force: true })
      this.#o.log.info('stopped a pod', { uid, pod: `${r.pod.namespace}/${r.pod.name}` })
    }
    if (!deleted) return this.#o.forget(uid)
    if (this.#gone.has(uid)) return
    this.#gone.add(uid)
    const status =
      r?.status ??
      podStatus(
        this.#view({ pod: deleted, startTime: 0, containers: new Map() }),
        undefined,
        this.#o.clock.now(),
      )
    this.#o.report({ uid, namespace: deleted.namespace, name: deleted.name, status, gone: true })
  }

  /** the mesh drains the pod, within `grace` ms; answers the grace left for stopping it */
  async #drain(uid: string, grace: number): Promise<number> {
    const { clock } = this.#o
    const draining = this.#o.drain?.(uid)
    if (!draining) return grace
    const start = clock.now()
    let timer: Timer | undefined
    await Promise.race([
      draining.catch(() => undefined),
      new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, grace))),
    ])
    timer?.cancel()
    return Math.max(0, grace - (clock.now() - start))
  }

  #view(r: PodRecord) {
    const containers: ContainerView[] = r.pod.spec.containers.map((c) => {
      const cr = r.containers.get(c.name)
      const digest = r.pod.images[c.name]
      return {
        name: c.name,
        image: c.image,
        imageID: cr?.imageID ?? (digest && 'digest' in digest ? digest.digest : undefined),
        instance: cr && this.#o.runtime.status(cr.id),
        waiting: cr?.waiting,
        terminated: cr?.terminated,
        lastTerminated: cr?.lastTerminated,
        restartCount: cr?.restarts ?? 0,
        readyWhenRunning: cr?.kind === 'command' && !c.readinessProbe,
      }
    })
    return {
      uid: r.pod.uid,
      spec: r.pod.spec,
      containers,
      startTime: r.startTime,
      hostIP: this.#o.hostIP,
    }
  }

  #report(r: PodRecord): void {
    const view = this.#view(r)
    r.status = podStatus(view, r.status, this.#o.clock.now())
    const ports = servingPorts(view.containers)
    const text = JSON.stringify([r.status, ports])
    if (text === r.reported) return
    r.reported = text
    const { uid, namespace, name } = r.pod
    this.#o.report({ uid, namespace, name, status: r.status, ports })
  }

  /** the pod (by namespace/name) and its containers, for logs */
  find(
    namespace: string,
    name: string,
  ): { pod: DesiredPod; containers: ContainerRecord[] } | undefined {
    for (const r of this.#pods.values())
      if (r.pod.namespace === namespace && r.pod.name === name)
        return { pod: r.pod, containers: [...r.containers.values()] }
    return undefined
  }

  /** every pod held and its containers (stats) */
  held(): { uid: string; namespace: string; name: string; containers: ContainerRecord[] }[] {
    return [...this.#pods.values()].map(({ pod: { uid, namespace, name }, containers }) => ({
      ...{ uid, namespace, name },
      containers: [...containers.values()],
    }))
  }

  /** resolves once no pod is being reconciled */
  idle(): Promise<void> {
    return this.#queue.idle()
  }

  /** shutdown: every instance stopped (grace capped at maxGraceMs), nothing reported */
  async close(maxGraceMs: number): Promise<void> {
    this.#closed = true
    this.#unsubscribe()
    await this.#queue.idle()
    const stops: Promise<void>[] = []
    for (const r of this.#pods.values()) {
      const grace = Math.min(graceMs(r.pod), maxGraceMs)
      r.timer?.cancel()
      for (const cr of r.containers.values())
        stops.push(this.#o.runtime.stop(cr.id, { graceMs: grace }))
    }
    await Promise.all(stops)
  }
}
