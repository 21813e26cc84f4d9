// The live planes on one store and which of them serves each node (several planes on one etcd,
// leaderElect). Each plane announces itself with a key /shoal/planes/<identity> on a store lease
// of its own (TTL ttlSeconds, default 3 s, kept alive every third of it): a plane killed with
// kill -9 is gone from every other plane's view when its lease expires, one that stops revokes
// its lease and is gone at once. Every plane watches the prefix and so holds the same list.
// A node is served by the live plane that ranks first for it by rendezvous (highest random
// weight) hashing: a plane that joins takes only the nodes that now rank it first (about 1/n of
// them), one that leaves gives only its own nodes to the others, each to its next-ranked plane.
// Fencing as the leader's (election.ts): a plane whose keep-alive has not succeeded for 2/3 of
// the TTL serves no node until it succeeds again, so by the time its key can expire and the
// others take its nodes it has let them go. A lease found expired is replaced and the key put
// again (the plane joins anew).
import { createHash } from 'node:crypto'
import {
  BadRequestError,
  isShoalError,
  type Clock,
  type Logger,
  type Timer,
} from '../../core/index.ts'
import type { Store, Watcher } from '../store/index.ts'

export const PLANES_PREFIX = '/shoal/planes/'
export const DEFAULT_MEMBER_TTL_SECONDS = 3

/** what each plane announces */
export interface PlaneRecord {
  identity: string
  /** the username it logs in to the broker with (two planes with one username would take each
   * other's broker session where the broker uses the username as the client id) */
  mqttUser?: string
}

/** the plane's random weight for the node: the first 64 bits of SHA-256(plane NUL node) */
function weight(plane: string, node: string): bigint {
  return createHash('sha256').update(`${plane}\u0000${node}`).digest().readBigUInt64BE(0)
}

/** the plane (of `planes`) that serves `node`: rendezvous hashing; undefined when none is live */
export function ownerOf(node: string, planes: readonly string[]): string | undefined {
  let best: string | undefined
  let bestWeight = -1n
  for (const p of planes) {
    const w = weight(p, node)
    if (w > bestWeight || (w === bestWeight && best !== undefined && p < best)) {
      best = p
      bestWeight = w
    }
  }
  return best
}

export interface MembersOptions {
  store: Store
  identity: string
  mqttUser?: string
  ttlSeconds?: number
  clock: Clock
  log: Logger
  /** the live set or this plane's standing changed: who serves what may have moved */
  changed?(): void
}

const enc = new TextEncoder()
const dec = new TextDecoder()
const keyOf = (identity: string) => PLANES_PREFIX + encodeURIComponent(identity)

export class PlaneMembers {
  readonly #o: MembersOptions & { ttlSeconds: number }
  readonly #live = new Map<string, PlaneRecord>()
  #leaseId = 0
  #fenced = false
  #stopped = false
  #renewTimer: Timer | undefined
  #fence: Timer | undefined
  #watcher: Watcher | undefined
  #sorted: string[] = []
  /** node → its plane in the current live set ('' none), filled as nodes are asked about */
  readonly #owners = new Map<string, string>()

  private constructor(o: MembersOptions) {
    this.#o = { ...o, ttlSeconds: o.ttlSeconds ?? DEFAULT_MEMBER_TTL_SECONDS }
  }

  /** announces this plane and reads the others; fails when another live plane logs in to the
   * broker with this plane's username */
  static async start(o: MembersOptions): Promise<PlaneMembers> {
    const m = new PlaneMembers(o)
    await m.#announce()
    await m.#listAndWatch()
    const twin = [...m.#live.values()].find(
      (r) => r.identity !== o.identity && o.mqttUser && r.mqttUser === o.mqttUser,
    )
    if (twin) {
      await m.stop()
      throw new BadRequestError(
        `plane: plane ${twin.identity} already logs in to the broker as ${o.mqttUser}; each plane needs a username of its own (shoal broker-config --planes N writes shoal-plane, shoal-plane-2, …; give it as --mqtt mqtts://shoal-plane-2@host:port)`,
      )
    }
    m.#armFence(o.clock.now())
    m.#scheduleRenew()
    return m
  }

  get identity(): string {
    return this.#o.identity
  }

  /** the live planes' identities, sorted */
  get live(): readonly string[] {
    return this.#sorted
  }

  /** does this plane serve `node` now? (asked for every message from a node: one map lookup) */
  owns(node: string): boolean {
    if (this.#fenced) return false
    if (this.#sorted.length === 1) return this.#sorted[0] === this.#o.identity
    return this.ownerOf(node) === this.#o.identity
  }

  /** the plane serving `node` in this plane's view */
  ownerOf(node: string): string | undefined {
    let owner = this.#owners.get(node)
    if (owner === undefined) {
      owner = ownerOf(node, this.#sorted) ?? ''
      this.#owners.set(node, owner)
    }
    return owner || undefined
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#renewTimer?.cancel()
    this.#fence?.cancel()
    this.#watcher?.cancel()
    const id = this.#leaseId
    this.#leaseId = 0
    if (id)
      await this.#o.store.leaseRevoke(id).catch((err: unknown) => {
        if (!isShoalError(err, 'NotFound'))
          this.#o.log.warn('could not revoke the plane lease; it expires by itself', {
            err: String(err),
          })
      })
  }

  async #announce(): Promise<void> {
    const lease = await this.#o.store.leaseGrant(this.#o.ttlSeconds)
    this.#leaseId = lease.id
    const record: PlaneRecord = { identity: this.#o.identity, mqttUser: this.#o.mqttUser }
    await this.#o.store.put(keyOf(this.#o.identity), enc.encode(JSON.stringify(record)), {
      lease: lease.id,
    })
  }

  async #listAndWatch(): Promise<void> {
    const r = await this.#o.store.range({ prefix: PLANES_PREFIX })
    this.#live.clear()
    for (const kv of r.kvs) this.#put(kv.key, kv.value)
    this.#update()
    this.#watcher?.cancel()
    this.#watcher = this.#o.store.watch(
      { prefix: PLANES_PREFIX },
      { startRevision: r.revision + 1 },
      {
        onEvents: (batch) => {
          for (const e of batch.events)
            if (e.type === 'delete') this.#live.delete(e.kv.key)
            else this.#put(e.kv.key, e.kv.value)
          this.#update()
        },
        onCancel: (reason) => {
          if (this.#stopped) return
          this.#o.log.warn('plane list watch ended; listing again', { err: reason.message })
          this.#relist()
        },
      },
    )
  }

  #relist(): void {
    if (this.#stopped) return
    this.#listAndWatch().catch((err: unknown) => {
      this.#o.log.warn('could not list the planes; again in 1 s', { err: String(err) })
      this.#o.clock.setTimeout(() => this.#relist(), 1000)
    })
  }

  #put(key: string, value: Uint8Array): void {
    try {
      const r = JSON.parse(dec.decode(value)) as PlaneRecord
      if (typeof r.identity === 'string') this.#live.set(key, r)
    } catch {
      this.#o.log.warn('unreadable plane record ignored', { key })
    }
  }

  #update(): void {
    const next = [...this.#live.values()].map((r) => r.identity).sort()
    if (next.join('\n') === this.#sorted.join('\n')) return
    this.#o.log.info('live planes', { planes: next })
    this.#sorted = next
    this.#owners.clear()
    this.#o.changed?.()
  }

  #setFenced(fenced: boolean, why: string): void {
    if (this.#fenced === fenced) return
    this.#fenced = fenced
    if (fenced) this.#o.log.warn('plane lease not renewed in time: serving no node', { why })
    else this.#o.log.info('plane lease renewed: serving nodes again')
    this.#o.changed?.()
  }

  #armFence(renewSentAt: number): void {
    this.#fence?.cancel()
    const deadline = Math.round((this.#o.ttlSeconds * 1000 * 2) / 3)
    const left = renewSentAt + deadline - this.#o.clock.now()
    this.#fence = this.#o.clock.setTimeout(
      () => this.#setFenced(true, `no keep-alive for ${deadline} ms`),
      Math.max(0, left),
    )
  }

  #scheduleRenew(): void {
    this.#renewTimer?.cancel()
    if (this.#stopped) return
    const every = Math.round((this.#o.ttlSeconds * 1000) / 3)
    this.#renewTimer = this.#o.clock.setTimeout(() => void this.#renew(), every)
  }

  async #renew(): Promise<void> {
    if (this.#stopped) return
    const sent = this.#o.clock.now()
    try {
      if (!this.#leaseId) await this.#announce()
      else await this.#o.store.leaseKeepAlive(this.#leaseId)
      if (this.#stopped) return
      this.#armFence(sent)
      this.#setFenced(false, 'renewed')
    } catch (err) {
      if (isShoalError(err, 'NotFound')) {
        this.#o.log.warn('plane lease expired; announcing this plane again')
        this.#leaseId = 0
        this.#setFenced(true, 'lease expired')
      } else this.#o.log.warn('plane lease keep-alive failed', { err: String(err) })
    }
    this.#scheduleRenew()
  }
}
