// The node's mesh table on disk (<dataDir>/mesh.json, 0600): the last table the agent took, with
// its revision, as desired-cache.ts keeps the desired state. A whole table (`mesh`) numbered
// above the one held is taken; a `mesh-change` is taken only when its base is the revision held
// (else the plane is asked for the whole table); anything numbered at or below the one held is
// stale. What is taken is the table at once (listeners are told before it is on disk: routing
// should not wait for a disk) and saved in the background, one save at a time, the latest
// state written; `mesh-applied` is answered once it is on disk. Loaded at start so the mesh
// routes with no plane in sight.
import {
  meshServiceKey,
  type MeshChange,
  type MeshTable,
  type MeshTableMessage,
} from '../api/index.ts'
import type { Logger } from '../core/index.ts'
import { readState, writeState } from './state-file.ts'

export type MeshListener = (table: MeshTable) => void

/** what taking a message did: `saving` resolves once it (or a later table) is on disk */
export type MeshTake =
  { outcome: 'taken'; saving: Promise<void> } | { outcome: 'stale' } | { outcome: 'resync' }

const EMPTY: MeshTable = { revision: 0, services: [], nodes: [] }

export class MeshCache {
  readonly #path: string
  readonly #log: Logger
  #table: MeshTable
  #saved: number
  #chain: Promise<unknown> = Promise.resolve()
  readonly #listeners = new Set<MeshListener>()

  private constructor(path: string, table: MeshTable, log: Logger) {
    this.#path = path
    this.#table = table
    this.#saved = table.revision
    this.#log = log
  }

  static async load(path: string, log: Logger): Promise<MeshCache> {
    const saved = await readState<MeshTable>(path, log)
    const ok =
      !!saved &&
      Number.isSafeInteger(saved.revision) &&
      Array.isArray(saved.services) &&
      Array.isArray(saved.nodes)
    if (saved && !ok) log.error('the saved mesh table is malformed; starting from none', { path })
    return new MeshCache(path, ok ? saved : EMPTY, log)
  }

  /** the table held (revision 0: none yet) */
  get table(): MeshTable {
    return this.#table
  }

  get savedRevision(): number {
    return this.#saved
  }

  /** calls `listener` with every table taken from now on; returns its removal */
  listen(listener: MeshListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  take(m: MeshTableMessage | MeshChange): MeshTake {
    const held = this.#table.revision
    if (m.revision <= held) return { outcome: 'stale' }
    if (m.type === 'mesh-change' && m.base !== held) return { outcome: 'resync' }
    const next = m.type === 'mesh' ? tableOf(m) : withMeshChange(this.#table, m)
    this.#table = next
    for (const l of this.#listeners) {
      try {
        l(next)
      } catch (error) {
        this.#log.error('a mesh table listener failed', { error: (error as Error).message })
      }
    }
    const run = this.#chain.then(async () => {
      if (this.#saved >= next.revision) return // a later table is on disk already
      const table = this.#table
      await writeState(this.#path, table)
      this.#saved = Math.max(this.#saved, table.revision)
    })
    this.#chain = run.catch(() => undefined)
    return { outcome: 'taken', saving: run }
  }
}

const tableOf = (m: MeshTableMessage): MeshTable => ({
  revision: m.revision,
  services: m.services,
  nodes: m.nodes,
  ...(m.ingress ? { ingress: m.ingress } : {}),
  ...(m.ingressTls ? { ingressTls: m.ingressTls } : {}),
})

/** the table `change` makes of `held` (whose revision is its base): entries kept in their order,
 * changed ones in place, new ones after them; the Ingress lists replaced whole when sent */
export function withMeshChange(held: MeshTable, change: MeshChange): MeshTable {
  const ingress = change.ingress ?? held.ingress
  const ingressTls = change.ingressTls ?? held.ingressTls
  return {
    revision: change.revision,
    services: merge(held.services, change.services, change.removedServices, meshServiceKey),
    nodes: merge(held.nodes, change.nodes, change.removedNodes, (n) => n.name),
    ...(ingress ? { ingress } : {}),
    ...(ingressTls ? { ingressTls } : {}),
  }
}

function merge<T>(held: T[], set: T[], removed: string[], key: (x: T) => string): T[] {
  const gone = new Set(removed)
  const fresh = new Map(set.map((x) => [key(x), x]))
  const out: T[] = []
  for (const x of held) {
    const k = key(x)
    if (gone.has(k)) continue
    out.push(fresh.get(k) ?? x)
    fresh.delete(k)
  }
  out.push(...fresh.values())
  return out
}
