// The mesh table compiled for routing: per Service and port, the endpoints that may take new
// requests split into local (this node) and remote (an online node with a mesh), and the
// loopback ports of this node's endpoints (what the mTLS listener may forward to); and the
// Ingress rules (ingress-routes.ts). Endpoint state, Service counters and affinity survive a new
// table (keyed by Service and pod uid).
import type {
  MeshIngressTls,
  MeshNode,
  MeshService,
  MeshServicePort,
  MeshTable,
} from '../api/index.ts'
import { Affinity } from './affinity.ts'
import { EndpointState } from './endpoint-state.ts'
import { Histogram } from './histogram.ts'
import { IngressRoutes } from './ingress-routes.ts'

export interface PortRoute {
  port: MeshServicePort
  local: EndpointState[]
  remote: EndpointState[]
  /** local then remote, for round robin */
  all: EndpointState[]
  next: number
}

export interface ServiceCounters {
  requests: number
  errors: number
  latency: Histogram
}

export interface ServiceEntry {
  key: string
  service: MeshService
  ports: PortRoute[]
  counters: ServiceCounters
  affinity: Affinity | undefined
  /** loopback port → this node's endpoint serving on it (ready, serving or draining) */
  localPorts: Map<number, EndpointState>
}

/** how long a node-to-node hop to a local endpoint that left the table is answered 503, not 403 */
const GONE_MS = 30_000

export class RoutingTable {
  revision = -1
  services = new Map<string, ServiceEntry>()
  nodes = new Map<string, MeshNode>()
  /** the Ingress rules the public and TLS ingress listeners route by */
  ingress = new IngressRoutes()
  ingressTls: MeshIngressTls[] = []
  #states = new Map<string, EndpointState>()
  #counters = new Map<string, ServiceCounters>()
  #affinity = new Map<string, Affinity>()
  /** pod uids drained on this node (drainLocal) */
  readonly draining = new Set<string>()
  /** "<service key>\0<loopback port>" → until when (ms): this node's endpoints that left the
   * table lately — a node whose table lags may still send there (answered 503, so it retries) */
  readonly #gone = new Map<string, number>()

  /** the port was one of this node's endpoints of the Service until lately */
  recentlyGone(key: string, port: number, now: number): boolean {
    const until = this.#gone.get(`${key}\0${port}`)
    return until !== undefined && until > now
  }

  /** every endpoint state ever routed to, for metrics */
  states(): IterableIterator<[string, EndpointState]> {
    return this.#states.entries()
  }

  counters(): IterableIterator<[string, ServiceCounters]> {
    return this.#counters.entries()
  }

  /** false when `table` is older than the one in use */
  apply(table: MeshTable, nodeName: string): boolean {
    if (table.revision < this.revision) return false
    this.revision = table.revision
    this.nodes = new Map(table.nodes.map((n) => [n.name, n]))
    this.ingress = new IngressRoutes(table.ingress)
    this.ingressTls = table.ingressTls ?? []
    const services = new Map<string, ServiceEntry>()
    const live = new Set<string>()
    for (const service of table.services) {
      const entry = this.#compile(service, nodeName, live)
      services.set(entry.key, entry)
    }
    // a drained pod gone from the table is forgotten
    for (const uid of this.draining) if (!live.has(uid)) this.draining.delete(uid)
    for (const key of this.#states.keys()) {
      const s = this.#states.get(key)!
      if (!live.has(key) && s.outstanding === 0 && s.requests === 0) this.#states.delete(key)
    }
    this.#remember(services, Date.now())
    this.services = services
    return true
  }

  #remember(next: Map<string, ServiceEntry>, now: number): void {
    for (const [k, until] of this.#gone) if (until <= now) this.#gone.delete(k)
    for (const [key, entry] of this.services)
      for (const port of entry.localPorts.keys())
        if (!next.get(key)?.localPorts.has(port)) this.#gone.set(`${key}\0${port}`, now + GONE_MS)
  }

  #compile(service: MeshService, nodeName: string, live: Set<string>): ServiceEntry {
    const key = `${service.namespace}/${service.name}`
    let counters = this.#counters.get(key)
    if (!counters)
      this.#counters.set(key, (counters = { requests: 0, errors: 0, latency: new Histogram() }))
    let affinity: Affinity | undefined
    if (service.sessionAffinity === 'ClientIP') {
      affinity = this.#affinity.get(key) ?? new Affinity()
      affinity.timeoutMs = (service.sessionAffinityTimeoutSeconds ?? 10800) * 1000
      this.#affinity.set(key, affinity)
    } else this.#affinity.delete(key)
    const localPorts = new Map<number, EndpointState>()
    const states: EndpointState[] = []
    for (const endpoint of service.endpoints) {
      const sk = `${key}\0${endpoint.uid}`
      live.add(sk)
      live.add(endpoint.uid)
      const local = endpoint.node === nodeName
      let state = this.#states.get(sk)
      if (!state || state.local !== local)
        this.#states.set(sk, (state = new EndpointState(endpoint, local)))
      state.endpoint = endpoint
      state.draining = this.draining.has(endpoint.uid)
      states.push(state)
      if (local && (endpoint.serving || endpoint.ready))
        for (const p of Object.values(endpoint.ports)) localPorts.set(p, state)
    }
    const ports = service.ports.map((port) => this.#route(port, states))
    return { key, service, ports, counters, affinity, localPorts }
  }

  #route(port: MeshServicePort, states: EndpointState[]): PortRoute {
    const local: EndpointState[] = []
    const remote: EndpointState[] = []
    for (const s of states) {
      const e = s.endpoint
      if (!e.ready || e.terminating || e.ports[port.name] === undefined) continue
      if (s.local) local.push(s)
      else {
        const node = this.nodes.get(e.node)
        if (node && node.online && node.meshPort > 0) remote.push(s)
      }
    }
    return { port, local, remote, all: [...local, ...remote], next: 0 }
  }
}
