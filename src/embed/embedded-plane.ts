// createPlane() for a program that runs Shoal inside itself: the plane (store, API server,
// registry, embedded broker, scheduler, controllers) as an EventEmitter with start() and stop(),
// and what such a program needs next — a join token for its agents, HTTPS as admin.
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UnavailableError } from '../core/index.ts'
import {
  caCertHash,
  createPlane as startPlane,
  createTokenStore,
  type Plane,
  type PlaneOptions,
} from '../plane/index.ts'
import { adminClient, readAdminKubeconfig, type AdminClient, type Answer } from './admin-client.ts'

export type EmbeddedPlaneOptions = Omit<PlaneOptions, 'onNodeJoined' | 'insecureHttp'>

export interface PlaneEvents {
  /** the API serves at url; nodes connect to mqttUrl */
  ready: [{ url: string; mqttUrl?: string }]
  /** a node joined with a join token (its first start; later starts only reconnect) */
  'node-joined': [{ node: string }]
  stopped: []
}

/** what an agent joins with: createAgent({ join: plane.joinToken(), … }) */
export interface JoinTicket {
  plane: string
  token: string
  caCertHash: string
  /** the token's user, system:bootstrap:ID: plane.revoke(user) ends it once its nodes joined */
  user: string
}

export class EmbeddedPlane extends EventEmitter<PlaneEvents> implements AdminClient {
  readonly #o: EmbeddedPlaneOptions
  #plane: Plane | undefined
  #admin: AdminClient | undefined

  constructor(o: EmbeddedPlaneOptions) {
    super()
    this.#o = o
  }

  /** the API's URL, e.g. https://127.0.0.1:6443 (once started) */
  get url(): string {
    return this.#running().url
  }

  /** the broker the nodes connect to (once started) */
  get mqttUrl(): string | undefined {
    return this.#running().mqttUrl
  }

  /** <dataDir>/admin.kubeconfig: kubectl --kubeconfig FILE, shoal --kubeconfig FILE */
  get adminKubeconfig(): string {
    return join(this.#o.dataDir, 'admin.kubeconfig')
  }

  get running(): boolean {
    return this.#plane !== undefined
  }

  async start(): Promise<this> {
    if (this.#plane) return this
    this.#plane = await startPlane({
      ...this.#o,
      onNodeJoined: (node) => setImmediate(() => this.emit('node-joined', { node })),
    })
    const { server, ca, token } = readAdminKubeconfig(this.adminKubeconfig)
    this.#admin = adminClient({ url: server, ca, token })
    this.emit('ready', { url: this.#plane.url, mqttUrl: this.#plane.mqttUrl })
    return this
  }

  /** a new join token, valid until revoked (plane.revoke(ticket.user)) */
  joinToken(): JoinTicket {
    const ca = readFileSync(join(this.#o.dataDir, 'pki', 'ca.crt'), 'utf8')
    const tokens = createTokenStore(this.#o.dataDir)
    const before = new Set(tokens.list().map((t) => t.user))
    const token = tokens.issue({ role: 'join' })
    const user = tokens.list().find((t) => t.role === 'join' && !before.has(t.user))!.user
    return { plane: this.url, token, caCertHash: caCertHash(ca), user }
  }

  /** ends every token of a user (a join token's: system:bootstrap:ID); how many there were */
  revoke(user: string): number {
    return createTokenStore(this.#o.dataDir).revoke(user)
  }

  request(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.#adminClient().request(method, path, body)
  }

  pushImage(name: string, tag: string, bytes: Uint8Array): Promise<string> {
    return this.#adminClient().pushImage(name, tag, bytes)
  }

  async stop(): Promise<void> {
    const plane = this.#plane
    if (!plane) return
    this.#plane = undefined
    this.#admin = undefined
    await plane.close()
    this.emit('stopped')
  }

  #running(): Plane {
    if (!this.#plane) throw new UnavailableError('embed: the plane is not started (await start())')
    return this.#plane
  }

  #adminClient(): AdminClient {
    this.#running()
    return this.#admin!
  }
}
