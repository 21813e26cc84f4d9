// The MVCC index: every retained version of every key, ordered keys for ranges, and the
// revision-ordered event list that watches replay. Pure in-memory; the log makes it durable.
import { SortedKeys } from './sorted-keys.ts'
import {
  LazyRevision,
  makeRevision,
  tombstone,
  type Revision,
  type ValueRef,
  type ValueSource,
} from './revision.ts'

export interface KeyRange {
  from: string
  /** exclusive; undefined = no upper bound; equal to `from` + '\0' for one key */
  to?: string
}

/** one version (the common case: no memory for an array) or several, oldest first */
type History = Revision | Revision[]
const versionsOf = (h: History): Revision[] => (Array.isArray(h) ? h : [h])
const newest = (h: History): Revision => (Array.isArray(h) ? h[h.length - 1] : h)

/** a version's CBOR framing in a snapshot, about: array head, key and value heads, revisions, version, lease (a log record takes ≈ 20 with its frame header) */
const VERSION_OVERHEAD = 16
const snapshotBytes = (r: Revision) =>
  r.key.length +
  (r.version ? (r instanceof LazyRevision ? r.length : r.value!.length) : 0) +
  VERSION_OVERHEAD

/** [key, key + '\0'): exactly one key (a get) */
const isOneKey = (r: KeyRange) =>
  r.to !== undefined && r.to.length === r.from.length + 1 && r.to === r.from + '\0'

export class KeyIndex {
  #history = new Map<string, History>()
  #keys = new SortedKeys()
  /** every version from the compact revision on, in write order */
  #events: Revision[] = []
  #eventsStart = 0
  #retainedBytes = 0

  /** about what a snapshot of every retained version writes (keys, values, ≈ 16 bytes of framing each) */
  get retainedBytes(): number {
    return this.#retainedBytes
  }

  get keyCount(): number {
    return this.#keys.size
  }

  /** the version of `key` visible at `rev` (tombstones included), or undefined */
  at(key: string, rev: number): Revision | undefined {
    const hist = this.#history.get(key)
    if (!hist) return undefined
    const last = newest(hist)
    if (last.rev <= rev) return last
    if (!Array.isArray(hist)) return undefined
    const h = hist
    let lo = 0
    let hi = h.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (h[mid].rev <= rev) lo = mid
      else hi = mid - 1
    }
    return h[lo].rev <= rev ? h[lo] : undefined
  }

  /** the latest version of `key`, undefined if absent or deleted */
  latest(key: string): Revision | undefined {
    const h = this.#history.get(key)
    const r = h && newest(h)
    return r?.version ? r : undefined
  }

  /** the version before `r` of the same key, if still retained */
  previous(r: Revision): Revision | undefined {
    const hist = this.#history.get(r.key)
    if (!hist || !Array.isArray(hist)) return undefined
    const h = hist
    const i = h.lastIndexOf(r)
    const p = i > 0 ? h[i - 1] : undefined
    return p?.version ? p : undefined
  }

  /** live keys in the range at `rev`, in key order (one key: no walk of the ordered keys) */
  range(r: KeyRange, rev: number): Iterable<Revision> {
    if (isOneKey(r)) {
      const v = this.at(r.from, rev)
      return v?.version ? [v] : []
    }
    return this.#walk(r, rev)
  }

  *#walk(r: KeyRange, rev: number): IterableIterator<Revision> {
    for (const key of this.#keys.range(r.from, r.to)) {
      const v = this.at(key, rev)
      if (v?.version) yield v
    }
  }

  /** live keys in the range now (one key: no walk of the ordered keys) */
  keysNow(r: KeyRange): Iterable<Revision> {
    if (isOneKey(r)) {
      const v = this.latest(r.from)
      return v ? [v] : []
    }
    return this.#walkNow(r)
  }

  *#walkNow(r: KeyRange): IterableIterator<Revision> {
    for (const key of this.#keys.range(r.from, r.to)) {
      const v = this.latest(key)
      if (v) yield v
    }
  }

  put(key: string, rev: number, value: Uint8Array | ValueRef, lease: number): Revision {
    const prev = this.latest(key)
    const r = makeRevision(
      key,
      rev,
      prev ? prev.create : rev,
      prev ? prev.version + 1 : 1,
      value,
      lease,
    )
    this.#push(r)
    return r
  }

  /**
   * Replay of a put whose value is `length` bytes at `offset` of `source`, with one lookup of
   * the key; returns the lease of the live version it replaces (0: none or no lease).
   */
  putPlaced(
    key: string,
    rev: number,
    source: ValueSource,
    offset: number,
    length: number,
    lease: number,
  ): number {
    const h = this.#history.get(key)
    const last = h && newest(h)
    const prev = last?.version ? last : undefined
    this.#append(
      LazyRevision.placed(
        key,
        rev,
        prev ? prev.create : rev,
        prev ? prev.version + 1 : 1,
        source,
        offset,
        length,
        lease,
      ),
      true,
      h,
    )
    return prev ? prev.lease : 0
  }

  /** records a deletion; returns the tombstone, or undefined if the key was not live */
  delete(key: string, rev: number): Revision | undefined {
    if (!this.latest(key)) return undefined
    const t = tombstone(key, rev)
    this.#push(t)
    return t
  }

  /** restores a version exactly as stored (snapshot load); `event` when it is not older than the compact revision */
  restore(r: Revision, event: boolean): void {
    this.#push(r, event)
  }

  #push(r: Revision, event = true): void {
    this.#append(r, event, this.#history.get(r.key))
  }

  /** adds `r` after `h`, the key's history as already looked up */
  #append(r: Revision, event: boolean, h: History | undefined): void {
    if (!h) {
      this.#history.set(r.key, r)
      this.#keys.add(r.key)
    } else if (Array.isArray(h)) h.push(r)
    else this.#history.set(r.key, [h, r])
    if (event) this.#events.push(r)
    this.#retainedBytes += snapshotBytes(r)
  }

  /** retained versions, and those whose value is held in memory (new ones not yet settled; the read cache not counted) */
  valueStats(): { versions: number; inMemory: number; bytesInMemory: number } {
    let versions = 0
    let inMemory = 0
    let bytesInMemory = 0
    for (const h of this.#history.values()) {
      for (const r of versionsOf(h)) {
        versions++
        if (!r.version || (r instanceof LazyRevision && (r.onDisk || r.cached))) continue
        inMemory++
        bytesInMemory += r.value!.length
      }
    }
    return { versions, inMemory, bytesInMemory }
  }

  /** reads into memory every value still read from one of `sources` (files about to be deleted) */
  pinFrom(sources: ReadonlySet<ValueSource>): void {
    for (const h of this.#history.values())
      for (const r of versionsOf(h))
        if (r instanceof LazyRevision && r.source && sources.has(r.source)) r.pin()
  }

  /** events with rev >= from, in order (a live view: do not keep across awaits) */
  eventsFrom(from: number): { list: Revision[]; start: number } {
    const e = this.#events
    let lo = this.#eventsStart
    let hi = e.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (e[mid].rev < from) lo = mid + 1
      else hi = mid
    }
    return { list: e, start: lo }
  }

  /**
   * Snapshot walk, part 1: up to `max` keys after `after` ('' to start), with each key's retained
   * version older than `compactRev` (one per key at most). `next` is where to go on, or undefined
   * at the end. Safe across awaits while no compaction runs (history only grows at its end).
   */
  baseVersionsPage(
    after: string,
    compactRev: number,
    max: number,
  ): { versions: Revision[]; next?: string } {
    const versions: Revision[] = []
    let last: string | undefined
    let seen = 0
    for (const key of this.#keys.range(after)) {
      if (key === after) continue
      if (seen++ === max) return { versions, next: last }
      last = key
      const h = this.#history.get(key)!
      const first = Array.isArray(h) ? h[0] : h
      if (first.rev < compactRev) versions.push(first)
    }
    return { versions }
  }

  /** Snapshot walk, part 2: events with rev in [from, to], at most `max`, from position `at` */
  eventsPage(
    from: number,
    to: number,
    at: number | undefined,
    max: number,
  ): { versions: Revision[]; next?: number } {
    const e = this.#events
    let i = at ?? this.eventsFrom(from).start
    const versions: Revision[] = []
    for (; i < e.length && e[i].rev <= to && versions.length < max; i++) versions.push(e[i])
    return i < e.length && e[i].rev <= to ? { versions, next: i } : { versions }
  }

  /**
   * Drops every version superseded at or below `rev` and tombstones at or below it, as etcd does:
   * the state at `rev` stays readable and events from `rev` on stay watchable.
   */
  compact(rev: number): void {
    const e = this.#events
    const touched = new Set<string>()
    // Only keys with a window event that is not a creation (version 1) can lose a version: after
    // the last compaction a key keeps at most one version older than the window, and a key
    // created in the window has nothing live before it — a tombstone or an older version before
    // that creation is a window event of its own. So a store of new keys compacts for free.
    let i = this.#eventsStart
    for (; i < e.length && e[i].rev < rev; i++) if (e[i].version !== 1) touched.add(e[i].key)
    this.#eventsStart = i
    for (let j = i; j < e.length && e[j].rev === rev; j++)
      if (e[j].version !== 1) touched.add(e[j].key)
    if (i > 4096 && i > e.length / 2) {
      this.#events = e.slice(i)
      this.#eventsStart = 0
    }
    for (const key of touched) this.#compactKey(key, rev)
  }

  #compactKey(key: string, rev: number): void {
    const hist = this.#history.get(key)
    if (!hist) return
    const h = versionsOf(hist)
    let keep = 0
    while (keep + 1 < h.length && h[keep + 1].rev <= rev) keep++
    if (h[keep].rev <= rev && !h[keep].version) keep++
    if (keep === 0) return
    for (const r of h.splice(0, keep)) this.#retainedBytes -= snapshotBytes(r)
    if (h.length === 0) {
      this.#history.delete(key)
      this.#keys.delete(key)
    } else if (h.length === 1) this.#history.set(key, h[0])
    else if (h !== hist) this.#history.set(key, h)
  }
}
