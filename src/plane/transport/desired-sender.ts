// Sends each node its desired state and makes sure it is applied: published when the node's set
// changes and when its hello says it applied an older revision (or none); until the node answers
// `applied` with that revision (or a later one) it is sent again while the node is online, after
// RESEND.firstMs, doubling to RESEND.maxMs, RESEND.attempts times — then again at its next hello.
import { nodeTopic } from '../../api/index.ts'
import type { Clock, Logger, Timer } from '../../core/index.ts'
import type { Bus } from './bus.ts'
import { encodeMessage } from './codec.ts'
import { desiredState } from './desired-state.ts'
import type { PodIndex } from './pod-index.ts'
import type { ResolveImage } from './ports.ts'

export interface ResendPolicy {
  firstMs: number
  maxMs: number
  attempts: number
}

export const RESEND: ResendPolicy = { firstMs: 5_000, maxMs: 60_000, attempts: 8 }

interface Link {
  online: boolean
  /** the revision the node last said it applied */
  applied: number
  attempts: number
  timer?: Timer
}

export interface SenderOptions {
  bus: Bus
  index: PodIndex
  resolve: ResolveImage
  clock: Clock
  log: Logger
  resend?: ResendPolicy
  /** runs a send in the node's queue (resends go in line with the node's messages) */
  schedule(node: string, send: () => Promise<void>): void
}

export class DesiredSender {
  readonly #o: SenderOptions
  readonly #resend: ResendPolicy
  readonly #links = new Map<string, Link>()

  constructor(o: SenderOptions) {
    this.#o = o
    this.#resend = o.resend ?? RESEND
  }

  isOnline(node: string): boolean {
    return this.#links.get(node)?.online ?? false
  }

  /** publishes the node's current desired state (and arms its resend) */
  async send(node: string): Promise<void> {
    const state = await desiredState(this.#o.index.setOf(node), this.#o.resolve)
    await this.#o.bus.publish(nodeTopic(node, 'desired'), encodeMessage(state))
    this.#arm(node)
  }

  /** the node's set changed: a new revision, tried afresh */
  changed(node: string): Promise<void> {
    this.#link(node).attempts = 0
    return this.send(node)
  }

  hello(node: string, appliedRevision: number): Promise<void> {
    const link = this.#link(node)
    link.online = true
    link.applied = appliedRevision
    link.attempts = 0
    const desired = this.#o.index.revisionOf(node)
    if (appliedRevision > desired)
      this.#o.log.warn('node applied a revision the plane has not reached', {
        node,
        applied: appliedRevision,
        desired,
      })
    if (appliedRevision === 0 || appliedRevision < desired) return this.send(node)
    this.#disarm(link)
    return Promise.resolve()
  }

  applied(node: string, revision: number): void {
    const link = this.#link(node)
    link.applied = Math.max(link.applied, revision)
    if (link.applied >= this.#o.index.revisionOf(node)) this.#disarm(link)
  }

  online(node: string, online: boolean): void {
    const link = this.#link(node)
    link.online = online
    if (!online) this.#disarm(link)
  }

  close(): void {
    for (const link of this.#links.values()) this.#disarm(link)
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

  #arm(node: string): void {
    const link = this.#link(node)
    this.#disarm(link)
    const desired = this.#o.index.revisionOf(node)
    if (!link.online || link.applied >= desired) return
    const r = this.#resend
    if (link.attempts >= r.attempts) {
      this.#o.log.warn('node has not applied its desired state; waiting for its next hello', {
        node,
        desired,
        applied: link.applied,
      })
      return
    }
    const delay = Math.min(r.firstMs * 2 ** link.attempts, r.maxMs)
    link.timer = this.#o.clock.setTimeout(() => {
      link.timer = undefined
      link.attempts++
      this.#o.schedule(node, () => this.send(node))
    }, delay)
  }
}
