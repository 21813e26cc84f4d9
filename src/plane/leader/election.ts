// Leader election on any Store, as etcd's concurrency package (Session + Election) and
// Kubernetes' leaderelection do it:
// - a session lease (TTL ttlSeconds, default 15 s) kept alive every renewMs (default 5 s);
// - campaign: one txn puts the election key with the lease iff the key does not exist
//   (compare createRevision = 0); the winner leads for as long as that key is its own;
// - a follower watches the key and campaigns again when it is deleted (resigned, or its
//   holder's lease expired);
// - fencing: the leader steps down (its work stopped) once renewDeadlineMs (default 2/3 of the
//   TTL, 10 s) has passed since the send of its last successful keep-alive. The lease then has
//   at least TTL − renewDeadline (5 s) left, so the work is stopped before anyone else can win.
//   A keep-alive answered "not found", or the key seen deleted or taken, steps down at once;
// - stop() resigns: the work is stopped, then the lease revoked, so a follower takes over at
//   once instead of after the TTL.
import { isShoalError, systemClock, type Clock, type Logger, type Timer } from '../../core/index.ts'
import type { KeyValue, Store, Watcher } from '../store/index.ts'

/** the key the plane's scheduler + controllers are elected on */
export const LEADER_KEY = '/shoal/leader/controller-manager'
export const DEFAULT_LEASE_TTL_SECONDS = 15
export const DEFAULT_RENEW_MS = 5_000

export interface ElectionOptions {
  store: Store
  /** who this candidate is (shown as the leader's holderIdentity) */
  identity: string
  key?: string
  ttlSeconds?: number
  renewMs?: number
  /** a leader whose lease has not been renewed for this long steps down (default 2/3 of the TTL) */
  renewDeadlineMs?: number
  /** wait after a failed campaign step (store unreachable) before trying again (default 1 s) */
  retryMs?: number
  clock?: Clock
  log: Logger
  /** leadership won: start the single-writer work (a throw steps down again) */
  onStartedLeading(): Promise<void> | void
  /** leadership lost or resigned: stop that work at once */
  onStoppedLeading(reason: string): Promise<void> | void
  /** the leader's lease was renewed (ms on the clock); the leader's Lease object is written here */
  onRenewed?(): Promise<void> | void
}

const utf8 = new TextEncoder()
const text = new TextDecoder()

export class LeaderElection {
  readonly #o: ElectionOptions & {
    key: string
    ttlSeconds: number
    renewMs: number
    renewDeadlineMs: number
  }
  readonly #clock: Clock
  #leaseId = 0
  /** every lease this candidate was granted: a key on one of them is never reclaimed */
  readonly #held = new Set<number>()
  #leading = false
  #stopped = false
  #holder: string | undefined
  #renewTimer: Timer | undefined
  #fence: Timer | undefined
  /** ends the current term (leader) or wait (follower) */
  #wake: (() => void) | undefined
  #watcher: Watcher | undefined
  /** start/stop callbacks, one at a time and in order */
  #work: Promise<void> = Promise.resolve()
  #loop: Promise<void> = Promise.resolve()

  constructor(o: ElectionOptions) {
    const ttlSeconds = o.ttlSeconds ?? DEFAULT_LEASE_TTL_SECONDS
    const renewMs = o.renewMs ?? Math.min(DEFAULT_RENEW_MS, (ttlSeconds * 1000) / 3)
    const renewDeadlineMs = o.renewDeadlineMs ?? Math.round((ttlSeconds * 1000 * 2) / 3)
    if (!(renewMs < renewDeadlineMs && renewDeadlineMs < ttlSeconds * 1000))
      throw new RangeError(
        `leader: need renew interval < renew deadline < lease TTL, got ${renewMs} ms, ${renewDeadlineMs} ms, ${ttlSeconds} s`,
      )
    this.#o = { ...o, key: o.key ?? LEADER_KEY, ttlSeconds, renewMs, renewDeadlineMs }
    this.#clock = o.clock ?? systemClock
  }

  /** starts campaigning in the background */
  start(): this {
    this.#loop = this.#run()
    return this
  }

  get isLeader(): boolean {
    return this.#leading
  }

  /** the leader's identity as last seen (undefined: no leader known) */
  get leader(): string | undefined {
    return this.#holder
  }

  /** resigns: the work stopped, the lease revoked (the key goes with it) */
  async stop(): Promise<void> {
    if (this.#stopped) return this.#loop
    this.#stopped = true
    this.#renewTimer?.cancel()
    await this.#stepDown('resigned')
    this.#wake?.()
    await this.#loop
    await this.#work
    await this.#revoke()
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#ensureLease()
        const won = await this.#campaign()
        if (this.#stopped) break
        if (won) await this.#lead(won)
        else await this.#follow()
      } catch (err) {
        if (this.#stopped) break
        this.#o.log.warn('leader election step failed; again', { err: String(err) })
        await this.#sleep(this.#o.retryMs ?? 1000)
      }
    }
  }

  async #ensureLease(): Promise<void> {
    if (this.#leaseId) return
    const lease = await this.#o.store.leaseGrant(this.#o.ttlSeconds)
    this.#leaseId = lease.id
    this.#held.add(lease.id)
    this.#scheduleRenew()
  }

  /** the revision this candidate's key was created at, or 0 when another holds the key */
  async #campaign(): Promise<number> {
    const { key } = this.#o
    const lease = this.#leaseId
    const r = await this.#o.store.txn({
      compare: [{ key, target: 'createRevision', result: 'equal', value: 0 }],
      success: [{ type: 'put', key, value: utf8.encode(this.#o.identity), lease }],
      failure: [{ type: 'range', select: { key } }],
    })
    if (r.succeeded) {
      this.#holder = this.#o.identity
      return r.revision
    }
    const kv = r.results[0]?.type === 'range' ? r.results[0].kvs[0] : undefined
    if (kv?.lease === lease) {
      this.#holder = this.#o.identity
      return kv.createRevision // ours already
    }
    this.#holder = kv ? text.decode(kv.value) : undefined
    if (kv && this.#holder === this.#o.identity && !this.#held.has(kv.lease))
      return this.#reclaim(kv)
    return 0
  }

  /** the key names this candidate under a lease it never held (this plane restarted): moved to the new
   * lease at once, as client-go renews a Lease whose holder is itself, instead of waiting for the
   * old lease to expire. Identities must therefore be unique among live candidates. */
  async #reclaim(kv: KeyValue): Promise<number> {
    const { key } = this.#o
    const r = await this.#o.store.txn({
      compare: [{ key, target: 'modRevision', result: 'equal', value: kv.modRevision }],
      success: [{ type: 'put', key, value: kv.value, lease: this.#leaseId }],
    })
    if (!r.succeeded) return 0 // changed meanwhile: campaign again
    this.#o.log.info('reclaimed the leadership held by this identity before a restart')
    return kv.createRevision
  }

  /** leads until the term ends (stepped down) */
  async #lead(createRevision: number): Promise<void> {
    this.#leading = true
    const ended = new Promise<void>((resolve) => (this.#wake = resolve))
    this.#armFence(this.#clock.now())
    this.#watchKey(createRevision + 1, (kv) => {
      if (!kv || kv.createRevision !== createRevision) void this.#stepDown('election key lost')
    })
    this.#o.log.info('became the leader', { identity: this.#o.identity, key: this.#o.key })
    this.#serial(async () => {
      if (!this.#leading) return
      try {
        await this.#o.onStartedLeading()
      } catch (err) {
        this.#o.log.error('starting the leader work failed; stepping down', { err: String(err) })
        void this.#stepDown('leader work failed to start')
      }
    })
    await ended
  }

  /** waits until the key is gone (or the watch ends), then returns to campaign again */
  async #follow(): Promise<void> {
    const cur = await this.#o.store.get(this.#o.key)
    if (!cur) return
    this.#holder = text.decode(cur.value)
    this.#o.log.info('following the leader', { leader: this.#holder })
    const vacant = new Promise<void>((resolve) => (this.#wake = resolve))
    this.#watchKey(cur.modRevision + 1, (kv) => {
      if (!kv) this.#wake?.()
    })
    await vacant
    this.#watcher?.cancel()
    this.#watcher = undefined
  }

  /** calls seen(kv) for every change of the key (undefined: deleted); a watch that ends wakes the loop */
  #watchKey(startRevision: number, seen: (kv: KeyValue | undefined) => void): void {
    this.#watcher?.cancel()
    this.#watcher = this.#o.store.watch(
      { key: this.#o.key },
      { startRevision },
      {
        onEvents: (batch) => {
          for (const e of batch.events) seen(e.type === 'delete' ? undefined : e.kv)
        },
        onCancel: (reason) => {
          this.#o.log.warn('election watch ended', { err: reason.message })
          if (this.#leading) void this.#stepDown('election watch ended')
          else this.#wake?.()
        },
      },
    )
  }

  async #stepDown(reason: string): Promise<void> {
    if (!this.#leading) return
    this.#leading = false
    this.#fence?.cancel()
    this.#watcher?.cancel()
    this.#watcher = undefined
    this.#o.log.warn('no longer the leader; stopping its work', { reason })
    this.#serial(() => this.#o.onStoppedLeading(reason))
    await this.#work
    if (!this.#stopped) await this.#revoke() // the key goes: another plane wins at once
    this.#wake?.()
  }

  #serial(fn: () => Promise<void> | void): void {
    this.#work = this.#work.then(fn).catch((err: unknown) => {
      this.#o.log.error('leader callback failed', { err: String(err) })
    })
  }

  #armFence(renewSentAt: number): void {
    this.#fence?.cancel()
    const left = renewSentAt + this.#o.renewDeadlineMs - this.#clock.now()
    this.#fence = this.#clock.setTimeout(
      () => void this.#stepDown(`lease not renewed for ${this.#o.renewDeadlineMs} ms`),
      Math.max(0, left),
    )
  }

  #scheduleRenew(): void {
    this.#renewTimer?.cancel()
    this.#renewTimer = this.#clock.setTimeout(() => void this.#renew(), this.#o.renewMs)
  }

  async #renew(): Promise<void> {
    const id = this.#leaseId
    if (!id || this.#stopped) return
    const sent = this.#clock.now()
    try {
      await this.#o.store.leaseKeepAlive(id)
      if (this.#leading && id === this.#leaseId) {
        this.#armFence(sent)
        await this.#o.onRenewed?.()
      }
    } catch (err) {
      if (isShoalError(err, 'NotFound') && id === this.#leaseId) {
        this.#leaseId = 0 // expired in the store: a new one at the next campaign
        await this.#stepDown('lease expired')
        return
      }
      this.#o.log.warn('lease keep-alive failed', { lease: id, err: String(err) })
    }
    if (id === this.#leaseId && !this.#stopped) this.#scheduleRenew()
  }

  async #revoke(): Promise<void> {
    const id = this.#leaseId
    this.#leaseId = 0
    this.#renewTimer?.cancel()
    if (!id) return
    await this.#o.store.leaseRevoke(id).catch((err: unknown) => {
      if (!isShoalError(err, 'NotFound'))
        this.#o.log.warn('could not revoke the leader lease; it expires by itself', {
          err: String(err),
        })
    })
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve
      this.#clock.setTimeout(resolve, ms)
    })
  }
}
