// Objects that expire: Events live `--event-ttl` (default 1 h, as kube-apiserver's) after their
// last write, then the store deletes them (a watch sees DELETED). Each write attaches the object
// to a store lease, as kube-apiserver does on etcd. A lease per write would be one more store
// record per Event, so writes within a reuse window share one lease, granted for the TTL plus
// the window (kube-apiserver's lease manager does the same: an object lives between TTL and
// TTL + window after its last write).
import type { Clock } from '../../core/index.ts'
import type { ResourceInfo } from '../../api/index.ts'
import type { Store } from '../store/index.ts'

/** how long one lease takes new writes (kube-apiserver's default: 60 s) */
export const LEASE_REUSE_SECONDS = 60

/** the TTL, in seconds, that writes of this kind get; undefined: they do not expire */
export type TtlPolicy = (info: ResourceInfo) => number | undefined

/** Events (core/v1 and events.k8s.io/v1) expire; nothing else does */
export function eventTtl(seconds: number): TtlPolicy {
  return (info) => (info.kind === 'Event' ? seconds : undefined)
}

export class LeaseReuse {
  #store: Store
  #clock: Clock
  #windowMs: number
  /** per TTL: the lease being handed out and until when */
  #current = new Map<number, { id: Promise<number>; until: number }>()

  constructor(store: Store, clock: Clock, windowSeconds = LEASE_REUSE_SECONDS) {
    this.#store = store
    this.#clock = clock
    this.#windowMs = windowSeconds * 1000
  }

  /** a lease that lives at least `ttlSeconds` from now */
  lease(ttlSeconds: number): Promise<number> {
    const now = this.#clock.now()
    const hit = this.#current.get(ttlSeconds)
    if (hit && now < hit.until) return hit.id
    const id = this.#store.leaseGrant(ttlSeconds + this.#windowMs / 1000).then((l) => l.id)
    const entry = { id, until: now + this.#windowMs }
    this.#current.set(ttlSeconds, entry)
    // a failed grant is not reused: the next write asks again
    id.catch(() => {
      if (this.#current.get(ttlSeconds) === entry) this.#current.delete(ttlSeconds)
    })
    return id
  }
}
