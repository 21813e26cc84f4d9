// Writes the Node objects of connected nodes: on hello (identity and resources, when they
// changed), on heartbeat (at most every NODE_STATUS_EVERY_MS, at once when a condition changes:
// the store's writes stay low with a fleet heartbeating), and when a connection is lost.
import { isDeepStrictEqual } from 'node:util'
import {
  invalidMessage,
  resourceByKind,
  validate,
  type Heartbeat,
  type Hello,
  type Node,
} from '../../api/index.ts'
import { isShoalError, type Clock, type Logger } from '../../core/index.ts'
import { conditionsChanged, withConnectionLost, withHeartbeat, withHello } from './node-status.ts'
import type { Objects } from './ports.ts'

const NODES = resourceByKind('Node')!
/** a heartbeat that changes no condition is written at most this often */
export const NODE_STATUS_EVERY_MS = 30_000

type Decide = (cur: Node | undefined, next: Node) => boolean

export class NodeObjects {
  readonly #objects: Objects
  readonly #clock: Clock
  readonly #log: Logger
  /** node → when its Node object was last written (clock ms) */
  readonly #written = new Map<string, number>()

  constructor(objects: Objects, o: { clock: Clock; log: Logger }) {
    this.#objects = objects
    this.#clock = o.clock
    this.#log = o.log
  }

  hello(node: string, hello: Hello): Promise<void> {
    return this.#write(
      node,
      (cur) => withHello(cur, node, hello),
      () => true,
    )
  }

  heartbeat(node: string, hb: Heartbeat): Promise<void> {
    const now = this.#now()
    const due = this.#clock.now() - (this.#written.get(node) ?? -Infinity) >= NODE_STATUS_EVERY_MS
    return this.#write(
      node,
      (cur) => withHeartbeat(cur, node, hb, now),
      (cur, next) => !cur || due || conditionsChanged(cur, next),
    )
  }

  /** the node's connection ended without a goodbye: its conditions become Unknown at once */
  lost(node: string): Promise<void> {
    const now = this.#now()
    return this.#write(
      node,
      (cur) => withConnectionLost(cur, node, now),
      (cur) => !!cur,
    )
  }

  /** RFC 3339 in whole seconds, as the API writes times */
  #now(): string {
    return new Date(this.#clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  async #write(node: string, make: (cur: Node | undefined) => Node, should: Decide) {
    for (let attempt = 1; ; attempt++) {
      const cur = (await this.#objects.get(NODES, { name: node })) as Node | undefined
      const next = make(cur)
      if (cur && isDeepStrictEqual(cur, next)) return
      if (!should(cur, next)) return
      const causes = validate(next)
      if (causes.length) {
        const why = invalidMessage({ kind: 'Node', name: node }, causes)
        this.#log.warn('node status refused', { node, why })
        return
      }
      try {
        if (cur) await this.#objects.replace(NODES, cur, next)
        else await this.#objects.create(NODES, next)
        this.#written.set(node, this.#clock.now())
        return
      } catch (err) {
        const raced = isShoalError(err, 'Conflict') || isShoalError(err, 'AlreadyExists')
        if (!raced || attempt >= 5) throw err
      }
    }
  }
}
