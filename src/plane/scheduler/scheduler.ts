// The scheduler: nodes and pods listed then watched into the cache and the queue; a loop that
// takes a batch of pods, places each in turn (the cache assumes each placement at once, so the
// next pod sees it), then writes the batch's bindings side by side (the store commits them
// together). A pod placed nowhere gets PodScheduled=False with why, and a FailedScheduling
// event, and waits in the queue for the cluster to change.
import { isDeepStrictEqual } from 'node:util'
import {
  parseStoreKey,
  resourceByKind,
  storeKey,
  storePrefix,
  type Condition,
  type KubeObject,
  type Node,
  type Pod,
} from '../../api/index.ts'
import { isShoalError, systemClock, type Clock, type Logger } from '../../core/index.ts'
import { ListWatch } from '../store/index.ts'
import { bindPod } from './binding.ts'
import { isTerminal, SchedulerCache } from './cache.ts'
import { EventRecorder, COMPONENT } from './events.ts'
import { Framework } from './framework.ts'
import { DEFAULT_FILTERS, DEFAULT_SCORES } from './plugins.ts'
import { podView } from './pod-view.ts'
import type { Objects } from './ports.ts'
import { SchedulingQueue } from './queue.ts'
import type { NodeView } from './types.ts'

const PODS = resourceByKind('Pod')!
const NODES = resourceByKind('Node')!
const keyOf = (info: typeof PODS) => (o: KubeObject) =>
  storeKey(info, { namespace: o.metadata.namespace, name: o.metadata.name! })

export interface SchedulerOptions {
  log: Logger
  clock?: Clock
  /** pods placed per cycle before their bindings are written (default 512) */
  batch?: number
  /** as kube-scheduler's; default adaptive (50% at 100 nodes … 42% at 1,000, at least 100) */
  percentageOfNodesToScore?: number
  /** write a Scheduled event per bound pod (default true; FailedScheduling is always written) */
  scheduledEvents?: boolean
  /** queue timings (tests) */
  initialBackoffMs?: number
  maxBackoffMs?: number
}

/** the scheduler's pods: not bound, not being deleted, asking for it */
export const isOurs = (pod: Pod) =>
  !pod.spec?.nodeName &&
  !pod.metadata.deletionTimestamp &&
  (!pod.spec?.schedulerName || pod.spec.schedulerName === COMPONENT)

/** what a node's change means to placement (a heartbeat's times do not) */
const placementOf = (v: NodeView) => [v.ready, v.unschedulable, v.taints, v.labels, v.allocatable]

export class Scheduler {
  readonly #objects: Objects
  readonly #o: SchedulerOptions
  readonly #log: Logger
  readonly #cache = new SchedulerCache()
  readonly #queue: SchedulingQueue
  readonly #framework: Framework
  readonly #events: EventRecorder
  readonly #nodes: ListWatch<Node>
  readonly #pods: ListWatch<Pod>
  #wake: (() => void) | undefined
  #loop: Promise<void> | undefined
  #stopped = false

  constructor(objects: Objects, o: SchedulerOptions) {
    const clock = o.clock ?? systemClock
    this.#objects = objects
    this.#o = o
    this.#log = o.log
    this.#queue = new SchedulingQueue({
      clock,
      onReady: () => this.#wake?.(),
      initialBackoffMs: o.initialBackoffMs,
      maxBackoffMs: o.maxBackoffMs,
    })
    this.#framework = new Framework({
      filters: [...DEFAULT_FILTERS],
      scores: [...DEFAULT_SCORES],
      percentageOfNodesToScore: o.percentageOfNodesToScore,
    })
    this.#events = new EventRecorder(objects, { clock, log: o.log })
    const watch = { clock, log: o.log }
    this.#nodes = new ListWatch<Node>(objects, {
      ...watch,
      info: NODES,
      prefix: storePrefix(NODES),
      keyOf: keyOf(NODES),
      on: { rebuild: (items) => this.#nodesListed(items), change: (k, n) => this.#node(k, n) },
    })
    this.#pods = new ListWatch<Pod>(objects, {
      ...watch,
      info: PODS,
      prefix: storePrefix(PODS),
      keyOf: keyOf(PODS),
      on: { rebuild: (items) => this.#podsListed(items), change: (k, p) => this.#pod(k, p) },
    })
  }

  /** pods waiting to be placed (in the queue or being placed) */
  get pending(): number {
    return this.#queue.size
  }

  async start(): Promise<void> {
    await this.#nodes.start()
    await this.#pods.start()
    this.#loop = this.#run()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#nodes.stop()
    this.#pods.stop()
    this.#wake?.()
    await this.#loop
  }

  #nodesListed(items: { key: string; obj: Node }[]): void {
    const names = new Set(items.map((i) => i.obj.metadata.name!))
    for (const v of this.#cache.nodes()) if (!names.has(v.name)) this.#cache.removeNode(v.name)
    for (const i of items) this.#cache.setNode(i.obj)
    this.#queue.moveAll()
  }

  /** a node added, changed or (undefined: its key names it) deleted */
  #node(key: string, node: Node | undefined): void {
    if (!node) {
      const name = parseStoreKey(key)?.name
      if (name) this.#cache.removeNode(name)
      return
    }
    const before = this.#cache.node(node.metadata.name!)
    const after = this.#cache.setNode(node)
    if (!before || !isDeepStrictEqual(placementOf(before), placementOf(after)))
      this.#queue.moveAll()
  }

  /** every pod as listed (at start, and again after a watch compaction overtook): pods gone
   * meanwhile leave the cache and the queue */
  #podsListed(items: { key: string; obj: Pod }[]): void {
    const listed = new Set(items.map((i) => i.key))
    for (const key of this.#cache.podKeys()) if (!listed.has(key)) this.#cache.removePod(key)
    for (const key of this.#queue.keys()) if (!listed.has(key)) this.#queue.delete(key)
    for (const i of items) this.#pod(i.key, i.obj)
    this.#queue.moveAll()
  }

  #pod(key: string, pod: Pod | undefined): void {
    if (!pod || pod.spec?.nodeName || !isOurs(pod)) {
      this.#queue.delete(key)
      if (!pod || !pod.spec?.nodeName || isTerminal(pod)) {
        if (this.#cache.removePod(key)) this.#queue.moveAll() // its room is free again
        return
      }
      const bound = this.#cache.boundPod(key)
      if (bound?.node === pod.spec.nodeName) return
      const v = podView(key, pod)
      this.#cache.addPod(key, { node: pod.spec.nodeName, requests: v.requests, owner: v.owner })
      return
    }
    if (this.#cache.boundPod(key)) return // assumed: its binding is being written
    const before = this.#queue.pod(key)
    // a change of what placement reads retries it; a status write (ours) does not
    const moved =
      !!before &&
      (!isDeepStrictEqual(before.spec, pod.spec) ||
        !isDeepStrictEqual(before.metadata.labels, pod.metadata.labels))
    this.#queue.add(key, pod, { changed: moved })
  }

  /** places batch after batch; a batch's writes run while the next is placed (two at most) */
  async #run(): Promise<void> {
    const size = this.#o.batch ?? 512
    const writing = new Set<Promise<void>>()
    while (!this.#stopped) {
      const batch = this.#queue.pop(size)
      if (!batch.length) {
        if (writing.size) await Promise.race(writing)
        else await new Promise<void>((resolve) => (this.#wake = resolve))
        this.#wake = undefined
        continue
      }
      const done: Promise<void> = Promise.all(batch.map(({ key, pod }) => this.#place(key, pod)))
        .then(() => undefined)
        .finally(() => writing.delete(done))
      writing.add(done)
      if (writing.size >= 2) await Promise.race(writing)
    }
    await Promise.all(writing)
  }

  /** runs its placement at once (synchronously, before the first await), writes after */
  #place(key: string, pod: Pod): Promise<void> {
    const view = podView(key, pod)
    const p = this.#framework.schedule(view, this.#cache)
    if ('unschedulable' in p) return this.#unschedulable(key, pod, p.unschedulable)
    const node = p.node.name
    this.#cache.addPod(key, { node, requests: view.requests, owner: view.owner })
    return this.#bind(key, pod, node)
  }

  async #bind(key: string, pod: Pod, node: string): Promise<void> {
    const m = pod.metadata
    const where = { namespace: m.namespace, name: m.name! }
    try {
      await bindPod(this.#objects, where, { target: { node, uid: m.uid }, current: pod })
    } catch (err) {
      this.#cache.removePod(key)
      const gone = isShoalError(err, 'NotFound') || isShoalError(err, 'Conflict')
      if (gone)
        this.#queue.delete(key) // deleted, bound by another, or changed: the watch says
      else this.#queue.failed(key, 'error')
      this.#log.warn('binding failed', { pod: `${m.namespace}/${m.name}`, node, err: String(err) })
      return
    }
    this.#queue.done(key)
    if (this.#o.scheduledEvents !== false)
      void this.#events.record(pod, {
        type: 'Normal',
        reason: 'Scheduled',
        message: `Successfully assigned ${m.namespace}/${m.name} to ${node}`,
      })
  }

  async #unschedulable(key: string, pod: Pod, message: string): Promise<void> {
    this.#queue.failed(key, 'unschedulable')
    const m = pod.metadata
    this.#log.info('pod unschedulable', { pod: `${m.namespace}/${m.name}`, why: message })
    const event = this.#events.record(pod, { type: 'Warning', reason: 'FailedScheduling', message })
    const prev = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
    if (prev?.status !== 'False' || prev.reason !== 'Unschedulable' || prev.message !== message) {
      const cond: Condition = {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastTransitionTime:
          prev?.status === 'False'
            ? (prev.lastTransitionTime ?? this.#objects.now())
            : this.#objects.now(),
      }
      const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled')
      const next = {
        ...pod,
        status: { phase: 'Pending' as const, ...pod.status, conditions: [...others, cond] },
      }
      await this.#objects.replace(PODS, pod, next).catch((err: unknown) => {
        if (!isShoalError(err, 'Conflict') && !isShoalError(err, 'NotFound'))
          this.#log.warn('pod condition not written', {
            pod: `${m.namespace}/${m.name}`,
            err: String(err),
          })
      })
    }
    await event
  }
}
