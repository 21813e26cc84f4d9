// The node channel controller: the plane's side of the conversation with every node.
// - Desired state: pods are listed and watched (pod-watch.ts), grouped by spec.nodeName
//   (pod-index.ts); a node whose set changed is sent its desired state (desired-sender.ts).
//   Desired states go in a lane of their own per node, so a status write never waits behind a
//   publish and a publish never waits behind the store.
// - From nodes: every payload is decoded and checked (codec.ts); a malformed one is logged with
//   its node and dropped. hello → desired state if the node is behind, and its Node object;
//   applied → recorded (with resync: the whole set sent); status → pod statuses written, then
//   status-ack (status-writer.ts: a node's reports side by side, each pod's in order);
//   heartbeat → Node conditions (node-objects.ts), and with hello the node's Lease renewed
//   (node-leases.ts, at most every leaseRenewMs); stats → held in memory (node-stats.ts);
//   online "0" (the Last Will) → Node Unknown and its stats forgotten;
//   res → the log request it answers (log-requests.ts).
// - Mesh table: Services, EndpointSlices and Nodes watched (mesh-source.ts), each change built
//   once and sent to every connected node (mesh-sender.ts) in a lane of its own; hello carries
//   the node's meshRevision, mesh-applied answers. A Last Will makes the Node Unknown at once, so
//   every node's table shows it offline with that write.
// - Several planes (`owns`, leaderElect): each node is served by one plane. A message from a
//   node this plane does not serve is dropped before it is decoded (the topic names the node),
//   except stats (every plane keeps the whole fleet's usage: the leader's autoscalers and
//   `kubectl top` through any plane read it) and res (a log answer goes to the plane that asked,
//   whichever serves the node; the others find no request of that id). Every plane notes when it
//   last heard each node and its online flag (log requests go out from any plane). Desired
//   states and mesh tables go only to the nodes served. reown() (the live planes changed): a node
//   gained is sent its whole desired set and mesh table, as on a broker reconnect, and its Lease
//   renewed as of when this plane last heard it; a node lost has its resends stopped.
import { everyNode, OFFLINE, ONLINE, parseNodeTopic, type FromNode } from '../../api/index.ts'
import { systemClock, type Clock, type Logger } from '../../core/index.ts'
import type { Bus } from './bus.ts'
import { decodeFromNode } from './codec.ts'
import { DesiredSender, type ResendPolicy } from './desired-sender.ts'
import { LogRequests, type LogOptions } from './log-requests.ts'
import { MeshSender } from './mesh-sender.ts'
import { MeshSource } from './mesh-source.ts'
import type { LogLines } from './log-stream.ts'
import { NodeLeases } from './node-leases.ts'
import { NodeObjects } from './node-objects.ts'
import { NodeQueues } from './node-queues.ts'
import { NodeStats } from './node-stats.ts'
import { PodIndex } from './pod-index.ts'
import { PodWatch } from './pod-watch.ts'
import type { Objects, ResolveImage } from './ports.ts'
import { StatusWriter } from './status-writer.ts'

export interface NodeChannelOptions {
  bus: Bus
  objects: Objects
  resolveImage: ResolveImage
  log: Logger
  clock?: Clock
  resend?: ResendPolicy
  /** how long a node has to answer a log request */
  logAnswerMs?: number
  /** a node's Lease is written at most this often (default LEASE_RENEW_EVERY_MS) */
  leaseRenewMs?: number
  /** several planes: does this plane serve `node`? (absent: every node) */
  owns?: (node: string) => boolean
  /** several planes: this plane's name, shown on the node Leases it writes */
  servedBy?: string
  /** the broker is embedded (in this process): desired states go only to nodes connected — a
   * node's hello asks for its set (DesiredSender onlyConnected) */
  embedded?: boolean
}

const utf8 = new TextDecoder()

/** the message type each leaf from a node carries */
const LEAF_TYPE: Record<string, FromNode['type']> = {
  hello: 'hello',
  applied: 'applied',
  'mesh-applied': 'mesh-applied',
  status: 'status',
  heartbeat: 'heartbeat',
  stats: 'stats',
  res: 'response',
}

export class NodeChannel {
  /** what the nodes report of their usage */
  readonly stats: NodeStats
  readonly #log: Logger
  readonly #index = new PodIndex()
  readonly #queues: NodeQueues
  /** desired-state sends, per node, apart from the node's messages */
  readonly #desiredLane: NodeQueues
  readonly #sender: DesiredSender
  readonly #nodes: NodeObjects
  readonly #leases: NodeLeases
  readonly #logs: LogRequests
  readonly #watch: PodWatch
  readonly #meshSource: MeshSource
  readonly #mesh: MeshSender
  /** mesh table sends: one lane for every node (the same bytes go to all) */
  readonly #meshLane: NodeQueues
  readonly #statuses: StatusWriter
  /** nodes with a desired-state send queued and not yet begun */
  readonly #sendQueued = new Set<string>()
  readonly #owns?: (node: string) => boolean
  readonly #clock: Clock
  /** several planes: every node heard, served or not — when last and its online flag */
  readonly #heard = new Map<string, { at: number; online: boolean }>()
  /** several planes: the nodes served as of the last reown() */
  readonly #served = new Set<string>()
  #closed = false

  private constructor(o: NodeChannelOptions) {
    this.#log = o.log
    const clock = o.clock ?? systemClock
    this.#clock = clock
    this.#owns = o.owns
    this.stats = new NodeStats({ clock })
    this.#queues = new NodeQueues(o.log)
    this.#desiredLane = new NodeQueues(o.log)
    this.#statuses = new StatusWriter({ objects: o.objects, bus: o.bus, log: o.log })
    this.#sender = new DesiredSender({
      bus: o.bus,
      index: this.#index,
      resolve: o.resolveImage,
      clock,
      log: o.log,
      resend: o.resend,
      schedule: (node, send) => this.#desiredLane.run(node, 'desired state resend', send),
      onlyConnected: o.embedded,
    })
    this.#nodes = new NodeObjects(o.objects, { clock, log: o.log })
    this.#leases = new NodeLeases(o.objects, {
      ...{ clock, log: o.log, renewEveryMs: o.leaseRenewMs },
      servedBy: o.servedBy,
    })
    this.#logs = new LogRequests({
      bus: o.bus,
      clock,
      log: o.log,
      isOnline: (node) => this.isOnline(node),
      answerMs: o.logAnswerMs,
    })
    this.#meshLane = new NodeQueues(o.log)
    this.#meshSource = new MeshSource(o.objects, {
      ...{ clock, log: o.log },
      changed: () => this.#mesh.changed(),
    })
    this.#mesh = new MeshSender({
      ...{ bus: o.bus, source: this.#meshSource, clock, log: o.log, resend: o.resend },
      schedule: (what, send) => this.#meshLane.run('', what, send),
    })
    this.#watch = new PodWatch(o.objects, {
      clock,
      log: o.log,
      on: {
        rebuild: (pods, rev) => this.#index.rebuild(pods, rev).forEach((n) => this.#changed(n)),
        change: (key, pod, rev) =>
          this.#index.apply(key, pod, rev).forEach((n) => this.#changed(n)),
      },
    })
  }

  /** subscribes to every node's messages, then lists and watches the pods */
  static async start(o: NodeChannelOptions): Promise<NodeChannel> {
    const channel = new NodeChannel(o)
    for (const leaf of [...Object.keys(LEAF_TYPE), 'online'] as const)
      await o.bus.subscribe(everyNode(leaf as 'hello'), (topic, payload) =>
        channel.#message(topic, payload),
      )
    await channel.#watch.start()
    await channel.#meshSource.start()
    if (o.owns) {
      // served from the start, as sent by the pod watch's first list: not a move
      const known = new Set([...channel.#heard.keys(), ...channel.#index.nodes()])
      for (const node of known) if (o.owns(node)) channel.#served.add(node)
    }
    return channel
  }

  /** a container's log lines from the node running the pod (see LogRequests) */
  requestLogs(node: string, opts: LogOptions): LogLines {
    return this.#logs.open(node, opts)
  }

  isOnline(node: string): boolean {
    if (this.#owns) return this.#heard.get(node)?.online ?? false
    return this.#sender.isOnline(node)
  }

  /** does this plane serve `node`? */
  serves(node: string): boolean {
    return !this.#owns || this.#owns(node)
  }

  /** the bus lost its link to the broker and has it again: every node is sent its whole set */
  resyncAll(): void {
    if (this.#closed) return
    const only = this.#owns
    this.#sender.resendAll(only)
    this.#mesh.resendAll(only)
  }

  /** several planes: the live planes changed. Each node now served and not before is sent its
   * whole state (desired set, mesh table) as on a reconnect and its Lease renewed as of when
   * this plane last heard it; each node no longer served has its resends stopped. */
  reown(): void {
    const owns = this.#owns
    if (this.#closed || !owns) return
    const known = new Set([...this.#heard.keys(), ...this.#index.nodes(), ...this.#served])
    const gained: string[] = []
    const lost: string[] = []
    for (const node of known) {
      const mine = owns(node)
      if (mine === this.#served.has(node)) continue
      if (mine) {
        this.#served.add(node)
        gained.push(node)
        this.#gain(node)
      } else {
        this.#served.delete(node)
        lost.push(node)
        this.#sender.online(node, false)
        this.#mesh.online(node, false)
        this.#leases.forget(node)
      }
    }
    if (gained.length || lost.length)
      this.#log.info('nodes served changed', {
        gained: gained.length,
        lost: lost.length,
        serving: this.#served.size,
        ...(gained.length <= 20 ? { gainedNodes: gained } : {}),
      })
  }

  #gain(node: string): void {
    const heard = this.#heard.get(node)
    const online = heard?.online ?? false
    this.#sender.online(node, online)
    this.#mesh.online(node, online)
    this.#sender.resendAll((n) => n === node)
    this.#mesh.resendAll((n) => n === node)
    if (!online || !heard?.at) return
    const at = heard.at
    this.#queues.run(node, 'lease on takeover', () => this.#leases.heard(node, at))
  }

  /** resolves when every message received so far has been handled (tests) */
  async idle(): Promise<void> {
    const lanes = [this.#queues, this.#desiredLane, this.#sender, this.#meshLane, this.#statuses]
    await Promise.all(lanes.map((lane) => lane.idle()))
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#watch.stop()
    this.#meshSource.stop()
    this.#sender.close()
    this.#mesh.close()
    this.#logs.close()
    await this.idle()
  }

  #changed(node: string): void {
    if (this.#closed || this.#sendQueued.has(node)) return
    if (this.#owns && !this.#owns(node)) return
    this.#sendQueued.add(node)
    this.#desiredLane.run(node, 'desired state', () => {
      this.#sendQueued.delete(node)
      return this.#sender.changed(node)
    })
  }

  #message(topic: string, payload: Uint8Array): void {
    const t = parseNodeTopic(topic)
    if (!t || this.#closed) return
    const { node, leaf } = t
    if (this.#owns && !this.#sharded(node, leaf, payload)) return
    if (leaf === 'online') return this.#online(node, payload)
    const m = decodeFromNode(payload)
    if (!m.ok || m.value.type !== LEAF_TYPE[leaf]) {
      const why = m.ok ? `a ${m.value.type} message on the ${leaf} topic` : m.error
      this.#log.warn('malformed message dropped', { node, leaf, why, bytes: payload.length })
      return
    }
    this.#sender.online(node, true) // whatever it sends, it is connected (a late Will aside)
    this.#mesh.online(node, true)
    this.#dispatch(node, m.value)
  }

  /** several planes: notes the node heard; true when this plane serves it (its message is
   * handled in full), else handles what every plane handles (stats, log answers, the Will) */
  #sharded(node: string, leaf: string, payload: Uint8Array): boolean {
    const online = leaf === 'online' ? utf8.decode(payload) !== OFFLINE : true
    let heard = this.#heard.get(node)
    if (!heard) this.#heard.set(node, (heard = { at: 0, online }))
    heard.online = online
    // a retained online flag comes on every subscribe: it is not the node heard now
    if (leaf !== 'online') heard.at = this.#clock.now()
    if (this.#owns!(node)) {
      if (!this.#served.has(node)) {
        // heard before the live planes said so (its first message): served from now on
        this.#served.add(node)
      }
      return true
    }
    if (leaf === 'online') {
      if (online) return false
      this.#logs.nodeLost(node)
      this.stats.forget(node)
      return false
    }
    if (leaf !== 'stats' && leaf !== 'res') return false
    const m = decodeFromNode(payload)
    if (!m.ok || m.value.type !== LEAF_TYPE[leaf]) return false
    if (m.value.type === 'stats') this.stats.record(node, m.value)
    else if (m.value.type === 'response') this.#logs.onResponse(node, m.value)
    return false
  }

  #dispatch(node: string, m: FromNode): void {
    switch (m.type) {
      case 'response':
        return this.#logs.onResponse(node, m)
      case 'applied':
        if (m.resync) return this.#sender.resync(node, m.revision)
        return this.#sender.applied(node, m.revision)
      case 'mesh-applied':
        return this.#mesh.applied(node, m.revision, m.resync)
      case 'hello':
        this.#mesh.hello(node, m.meshRevision ?? 0)
        return this.#queues.run(node, 'hello', async () => {
          await this.#sender.hello(node, m.appliedRevision)
          await this.#nodes.hello(node, m)
          await this.#leases.heard(node)
        })
      case 'heartbeat':
        return this.#queues.run(node, 'heartbeat', async () => {
          await this.#nodes.heartbeat(node, m)
          await this.#leases.heard(node)
        })
      case 'stats':
        return this.stats.record(node, m)
      case 'status':
        return this.#statuses.write(node, m)
    }
  }

  #online(node: string, payload: Uint8Array): void {
    const flag = utf8.decode(payload)
    if (flag === ONLINE) return this.#sender.online(node, true)
    if (flag !== OFFLINE) return
    this.#sender.online(node, false)
    this.#mesh.online(node, false)
    this.#logs.nodeLost(node)
    this.stats.forget(node)
    this.#log.info('node connection lost', { node })
    this.#leases.forget(node)
    this.#queues.run(node, 'node lost', () => this.#nodes.lost(node))
  }
}
