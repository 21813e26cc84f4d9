// createAgent() for a program that runs Shoal inside itself: a node agent (joined once with a
// join token, its credentials kept in its data dir) as an EventEmitter with start() and stop().
// Its events come from the link (connected, disconnected) and from the pod statuses it reports.
import { EventEmitter } from 'node:events'
import type { PodStatusUpdate } from '../api/index.ts'
import { createLogger, NotFoundError } from '../core/index.ts'
import {
  createAgent as startAgent,
  joinPlane,
  loadCredentials,
  MqttChannel,
  nodeAddress,
  type Agent,
  type AgentMeshPorts,
  type AgentOptions,
} from '../node-agent/index.ts'
import type { JoinTicket } from './embedded-plane.ts'
import { ObservedChannel } from './observed-channel.ts'

export interface EmbeddedAgentOptions extends Omit<
  AgentOptions,
  'onPodStatus' | 'channel' | 'credentials'
> {
  /** join this plane as `node` on the first start (plane.joinToken() gives the rest); later
   * starts use the credentials the join left in dataDir */
  join?: JoinTicket & { node: string }
}

export interface PodEvent {
  namespace: string
  name: string
  uid: string
  /** container → the loopback port its instance serves on (http and handler kinds) */
  ports: Record<string, number>
}

export interface AgentEvents {
  /** the agent runs (its saved pods started, the link being made) */
  ready: [{ node: string }]
  /** the MQTT link to the plane is up (again) */
  connected: []
  /** the link dropped; the agent keeps its pods running and reconnects by itself */
  disconnected: []
  'pod-started': [PodEvent]
  /** deleted, moved away, or ended (Succeeded, Failed) */
  'pod-stopped': [PodEvent & { reason: string }]
  stopped: []
}

export class EmbeddedAgent extends EventEmitter<AgentEvents> {
  readonly #o: EmbeddedAgentOptions
  #agent: Agent | undefined
  /** the pods told 'pod-started', by uid */
  readonly #started = new Map<string, PodEvent>()

  constructor(o: EmbeddedAgentOptions) {
    super()
    this.#o = o
  }

  /** the node's name (once started) */
  get node(): string {
    return this.#running().node
  }

  /** the ports the mesh listens on (once started, with options.mesh) */
  meshPorts(): AgentMeshPorts | undefined {
    return this.#running().meshPorts()
  }

  async start(): Promise<this> {
    if (this.#agent) return this
    const o = this.#o
    const log = o.logger ?? createLogger('agent')
    if (o.join && !(await loadCredentials(o.dataDir, log)))
      await joinPlane({ ...o.join, addresses: [nodeAddress(o.address)], dataDir: o.dataDir, log })
    const credentials = await loadCredentials(o.dataDir, log)
    if (!credentials)
      throw new NotFoundError(`embed: ${o.dataDir} holds no credentials; pass join to join a plane`)
    const link = new MqttChannel({ credentials, log: log.child('mqtt') })
    this.#agent = await startAgent({
      ...o,
      logger: log,
      channel: new ObservedChannel(link, (up) => this.#later(up ? 'connected' : 'disconnected')),
      onPodStatus: (update) => this.#podStatus(update),
      onPodForgotten: (uid) => this.#stopped(uid, 'Gone'),
    })
    this.emit('ready', { node: this.#agent.node })
    return this
  }

  /** stops every pod (the desired state stays in dataDir for the next start) and the link */
  async stop(): Promise<void> {
    const agent = this.#agent
    if (!agent) return
    this.#agent = undefined
    await agent.close()
    this.#started.clear()
    this.emit('stopped')
  }

  #podStatus(u: PodStatusUpdate): void {
    const phase = u.status.phase
    if (u.gone || phase === 'Succeeded' || phase === 'Failed')
      return this.#stopped(u.uid, u.gone ? 'Gone' : phase!)
    if (phase !== 'Running' || this.#started.has(u.uid)) return
    const event = { namespace: u.namespace, name: u.name, uid: u.uid, ports: u.ports ?? {} }
    this.#started.set(u.uid, event)
    this.#later('pod-started', event)
  }

  #stopped(uid: string, reason: string): void {
    const event = this.#started.get(uid)
    if (!event) return
    this.#started.delete(uid)
    this.#later('pod-stopped', { ...event, reason })
  }

  /** listeners run on their own turn: a throwing one cannot break the agent's own work */
  #later<K extends keyof AgentEvents>(event: K, ...args: AgentEvents[K]): void {
    setImmediate(() => (this.emit as (e: K, ...a: AgentEvents[K]) => boolean)(event, ...args))
  }

  #running(): Agent {
    if (!this.#agent) throw new NotFoundError('embed: the agent is not started (await start())')
    return this.#agent
  }
}
