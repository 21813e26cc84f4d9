// One version of one key, as it was written at `rev`. Its key, revisions and version never
// change, so readers, watchers and snapshots can hold on to it while writes go on.
//
// Values live in memory only while they are new: a written value stays in memory until its
// record is durable and watchers have had it, then only its place in the log is kept
// (LazyRevision.settle) and reads go to the file — the page cache, on a busy plane. Versions
// restored at open start out that way. So the plane's memory grows with its keys, not with the
// bytes of its objects (a Pi has little of it), and a value the caller handed in dies young
// instead of being promoted and collected later (measured: ≈ 30 % more puts/s at 64 in flight,
// bench/README.md). When a snapshot replaces the files, every value it wrote is re-pointed at
// the snapshot (moveTo) before they are deleted.

export interface Revision {
  readonly key: string
  /** modRevision: the revision that wrote this version */
  readonly rev: number
  /** createRevision; 0 for a tombstone */
  readonly create: number
  /** 1 on create, +1 per change; 0 for a tombstone (test this, not value, to tell them apart) */
  readonly version: number
  /** undefined marks a tombstone (the key was deleted at rev); may read from disk on first use */
  readonly value: Uint8Array | undefined
  readonly lease: number
}

/** a file that holds values: read(offset, length) returns exactly those bytes or throws */
export interface ValueSource {
  readonly name: string
  read(offset: number, length: number): Uint8Array
  /** the same bytes in a reused buffer, valid until the next call (optional) */
  view?(offset: number, length: number): Uint8Array
  /** the bytes read into the start of `out` (optional); returns their view of it */
  readInto?(out: Buffer, offset: number, length: number): Uint8Array
}

/** a buffer a caller lends readAll for the values it uses at once (see readAll) */
export interface ReadArena {
  buf: Buffer
  used: number
}

/** where a value is: `length` bytes at `offset` of `source` (any object of this shape) */
export interface ValueRef {
  readonly source: ValueSource
  readonly offset: number
  readonly length: number
}

/** a version whose value is in memory while new and in its file afterwards */
export class LazyRevision implements Revision {
  // the place is held inline (not as a ValueRef) to spare an object per version
  #source: ValueSource | undefined
  #offset: number
  #length: number
  #value: Uint8Array | undefined
  /** counted in the read cache (see below) */
  #cached = false

  /** `value` in memory, or undefined with its place (`source`, `offset`, `length`); see makeRevision */
  constructor(
    readonly key: string,
    readonly rev: number,
    readonly create: number,
    readonly version: number,
    readonly lease: number,
    value: Uint8Array | undefined,
    source: ValueSource | undefined,
    offset: number,
    length: number,
  ) {
    this.#value = value
    this.#source = source
    this.#offset = offset
    this.#length = length
  }

  /** a version read back from the log: its value is `length` bytes at `offset` of `source` */
  static placed(
    key: string,
    rev: number,
    create: number,
    version: number,
    source: ValueSource,
    offset: number,
    length: number,
    lease: number,
  ): LazyRevision {
    return new LazyRevision(key, rev, create, version, lease, undefined, source, offset, length)
  }

  /**
   * The bytes: from memory while new, else one read of the file, kept in a small cache shared by
   * the process (READ_CACHE_BYTES, oldest out first): objects read one at a time again and again —
   * the namespace checked on every create, an object read before its update — stay in memory,
   * everything else goes back to the file. Ranges bypass it (readAll), so a list of everything
   * does not wash it out.
   */
  get value(): Uint8Array {
    const v = this.#value
    if (v) return v
    const bytes = this.#source!.read(this.#offset, this.#length)
    if (this.#length <= READ_CACHE_MAX_VALUE) LazyRevision.#remember(this, bytes)
    return bytes
  }

  static #cache: LazyRevision[] = []
  static #cacheHead = 0
  static #cacheBytes = 0

  static #remember(r: LazyRevision, bytes: Uint8Array): void {
    r.#value = bytes
    r.#cached = true
    const c = LazyRevision.#cache
    c.push(r)
    LazyRevision.#cacheBytes += r.#length
    while (LazyRevision.#cacheBytes > READ_CACHE_BYTES) {
      const old = c[LazyRevision.#cacheHead]
      c[LazyRevision.#cacheHead++] = undefined as unknown as LazyRevision
      old.#cached = false
      LazyRevision.#cacheBytes -= old.#length
      if (old.#source) old.#value = undefined // a pinned value has no file to go back to
    }
    if (LazyRevision.#cacheHead > 1024 && LazyRevision.#cacheHead > c.length >> 1) {
      LazyRevision.#cache = c.slice(LazyRevision.#cacheHead)
      LazyRevision.#cacheHead = 0
    }
  }

  /** values kept by the read cache and their bytes (for metrics and tests) */
  static get readCache(): { values: number; bytes: number } {
    return {
      values: LazyRevision.#cache.length - LazyRevision.#cacheHead,
      bytes: LazyRevision.#cacheBytes,
    }
  }

  /** whether the value is in memory only because a read put it in the cache */
  get cached(): boolean {
    return this.#cached
  }

  /** the value's length, without reading it */
  get length(): number {
    return this.#length
  }

  /** whether the value is only on disk */
  get onDisk(): boolean {
    return this.#value === undefined
  }

  /** the file the value is read from once it has left memory (undefined: not placed yet) */
  get source(): ValueSource | undefined {
    return this.#source
  }

  /**
   * The record holding the value is durable, its value at `offset` of `source`: memory lets go
   * of it. A version a snapshot already placed keeps that place.
   */
  settle(source: ValueSource, offset: number): void {
    if (!this.#source) {
      this.#source = source
      this.#offset = offset
    }
    this.#value = undefined
  }

  /** the same bytes are now (also) at `offset` of `source`, which outlives the old place */
  moveTo(source: ValueSource, offset: number): void {
    this.#source = source
    this.#offset = offset
  }

  /** reads the value into memory for good (its file is about to be deleted without a new place) */
  pin(): void {
    this.#value ??= this.#source!.read(this.#offset, this.#length)
    this.#source = undefined
  }

  /**
   * The values of `versions` (undefined for tombstones), in order; those on disk are read with
   * one read per run of neighbours in a file (a range: keys written together sit side by side),
   * and copied out, so a value handed out never keeps a whole run alive. Nothing is kept.
   * `arena`: values are views of it instead of copies, valid until the next call with it — for
   * a caller that uses them at once (a snapshot writing them out): no allocation per value, and
   * no fresh memory per run (faulting in new pages costs more than reading the bytes here).
   */
  static readAll(versions: readonly Revision[], arena?: ReadArena): (Uint8Array | undefined)[] {
    const out: (Uint8Array | undefined)[] = new Array(versions.length)
    const lazy: LazyRevision[] = []
    const slot: number[] = []
    for (let i = 0; i < versions.length; i++) {
      const v = versions[i]
      if (v instanceof LazyRevision && v.#value === undefined) {
        lazy.push(v)
        slot.push(i)
      } else out[i] = v.version ? v.value : undefined
    }
    if (lazy.length === 1 && !arena) out[slot[0]] = lazy[0].value // one key (a get): through the read cache
    if (lazy.length < 2 && !arena) return out
    if (arena) arena.used = 0
    if (!LazyRevision.#inFileOrder(lazy)) {
      // rare: keys whose values were written out of key order (sort positions, then both lists)
      const order = lazy.map((_, k) => k).sort((x, y) => LazyRevision.#byPlace(lazy[x], lazy[y]))
      const l = order.map((k) => lazy[k])
      const s = order.map((k) => slot[k])
      for (let k = 0; k < l.length; k++) {
        lazy[k] = l[k]
        slot[k] = s[k]
      }
    }
    for (let i = 0; i < lazy.length;) {
      const first = lazy[i]
      const src = first.#source!
      let end = first.#offset + first.#length
      let j = i + 1
      for (; j < lazy.length; j++) {
        const n = lazy[j]
        if (
          n.#source !== src ||
          n.#offset > end + RUN_GAP ||
          n.#offset + n.#length - first.#offset > RUN_BYTES
        )
          break
        end = Math.max(end, n.#offset + n.#length)
      }
      if (arena && src.readInto) {
        const span = end - first.#offset
        // a new buffer when full: views already handed out keep the old one alive
        if (arena.used + span > arena.buf.length) {
          arena.buf = Buffer.allocUnsafe(Math.max(span, arena.buf.length))
          arena.used = 0
        }
        const run = src.readInto(arena.buf.subarray(arena.used), first.#offset, span)
        arena.used += span
        for (; i < j; i++)
          out[slot[i]] = run.subarray(
            lazy[i].#offset - first.#offset,
            lazy[i].#offset - first.#offset + lazy[i].#length,
          )
        continue
      }
      if (j - i === 1) {
        out[slot[i]] = src.read(first.#offset, first.#length) // a range: not cached
        i++
        continue
      }
      const run = (src.view ?? src.read).call(src, first.#offset, end - first.#offset)
      for (; i < j; i++) {
        const r = lazy[i]
        const o = r.#offset - first.#offset
        const copy = Buffer.allocUnsafe(r.#length) // small: from Node's pool
        copy.set(new Uint8Array(run.buffer, run.byteOffset + o, r.#length))
        out[slot[i]] = copy
      }
    }
    return out
  }

  static #byPlace(a: LazyRevision, b: LazyRevision): number {
    return a.#source === b.#source
      ? a.#offset - b.#offset
      : a.#source!.name < b.#source!.name
        ? -1
        : 1
  }

  static #inFileOrder(lazy: LazyRevision[]): boolean {
    for (let k = 1; k < lazy.length; k++)
      if (LazyRevision.#byPlace(lazy[k - 1], lazy[k]) > 0) return false
    return true
  }
}

/** the values of `versions` are durable at `at[i]` of `source`, in order: memory lets go of them */
export function settleAll(
  versions: readonly LazyRevision[],
  source: ValueSource,
  at: readonly number[],
): void {
  for (let i = 0; i < versions.length; i++) versions[i].settle(source, at[i])
}

/** bytes of values the read cache keeps, and the largest value it takes */
const READ_CACHE_BYTES = 8 << 20
const READ_CACHE_MAX_VALUE = 256 << 10

/** values this close together are read with the bytes between them, up to RUN_BYTES at a time */
const RUN_GAP = 4096
const RUN_BYTES = 1 << 20

/** a version whose value is in memory (bytes) or at a place in a file (a ValueRef) */
export function makeRevision(
  key: string,
  rev: number,
  create: number,
  version: number,
  value: Uint8Array | ValueRef,
  lease: number,
): LazyRevision {
  if (value instanceof Uint8Array)
    return new LazyRevision(key, rev, create, version, lease, value, undefined, 0, value.length)
  return new LazyRevision(
    key,
    rev,
    create,
    version,
    lease,
    undefined,
    value.source,
    value.offset,
    value.length,
  )
}

const EMPTY = new Uint8Array(0)

export function tombstone(key: string, rev: number): Revision {
  return { key, rev, create: 0, version: 0, value: undefined, lease: 0 }
}

/** The etcd-shaped view of a revision handed to callers (`value`: already read, see readAll). */
export function toKeyValue(r: Revision, keysOnly = false, value?: Uint8Array) {
  return {
    key: r.key,
    value: keysOnly || !r.version ? EMPTY : (value ?? r.value!),
    createRevision: r.create,
    modRevision: r.rev,
    version: r.version,
    lease: r.lease,
  }
}
