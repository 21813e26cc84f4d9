// Adapter over undici: keep-alive connection pools to this node's instances (plain HTTP on
// loopback, one pool per port) and to other nodes' meshes (mutual TLS, one pool per node,
// verified as that node: its certificate must name it and be signed by the fleet CA). A node
// that goes offline or moves has its pool destroyed at once. A renewed node certificate
// (setIdentity) makes new pools for the hops that follow; the old ones finish what they carry,
// then close. undici is loaded with the first
// table that has endpoints (or the first request): an idle agent, with nothing to route, does
// not carry it.
import type { Pool } from 'undici'
import type { MeshNode } from '../api/index.ts'
import type { MeshTlsOptions } from './types.ts'

const POOL = { connections: 256, keepAliveTimeout: 4_000, pipelining: 1 } as const

interface RemotePool {
  origin: string
  pool: Pool
}

export class Upstreams {
  #tls: MeshTlsOptions | undefined
  #local = new Map<number, Pool>()
  #remote = new Map<string, RemotePool>()
  #undici?: typeof import('undici')
  #loading?: Promise<void>

  constructor(tls: MeshTlsOptions | undefined) {
    this.#tls = tls
  }

  /** whether the pools can be made now (undici loaded) */
  get ready(): boolean {
    return this.#undici !== undefined
  }

  /** loads undici (once) */
  load(): Promise<void> {
    this.#loading ??= import('undici').then((m) => {
      // Node's namespace of a CommonJS module has named exports; the bundle's split chunk has
      // only `default` (module.exports), where `Pool` was undefined in dist/ (npm start)
      this.#undici = m.Pool ? m : (m.default as unknown as typeof m)
    })
    return this.#loading
  }

  local(port: number): Pool {
    let pool = this.#local.get(port)
    if (!pool)
      this.#local.set(port, (pool = new this.#undici!.Pool(`http://127.0.0.1:${port}`, POOL)))
    return pool
  }

  /** the pool to this node's mesh, or undefined when it cannot be reached (offline, no TLS) */
  remote(node: MeshNode): Pool | undefined {
    const tls = this.#tls
    if (!tls || !node.online || node.meshPort <= 0) return undefined
    const origin = `https://${node.address.includes(':') ? `[${node.address}]` : node.address}:${node.meshPort}`
    const had = this.#remote.get(node.name)
    if (had && had.origin === origin) return had.pool
    if (had) void had.pool.destroy()
    // undici would take the TLS server name from the request's Host (a Service's name): the
    // peer is verified as the node instead, whatever Host the request carries
    const connector = this.#undici!.buildConnector({ ca: tls.ca, cert: tls.cert, key: tls.key })
    const pool = new this.#undici!.Pool(origin, {
      ...POOL,
      connect: (opts, callback) => connector({ ...opts, servername: node.name }, callback),
    })
    this.#remote.set(node.name, { origin, pool })
    return pool
  }

  /** this node's certificate and key from now on: every node-to-node pool is replaced, the old
   *  ones closed once their requests in flight end */
  setIdentity(cert: string, key: string): void {
    if (!this.#tls) return
    this.#tls = { ...this.#tls, cert, key }
    for (const r of this.#remote.values()) void r.pool.close().catch(() => {})
    this.#remote.clear()
  }

  /** drop pools of nodes that are gone or offline, and of loopback ports no endpoint uses */
  prune(nodes: Map<string, MeshNode>, localPorts: Set<number>): void {
    for (const [name, r] of this.#remote) {
      const n = nodes.get(name)
      if (!n || !n.online) {
        void r.pool.destroy()
        this.#remote.delete(name)
      }
    }
    for (const [port, pool] of this.#local)
      if (!localPorts.has(port)) {
        void pool.close()
        this.#local.delete(port)
      }
  }

  async close(): Promise<void> {
    const pools = [...this.#local.values(), ...[...this.#remote.values()].map((r) => r.pool)]
    this.#local.clear()
    this.#remote.clear()
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})))
  }
}
