// The agent's side of the channel protocol. On every (re)connect: `hello` with the revision
// applied and this process's bootId, every unacknowledged status again, and a retry of what
// waited for the plane (image pulls, Secrets). Incoming bytes are decoded and checked; a
// malformed message is logged and dropped. `desired`: a newer revision is run at once, in arrival
// order, and answered `applied` once it is on disk; a stale one is ignored and the saved revision
// restated. `mesh` / `mesh-change`: the mesh table, taken the same way (mesh-cache.ts) and
// answered `mesh-applied` once on disk (with resync when a change does not fit the table held).
// `status-ack` clears the queue; `logs` / `cancel` go to the log streams.
// A heartbeat goes out every heartbeatMs while connected.
import type {
  DesiredChange,
  DesiredPod,
  DesiredState,
  FromNode,
  MeshChange,
  MeshTableMessage,
  NodeInfo,
  ToNode,
} from '../api/index.ts'
import type { Clock, Logger, Timer } from '../core/index.ts'
import type { DesiredCache } from './desired-cache.ts'
import type { MeshCache } from './mesh-cache.ts'
import { nodeConditions, type PressureThresholds } from './heartbeat.ts'
import type { LogStreams } from './log-stream.ts'
import type { StatusQueue } from './status-queue.ts'
import type { Channel } from './types.ts'
import { decodeMessage } from './wire.ts'

export interface SessionOptions {
  channel: Channel
  send(message: FromNode): boolean
  desired: DesiredCache
  mesh: MeshCache
  /** runs a desired set (the reconciler) */
  run(pods: DesiredPod[]): void
  queue: StatusQueue
  logs: LogStreams
  /** the link is back: retry what waited for the plane */
  retry(): void
  /** digests of the images held */
  images(): string[]
  info: NodeInfo
  bootId: string
  dataDir: string
  pressure?: PressureThresholds
  /** why the node is short of disk for its images after garbage collection, if it is */
  diskProblem?(): string | undefined
  heartbeatMs: number
  clock: Clock
  log: Logger
}

export class Session {
  readonly #o: SessionOptions
  #chain: Promise<void> = Promise.resolve()
  #timer: Timer | undefined
  #closed = false

  constructor(o: SessionOptions) {
    this.#o = o
  }

  open(): void {
    const { channel, log } = this.#o
    channel.open({
      connected: () => this.#connected(),
      disconnected: () => this.#o.logs.cancelAll(),
      message: (leaf, payload) => {
        const m = decodeMessage(leaf, payload)
        if (m.ok) return this.#dispatch(m.value)
        log.warn('dropped a malformed message', { leaf, bytes: payload.length, error: m.error })
      },
    })
    this.#every()
  }

  #connected(): void {
    const { send, desired, bootId, info, queue, mesh } = this.#o
    const meshRevision = mesh.savedRevision
    send({ type: 'hello', appliedRevision: desired.revision, bootId, info, meshRevision })
    queue.resendAll()
    this.#o.retry()
    void this.#beat()
  }

  #dispatch(m: ToNode): void {
    if (m.type === 'desired' || m.type === 'desired-change') {
      const done = this.#onDesired(m) // takes and runs it before its first await
      this.#chain = this.#chain.then(() => done)
    } else if (m.type === 'mesh' || m.type === 'mesh-change') {
      const done = this.#onMesh(m)
      this.#chain = this.#chain.then(() => done)
    } else if (m.type === 'status-ack') this.#o.queue.ack(m.id)
    else this.#o.logs.handle(m)
  }

  async #onDesired(m: DesiredState | DesiredChange): Promise<void> {
    const { desired, send, log } = this.#o
    if (
      m.type === 'desired-change' &&
      m.revision > desired.revision &&
      m.base !== desired.revision
    ) {
      log.info('a desired-state change does not fit the state held; asking for the whole set', {
        ...{ revision: m.revision, base: m.base, held: desired.revision },
      })
      send({ type: 'applied', revision: desired.savedRevision, resync: true })
      return
    }
    const d = m.type === 'desired' ? m : withChange(desired.state, m)
    const saving = desired.take(d)
    if (!saving) {
      log.debug('ignored a stale desired state', {
        revision: d.revision,
        applied: desired.revision,
      })
      if (desired.savedRevision >= d.revision)
        send({ type: 'applied', revision: desired.savedRevision })
      return
    }
    this.#o.run(d.pods) // at once; `applied` waits for the disk
    try {
      await saving
    } catch (error) {
      log.error('could not save the desired state; running it without answering applied', {
        revision: d.revision,
        error: (error as Error).message,
      })
      return
    }
    send({ type: 'applied', revision: desired.savedRevision })
  }

  async #onMesh(m: MeshTableMessage | MeshChange): Promise<void> {
    const { mesh, send, log } = this.#o
    const r = mesh.take(m)
    if (r.outcome === 'resync') {
      log.info('a mesh table change does not fit the table held; asking for the whole table', {
        ...{ revision: m.revision, base: m.type === 'mesh-change' ? m.base : undefined },
        held: mesh.table.revision,
      })
      send({ type: 'mesh-applied', revision: mesh.savedRevision, resync: true })
      return
    }
    if (r.outcome === 'stale') {
      if (mesh.savedRevision >= m.revision)
        send({ type: 'mesh-applied', revision: mesh.savedRevision })
      return
    }
    try {
      await r.saving
    } catch (error) {
      log.error('could not save the mesh table; routing by it without answering', {
        revision: m.revision,
        error: (error as Error).message,
      })
      return
    }
    send({ type: 'mesh-applied', revision: mesh.savedRevision })
  }

  async #beat(): Promise<void> {
    const conditions = await nodeConditions(
      this.#o.dataDir,
      this.#o.pressure,
      this.#o.diskProblem?.(),
    )
    if (this.#closed) return
    const time = this.#o.clock.now()
    this.#o.send({ type: 'heartbeat', time, conditions, images: this.#o.images() })
  }

  #every(): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      if (this.#o.channel.connected) void this.#beat()
      if (!this.#closed) this.#every()
    }, this.#o.heartbeatMs)
  }

  /** resolves once every desired state received so far is handled */
  settled(): Promise<void> {
    return this.#chain
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#timer?.cancel()
    this.#o.logs.cancelAll()
    await this.#chain
  }
}

/** the state `change` makes of `held` (whose revision is the change's base): pods kept in their
 * order, changed ones in place, new ones after them */
export function withChange(held: DesiredState, change: DesiredChange): DesiredState {
  const removed = new Set(change.removed)
  const set = new Map(change.set.map((p) => [p.uid, p]))
  const pods: DesiredPod[] = []
  for (const p of held.pods) {
    if (removed.has(p.uid)) continue
    pods.push(set.get(p.uid) ?? p)
    set.delete(p.uid)
  }
  pods.push(...set.values())
  return { type: 'desired', revision: change.revision, pods }
}
