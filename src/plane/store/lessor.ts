// Leases: a TTL that keys can be attached to. Keep-alive restarts the countdown; expiry or
// revoke deletes the attached keys (the store does the delete, through the log). As in etcd,
// remaining time is not persisted: after a restart every lease gets its full TTL again.
import type { Clock, Timer } from '../../core/index.ts'

interface LeaseState {
  id: number
  ttl: number
  expiresAt: number
  keys: Set<string>
  timer?: Timer
}

export class Lessor {
  #leases = new Map<number, LeaseState>()
  #clock: Clock
  #onExpire: (id: number) => void
  #nextId = 1
  #running = false

  constructor(clock: Clock, onExpire: (id: number) => void) {
    this.#clock = clock
    this.#onExpire = onExpire
  }

  get nextId(): number {
    return this.#nextId
  }

  set nextId(id: number) {
    this.#nextId = Math.max(this.#nextId, id)
  }

  /** starts expiry timers (after replay: every lease starts a full TTL now) */
  start(): void {
    this.#running = true
    for (const l of this.#leases.values()) this.#arm(l)
  }

  stop(): void {
    this.#running = false
    for (const l of this.#leases.values()) l.timer?.cancel()
  }

  has(id: number): boolean {
    return this.#leases.has(id)
  }

  grant(id: number, ttl: number): void {
    const old = this.#leases.get(id)
    old?.timer?.cancel()
    const l: LeaseState = { id, ttl, expiresAt: 0, keys: old?.keys ?? new Set() }
    this.#leases.set(id, l)
    this.#nextId = Math.max(this.#nextId, id + 1)
    if (this.#running) this.#arm(l)
  }

  /** restarts the countdown; false when the lease does not exist */
  keepAlive(id: number): boolean {
    const l = this.#leases.get(id)
    if (!l) return false
    this.#arm(l)
    return true
  }

  revoke(id: number): void {
    this.#leases.get(id)?.timer?.cancel()
    this.#leases.delete(id)
  }

  attach(id: number, key: string): void {
    this.#leases.get(id)?.keys.add(key)
  }

  detach(id: number, key: string): void {
    this.#leases.get(id)?.keys.delete(key)
  }

  keys(id: number): string[] {
    return [...(this.#leases.get(id)?.keys ?? [])].sort()
  }

  status(id: number): { id: number; ttl: number; remaining: number; keys: string[] } | undefined {
    const l = this.#leases.get(id)
    if (!l) return undefined
    const remaining = this.#running
      ? Math.max(0, Math.ceil((l.expiresAt - this.#clock.now()) / 1000))
      : l.ttl
    return { id, ttl: l.ttl, remaining, keys: this.keys(id) }
  }

  list(): { id: number; ttl: number }[] {
    return [...this.#leases.values()].map((l) => ({ id: l.id, ttl: l.ttl }))
  }

  #arm(l: LeaseState): void {
    l.timer?.cancel()
    l.expiresAt = this.#clock.now() + l.ttl * 1000
    l.timer = this.#clock.setTimeout(() => {
      if (this.#leases.get(l.id) === l) this.#onExpire(l.id)
    }, l.ttl * 1000)
  }
}
