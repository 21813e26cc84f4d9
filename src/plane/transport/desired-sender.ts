// Sends each node its desired state and makes sure it is applied: the whole set when its hello
// says it applied an older revision (or none), when it asks (`applied` with resync) and on every
// resend; while it is online, a change of its set as the difference from the state last sent
// (desired-change: the pods whose view changed, the uids gone), so a node of 100 pods is not sent
// 100 pods for each one created. Until the node answers `applied` with that revision (or a later
// one) the whole set is sent again while the node is online, after RESEND.firstMs, doubling to
// RESEND.maxMs, RESEND.attempts times — then again at its next hello. Every send runs in the
// node's lane (`schedule`), one at a time. A change does not wait for the change before it to
// finish publishing (the embedded broker finishes a publish a turn or two of a busy event loop
// after its bytes are written; an external one, after its PUBACK): up to DESIRED_WINDOW of a
// node's changes may be unfinished, published in order on one link, each made on the one before
// it. A publish that fails makes the node's next send a whole set (a change already made on it
// does not fit what the node holds: the node asks for the whole set, `applied` with resync).
// A whole set is built (every image resolved) and CBOR-encoded once per revision: the bytes are
// kept until the node applies that revision, so the sends of a plane's start and the hellos that
// follow (a fleet reconnecting) and every resend reuse them. A set with an image that could not be
// resolved is not kept — the next send tries the registry again.
// `onlyConnected` (the embedded broker: the plane is the broker, and a node's session is clean):
// a node not heard since this plane started, or whose Will came, is sent nothing — nothing could
// reach it, and its hello on connecting asks for the set. Without it (an external broker, where
// nodes stay connected across a plane's restart and say no hello), a change to a node not heard
// is sent as the whole set.
import { nodeTopic } from '../../api/index.ts'
import type { Clock, Logger, Timer } from '../../core/index.ts'
import type { Bus } from './bus.ts'
import { encodeMessage } from './codec.ts'
import { desiredPod, desiredState } from './desired-state.ts'
import type { PodEntry, PodIndex } from './pod-index.ts'
import type { ResolveImage } from './ports.ts'

export interface ResendPolicy {
  firstMs: number
  maxMs: number
  attempts: number
}

export const RESEND: ResendPolicy = { firstMs: 5_000, maxMs: 60_000, attempts: 8 }

/** a node's desired-state changes that may be publishing at once */
export const DESIRED_WINDOW = 4

interface Link {
  online: boolean
  /** the revision the node last said it applied */
  applied: number
  attempts: number
  timer?: Timer
  /** what was last sent (a change is made from it): revision, and store key → uid and view */
  sent?: { revision: number; views: Map<string, { uid: string; view: string }> }
  /** changes published and not finished */
  publishing: Set<Promise<void>>
}

const viewsOf = (pods: PodEntry[]) =>
  new Map(pods.map((e) => [e.key, { uid: e.pod.metadata.uid ?? '', view: e.view }]))

export interface SenderOptions {
  bus: Bus
  index: PodIndex
  resolve: ResolveImage
  clock: Clock
  log: Logger
  resend?: ResendPolicy
  /** runs a send in the node's queue (resends go in line with the node's messages) */
  schedule(node: string, send: () => Promise<void>): void
  /** send nothing to a node not connected (the embedded broker): its hello asks for the set */
  onlyConnected?: boolean
}

export class DesiredSender {
  readonly #o: SenderOptions
  readonly #resend: ResendPolicy
  readonly #links = new Map<string, Link>()
  /** node → its whole set encoded, until the node applies that revision */
  readonly #encoded = new Map<string, { revision: number; bytes: Uint8Array }>()

  constructor(o: SenderOptions) {
    this.#o = o
    this.#resend = o.resend ?? RESEND
  }

  isOnline(node: string): boolean {
    return this.#links.get(node)?.online ?? false
  }

  /** publishes the node's whole desired set (and arms its resend) */
  async send(node: string): Promise<void> {
    const set = this.#o.index.setOf(node)
    const bytes = await this.#encode(node, set)
    const link = this.#link(node)
    link.sent = undefined
    await this.#o.bus.publish(nodeTopic(node, 'desired'), bytes)
    link.sent = { revision: set.revision, views: viewsOf(set.pods) }
    this.#arm(node)
  }

  /** the node's set changed: a new revision, tried afresh — as a change when one can be made */
  async changed(node: string): Promise<void> {
    const link = this.#link(node)
    link.attempts = 0
    const prev = link.sent
    if (!link.online && this.#o.onlyConnected) return // its hello will ask
    if (!link.online || !prev) return this.send(node)
    const set = this.#o.index.setOf(node)
    if (set.revision <= prev.revision) return // sent already
    const views = viewsOf(set.pods)
    const uids = new Set([...views.values()].map((v) => v.uid))
    const fresh = set.pods.filter((e) => prev.views.get(e.key)?.view !== e.view)
    const removed = [...prev.views.values()].filter((v) => !uids.has(v.uid)).map((v) => v.uid)
    const pods = await Promise.all(fresh.map((e) => desiredPod(e.pod, this.#o.resolve)))
    const change = {
      ...{ type: 'desired-change' as const, revision: set.revision, base: prev.revision },
      ...{ set: pods, removed },
    }
    const sent = { revision: set.revision, views }
    const publish = this.#o.bus.publish(nodeTopic(node, 'desired'), encodeMessage(change))
    link.sent = sent // the next change is made on this one, while it publishes
    this.#arm(node)
    const done: Promise<void> = publish.then(
      () => undefined,
      (err: Error) => {
        if (link.sent === sent) link.sent = undefined // the next send: the whole set
        this.#o.log.error('desired state change not published', {
          ...{ node, revision: set.revision, err: err.message },
        })
      },
    )
    link.publishing.add(done)
    void done.then(() => link.publishing.delete(done))
    while (link.publishing.size >= DESIRED_WINDOW) await Promise.race(link.publishing)
  }

  /** resolves once every change published so far has finished (or failed) */
  async idle(): Promise<void> {
    for (const link of this.#links.values()) await Promise.all(link.publishing)
  }

  /** the node asked for its whole set: a change did not fit what it holds */
  resync(node: string, appliedRevision: number): void {
    this.applied(node, appliedRevision)
    this.#o.schedule(node, () => this.send(node))
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
    if (appliedRevision === 0 || appliedRevision < desired)
      this.#o.schedule(node, () => this.send(node))
    else this.#disarm(link)
    return Promise.resolve()
  }

  applied(node: string, revision: number): void {
    const link = this.#link(node)
    link.applied = Math.max(link.applied, revision)
    const kept = this.#encoded.get(node)
    if (kept && kept.revision <= link.applied) this.#encoded.delete(node)
    if (link.applied >= this.#o.index.revisionOf(node)) this.#disarm(link)
  }

  online(node: string, online: boolean): void {
    const link = this.#link(node)
    link.online = online
    if (online) return
    this.#disarm(link)
    link.sent = undefined // it may miss what is sent while away: the whole set when it is back
  }

  /** the link to the broker came back: every node may have missed anything, so each node known
   * (by its messages or its pods; of those `only` keeps) is sent its whole set, in its lane */
  resendAll(only?: (node: string) => boolean): void {
    for (const node of new Set([...this.#links.keys(), ...this.#o.index.nodes()])) {
      if (only && !only(node)) continue
      const link = this.#link(node)
      link.sent = undefined
      link.attempts = 0
      this.#o.schedule(node, () => this.send(node))
    }
  }

  close(): void {
    for (const link of this.#links.values()) this.#disarm(link)
    this.#encoded.clear()
  }

  async #encode(node: string, set: { pods: PodEntry[]; revision: number }): Promise<Uint8Array> {
    const kept = this.#encoded.get(node)
    if (kept?.revision === set.revision) return kept.bytes
    const state = await desiredState(set, this.#o.resolve)
    const bytes = encodeMessage(state)
    if (state.pods.every((p) => Object.values(p.images).every((i) => 'digest' in i)))
      this.#encoded.set(node, { revision: set.revision, bytes })
    else this.#encoded.delete(node)
    return bytes
  }

  #link(node: string): Link {
    let link = this.#links.get(node)
    if (!link)
      this.#links.set(
        node,
        (link = { online: false, applied: 0, attempts: 0, publishing: new Set() }),
      )
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
