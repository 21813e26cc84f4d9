// The mesh table kept from the store: Services, EndpointSlices, Nodes and Ingresses listed,
// then watched from the revision after (ListWatch: none missed, a rebuild after compaction). A
// change marks the Service (or Node) it touches, or the Ingress lists; `take()` rebuilds only
// the marked entries and answers what differs from the table it last answered — the Services
// and Nodes set whole, the keys gone, the Ingress lists whole when they changed — numbered by
// the highest store revision seen. Nothing is kept per pod.
import {
  meshServiceKey,
  resourceByKind,
  type Ingress,
  storeKey,
  storePrefix,
  type EndpointSlice,
  type KubeObject,
  type MeshNode,
  type MeshService,
  type Node,
  type ResourceInfo,
  type Service,
} from '../../api/index.ts'
import type { Clock, Logger } from '../../core/index.ts'
import { ListWatch } from '../store/index.ts'
import { meshNode, meshService } from './mesh-entries.ts'
import { ingressEntries, type IngressEntries } from './mesh-ingress.ts'
import type { Objects } from './ports.ts'

const SERVICES = resourceByKind('Service')!
const SLICES = resourceByKind('EndpointSlice')!
const NODES = resourceByKind('Node')!
const INGRESSES = resourceByKind('Ingress')!
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

/** what changed since the last take */
export interface MeshDiff {
  /** the highest store revision seen */
  revision: number
  services: MeshService[]
  removedServices: string[]
  nodes: MeshNode[]
  removedNodes: string[]
  /** the Ingress routes and TLS entries, whole, when they changed */
  ingress?: IngressEntries['ingress']
  ingressTls?: IngressEntries['ingressTls']
}

const sliceOwner = (s: EndpointSlice) =>
  `${s.metadata.namespace ?? ''}/${s.metadata.labels?.[SERVICE_NAME_LABEL] ?? ''}`

export interface MeshSourceOptions {
  clock: Clock
  log: Logger
  /** something changed: a take() will find it */
  changed(): void
}

export class MeshSource {
  readonly #o: MeshSourceOptions
  readonly #services = new Map<string, Service>()
  /** slice store key → slice; Service key → its slices' store keys */
  readonly #slices = new Map<string, EndpointSlice>()
  readonly #slicesOf = new Map<string, Set<string>>()
  readonly #nodes = new Map<string, Node>()
  /** the entries as last taken */
  readonly #serviceEntries = new Map<string, MeshService>()
  readonly #nodeEntries = new Map<string, MeshNode>()
  readonly #dirtyServices = new Set<string>()
  readonly #dirtyNodes = new Set<string>()
  readonly #ingresses = new Map<string, Ingress>()
  #ingressEntries: IngressEntries = { ingress: [], ingressTls: [] }
  #dirtyIngress = false
  readonly #watches: ListWatch<KubeObject>[]
  #revision = 0

  constructor(objects: Objects, o: MeshSourceOptions) {
    this.#o = o
    const watch = (info: ResourceInfo, on: (key: string, obj: KubeObject | undefined) => void) =>
      new ListWatch<KubeObject>(objects, {
        info,
        prefix: storePrefix(info),
        keyOf: (x) => storeKey(info, { namespace: x.metadata.namespace, name: x.metadata.name! }),
        on: {
          rebuild: (items, rev) => {
            this.#forgetAll(info)
            for (const i of items) on(i.key, i.obj)
            this.#seen(rev)
          },
          change: (key, obj, rev) => {
            on(key, obj)
            this.#seen(rev)
          },
        },
        clock: o.clock,
        log: o.log,
      })
    // deletions name only the store key: Services and Nodes are found by its last parts
    this.#watches = [
      watch(SERVICES, (k, s) => this.#service(keyName(k), s as Service | undefined)),
      watch(SLICES, (k, s) => this.#slice(k, s as EndpointSlice | undefined)),
      watch(NODES, (k, n) => this.#node(k.slice(k.lastIndexOf('/') + 1), n as Node | undefined)),
      watch(INGRESSES, (k, i) => this.#ingress(k, i as Ingress | undefined)),
    ]
  }

  async start(): Promise<void> {
    for (const w of this.#watches) await w.start()
  }

  stop(): void {
    for (const w of this.#watches) w.stop()
  }

  /** the highest store revision seen */
  get revision(): number {
    return this.#revision
  }

  /** every node the store knows */
  nodeNames(): string[] {
    return [...this.#nodes.keys()]
  }

  /** the whole table as of the last take (the Ingress lists only when there are any) */
  entries(): { services: MeshService[]; nodes: MeshNode[] } & Partial<IngressEntries> {
    const { ingress, ingressTls } = this.#ingressEntries
    return {
      services: [...this.#serviceEntries.values()],
      nodes: [...this.#nodeEntries.values()],
      ...(ingress.length ? { ingress } : {}),
      ...(ingressTls.length ? { ingressTls } : {}),
    }
  }

  /** rebuilds what changed; undefined when nothing did */
  take(): MeshDiff | undefined {
    const diff: MeshDiff = {
      ...{ revision: this.#revision, services: [], removedServices: [] },
      ...{ nodes: [], removedNodes: [] },
    }
    for (const key of this.#dirtyServices) {
      const svc = this.#services.get(key)
      const slices = [...(this.#slicesOf.get(key) ?? [])].map((k) => this.#slices.get(k)!)
      const entry = svc && meshService(svc, slices)
      const had = this.#serviceEntries.get(key)
      if (entry && (!had || JSON.stringify(had) !== JSON.stringify(entry))) {
        this.#serviceEntries.set(key, entry)
        diff.services.push(entry)
      } else if (!entry && had) {
        this.#serviceEntries.delete(key)
        diff.removedServices.push(meshServiceKey(had))
      }
    }
    for (const name of this.#dirtyNodes) {
      const node = this.#nodes.get(name)
      const entry = node && meshNode(node)
      const had = this.#nodeEntries.get(name)
      if (entry && (!had || JSON.stringify(had) !== JSON.stringify(entry))) {
        this.#nodeEntries.set(name, entry)
        diff.nodes.push(entry)
      } else if (!entry && had) {
        this.#nodeEntries.delete(name)
        diff.removedNodes.push(name)
      }
    }
    this.#dirtyServices.clear()
    this.#dirtyNodes.clear()
    const ingress = this.#takeIngress()
    if (ingress) Object.assign(diff, ingress)
    const n = diff.services.length + diff.removedServices.length
    return n + diff.nodes.length + diff.removedNodes.length || ingress ? diff : undefined
  }

  /** the Ingress lists that changed since the last take */
  #takeIngress(): Partial<IngressEntries> | undefined {
    if (!this.#dirtyIngress) return undefined
    this.#dirtyIngress = false
    const next = ingressEntries(this.#ingresses.values())
    const had = this.#ingressEntries
    this.#ingressEntries = next
    const out: Partial<IngressEntries> = {}
    if (JSON.stringify(had.ingress) !== JSON.stringify(next.ingress)) out.ingress = next.ingress
    if (JSON.stringify(had.ingressTls) !== JSON.stringify(next.ingressTls))
      out.ingressTls = next.ingressTls
    return Object.keys(out).length ? out : undefined
  }

  #seen(rev: number): void {
    this.#revision = Math.max(this.#revision, rev)
    if (this.#dirtyServices.size || this.#dirtyNodes.size || this.#dirtyIngress) this.#o.changed()
  }

  #forgetAll(info: ResourceInfo): void {
    if (info === SERVICES) {
      for (const k of this.#services.keys()) this.#dirtyServices.add(k)
      this.#services.clear()
    } else if (info === SLICES) {
      for (const k of this.#slicesOf.keys()) this.#dirtyServices.add(k)
      this.#slices.clear()
      this.#slicesOf.clear()
    } else if (info === INGRESSES) {
      this.#ingresses.clear()
      this.#dirtyIngress = true
    } else {
      for (const k of this.#nodes.keys()) this.#dirtyNodes.add(k)
      this.#nodes.clear()
    }
  }

  #service(key: string, svc: Service | undefined): void {
    if (svc) this.#services.set(key, svc)
    else this.#services.delete(key)
    this.#dirtyServices.add(key)
  }

  #slice(key: string, slice: EndpointSlice | undefined): void {
    const had = this.#slices.get(key)
    if (had) {
      this.#slicesOf.get(sliceOwner(had))?.delete(key)
      this.#dirtyServices.add(sliceOwner(had))
    }
    if (!slice) {
      this.#slices.delete(key)
      return
    }
    const owner = sliceOwner(slice)
    this.#slices.set(key, slice)
    let set = this.#slicesOf.get(owner)
    if (!set) this.#slicesOf.set(owner, (set = new Set()))
    set.add(key)
    this.#dirtyServices.add(owner)
  }

  #ingress(key: string, ing: Ingress | undefined): void {
    if (ing) this.#ingresses.set(key, ing)
    else this.#ingresses.delete(key)
    this.#dirtyIngress = true
  }

  #node(name: string, node: Node | undefined): void {
    if (node) this.#nodes.set(name, node)
    else this.#nodes.delete(name)
    this.#dirtyNodes.add(name)
  }
}

/** "…/services/<ns>/<name>" → "<ns>/<name>" */
const keyName = (key: string) => key.split('/').slice(-2).join('/')
