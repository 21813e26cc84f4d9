// NodePort listeners: one per port of an exposed Service that has a nodePort, on every node,
// opened and closed as tables come. A listener looks its Service up at each request, so a
// changed table needs no new socket; a port that cannot be bound is logged and tried again with
// the next table.
import { createServer, type Server } from 'node:http'
import type { MeshTable } from '../api/index.ts'
import { balance, type EntryContext } from './entry.ts'
import { reply } from './reply.ts'

interface Listener {
  server: Server
  key: string
  portName: string
  bound: number
}

export class NodePorts {
  #listeners = new Map<number, Listener>()
  readonly #ctx: EntryContext
  readonly #host: string

  constructor(ctx: EntryContext, host: string) {
    this.#ctx = ctx
    this.#host = host
  }

  bound(): Map<number, number> {
    return new Map([...this.#listeners].map(([p, l]) => [p, l.bound]))
  }

  /** open the node ports `table` asks for, close the others; resolves once all are tried */
  async sync(table: MeshTable): Promise<void> {
    const want = new Map<number, { key: string; portName: string }>()
    for (const s of table.services) {
      if (!s.exposed) continue
      for (const p of s.ports)
        if (p.nodePort && p.protocol === 'TCP')
          want.set(p.nodePort, { key: `${s.namespace}/${s.name}`, portName: p.name })
    }
    const closing: Promise<void>[] = []
    for (const [port, l] of this.#listeners)
      if (!want.has(port)) {
        this.#listeners.delete(port)
        closing.push(new Promise((resolve) => l.server.close(() => resolve())))
        l.server.closeIdleConnections()
      }
    const opening: Promise<void>[] = []
    for (const [port, target] of want) {
      const had = this.#listeners.get(port)
      if (had) Object.assign(had, target)
      else opening.push(this.#open(port, target))
    }
    await Promise.all([...closing, ...opening])
  }

  #open(port: number, target: { key: string; portName: string }): Promise<void> {
    const l: Listener = { server: createServer({ keepAlive: true }), ...target, bound: 0 }
    l.server.on('request', (req, res) => {
      const entry = this.#ctx.table.services.get(l.key)
      const route = entry?.ports.find((p) => p.port.name === l.portName)
      if (!entry || !route || !entry.service.exposed)
        return reply(res, 404, `mesh: node port ${port} serves no exposed service now`)
      balance(this.#ctx, { entry, route }, req, res, 'http')
    })
    this.#listeners.set(port, l)
    return new Promise((resolve) => {
      l.server.once('error', (err) => {
        this.#ctx.log(`mesh: node port ${port} (${l.key}) cannot be opened: ${err.message}`)
        if (this.#listeners.get(port) === l) this.#listeners.delete(port)
        resolve()
      })
      l.server.listen(port, this.#host, () => {
        l.bound = (l.server.address() as { port: number }).port
        resolve()
      })
    })
  }

  async close(): Promise<void> {
    const all = [...this.#listeners.values()]
    this.#listeners.clear()
    await Promise.all(all.map((l) => closeServer(l.server)))
  }
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
