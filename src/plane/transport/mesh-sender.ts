// Sends every node the mesh table and makes sure it holds it — the desired-state protocol on the
// node's `mesh` leaf (desired-sender.ts), but one table for all: each change is built once
// (MeshSource.take) and encoded once, and the same bytes go to every connected node that holds
// the table the change starts from; a node holding anything else is sent the whole table
// (encoded once per revision). The whole table also goes on hello when the node's meshRevision
// differs, on `mesh-applied` with resync, and as the resend while a node has not answered (after
// RESEND.firstMs, doubling, RESEND.attempts times). Per node: a few numbers and a timer.
//
// Numbering: the highest store revision seen, and always above the last table sent — a node that
// holds a number the plane has not reached (a table numbered past the store's revision before a
// restart) lifts the plane's number past it, so a node never takes a newer table as stale.
// Sends run in one lane (`schedule`), at most one job queued: it publishes the change, if any,
// then the whole table to every node waiting for it (so a thousand hellos queue one job).
import { nodeTopic, type MeshChange, type MeshTableMessage } from '../../api/index.ts'
import type { Clock, Logger, Timer } from '../../core/index.ts'
import type { Bus } from './bus.ts'
import { encodeMessage } from './codec.ts'
import { RESEND, type ResendPolicy } from './desired-sender.ts'
import type { MeshSource } from './mesh-source.ts'

interface Link {
  online: boolean
  /** the revision the node last said it holds on disk */
  applied: number
  /** the revision last sent to it (a change goes only to a node sent its base) */
  sent?: number
  attempts: number
  timer?: Timer
}

export interface MeshSenderOptions {
  bus: Bus
  source: MeshSource
  clock: Clock
  log: Logger
  resend?: ResendPolicy
  /** runs a send in the mesh lane (one at a time) */
  schedule(what: string, send: () => Promise<void>): void
}

export class MeshSender {
  readonly #o: MeshSenderOptions
  readonly #resend: ResendPolicy
  readonly #links = new Map<string, Link>()
  /** the table's number (0: none built yet) */
  #revision = 0
  #whole?: { revision: number; bytes: Uint8Array }
  #queued = false
  #changed = false
  /** nodes to be sent the whole table by the next job */
  readonly #wholeFor = new Set<string>()

  constructor(o: MeshSenderOptions) {
    this.#o = o
    this.#resend = o.resend ?? RESEND
  }

  get revision(): number {
    return this.#revision
  }

  /** the source has changes: one build, sent to every node, in the lane */
  changed(): void {
    this.#changed = true
    this.#kick()
  }

  hello(node: string, meshRevision: number): void {
    const link = this.#link(node)
    link.online = true
    link.applied = meshRevision
    link.attempts = 0
    link.sent = meshRevision
    if (this.#revision === 0 || meshRevision === this.#revision) return this.#disarm(link)
    if (meshRevision > this.#revision) {
      this.#o.log.info('a node holds a mesh table numbered past the plane; renumbering', {
        ...{ node, held: meshRevision, revision: this.#revision },
      })
      this.#revision = meshRevision + 1
    }
    this.#want(node)
  }

  applied(node: string, revision: number, resync?: boolean): void {
    const link = this.#link(node)
    link.applied = Math.max(link.applied, revision)
    if (revision > this.#revision && this.#revision > 0) {
      // it holds a table another plane numbered past this one's (it served the node before):
      // renumbered past it and sent the whole table, which it would otherwise take as stale
      this.#o.log.info('a node holds a mesh table numbered past the plane; renumbering', {
        ...{ node, held: revision, revision: this.#revision },
      })
      this.#revision = revision + 1
      link.attempts = 0
      return this.#want(node)
    }
    if (resync) {
      link.attempts = 0
      this.#want(node)
    } else if (link.applied >= this.#revision) this.#disarm(link)
  }

  online(node: string, online: boolean): void {
    const link = this.#link(node)
    if (link.online === online) return
    link.online = online
    if (online) return
    this.#disarm(link)
    link.sent = undefined // it may miss what is sent while away: the whole table at its hello
  }

  /** the link to the broker came back: every node known (of those `only` keeps) is sent the
   * whole table */
  resendAll(only?: (node: string) => boolean): void {
    for (const node of new Set([...this.#links.keys(), ...this.#o.source.nodeNames()])) {
      if (only && !only(node)) continue
      const link = this.#link(node)
      link.sent = undefined
      link.attempts = 0
      this.#want(node)
    }
  }

  close(): void {
    for (const link of this.#links.values()) this.#disarm(link)
  }

  #want(node: string): void {
    this.#wholeFor.add(node)
    this.#kick()
  }

  #kick(): void {
    if (this.#queued) return
    this.#queued = true
    this.#o.schedule('mesh table', async () => {
      this.#queued = false
      if (this.#changed) {
        this.#changed = false
        await this.#publishChange()
      }
      const nodes = [...this.#wholeFor]
      this.#wholeFor.clear()
      await Promise.all(nodes.map((n) => this.#sendWhole(n)))
    })
  }

  async #publishChange(): Promise<void> {
    const diff = this.#o.source.take()
    if (!diff) return
    const base = this.#revision
    this.#revision = Math.max(diff.revision, base + 1)
    const { revision: _r, ...parts } = diff
    const change: MeshChange = { type: 'mesh-change', revision: this.#revision, base, ...parts }
    const bytes = encodeMessage(change)
    const sends: Promise<void>[] = []
    for (const [node, link] of this.#links) {
      if (!link.online || this.#wholeFor.has(node)) continue
      link.attempts = 0
      if (base === 0 || link.sent !== base) this.#wholeFor.add(node)
      else sends.push(this.#publish(node, link, bytes))
    }
    await Promise.all(sends)
  }

  async #sendWhole(node: string): Promise<void> {
    const link = this.#link(node)
    if (!link.online || this.#revision === 0) return
    if (this.#whole?.revision !== this.#revision) {
      const table: MeshTableMessage = {
        ...{ type: 'mesh', revision: this.#revision },
        ...this.#o.source.entries(),
      }
      this.#whole = { revision: this.#revision, bytes: encodeMessage(table) }
    }
    await this.#publish(node, link, this.#whole.bytes)
  }

  async #publish(node: string, link: Link, bytes: Uint8Array): Promise<void> {
    link.sent = undefined
    await this.#o.bus.publish(nodeTopic(node, 'mesh'), bytes)
    link.sent = this.#revision
    this.#arm(node, link)
  }

  #link(node: string): Link {
    let link = this.#links.get(node)
    if (!link) this.#links.set(node, (link = { online: false, applied: 0, attempts: 0 }))
    return link
  }

  #disarm(link: Link): void {
    link.timer?.cancel()
    link.timer = undefined
  }

  #arm(node: string, link: Link): void {
    this.#disarm(link)
    if (!link.online || link.applied >= this.#revision) return
    const r = this.#resend
    if (link.attempts >= r.attempts) {
      this.#o.log.warn('node has not taken the mesh table; waiting for its next hello', {
        ...{ node, revision: this.#revision, applied: link.applied },
      })
      return
    }
    const delay = Math.min(r.firstMs * 2 ** link.attempts, r.maxMs)
    link.timer = this.#o.clock.setTimeout(() => {
      link.timer = undefined
      link.attempts++
      this.#want(node)
    }, delay)
  }
}
