// One version of one key, as it was written at `rev`. Immutable once created, so readers,
// watchers and snapshots can hold on to it while writes go on.
//
// Versions restored at open keep their value on disk until first read (LazyRevision): replay
// then reads the log through one small reused buffer instead of faulting every value into fresh
// memory, and a value costs memory only once something reads it. The snapshot that replaces the
// files reads every value it writes, so no version outlives the file its value is in.

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
}

/** where a value is: `length` bytes at `offset` of `source` */
export class ValueRef {
  constructor(
    readonly source: ValueSource,
    readonly offset: number,
    readonly length: number,
  ) {}
}

/** a version whose value is read from its file on first use, then kept */
export class LazyRevision implements Revision {
  // the reference is held inline (not as the ValueRef) to spare an object per version
  #source: ValueSource | undefined
  #offset: number
  #length: number
  #value: Uint8Array | undefined
  constructor(
    readonly key: string,
    readonly rev: number,
    readonly create: number,
    readonly version: number,
    ref: ValueRef,
    readonly lease: number,
  ) {
    this.#source = ref.source
    this.#offset = ref.offset
    this.#length = ref.length
  }

  get value(): Uint8Array {
    if (this.#value) return this.#value
    this.#value = this.#source!.read(this.#offset, this.#length)
    this.#source = undefined
    return this.#value
  }

  /** whether the value is still only on disk */
  get onDisk(): boolean {
    return this.#value === undefined
  }

  /**
   * Reads the values of those `versions` still on disk, neighbours in a file with one read
   * (a range after a restart: keys written in order sit side by side in the snapshot).
   */
  static readAll(versions: readonly Revision[]): void {
    const lazy: LazyRevision[] = []
    for (const v of versions) if (v instanceof LazyRevision && v.#value === undefined) lazy.push(v)
    if (lazy.length < 2) return
    lazy.sort((a, b) => (a.#source === b.#source ? a.#offset - b.#offset : a.#source!.name < b.#source!.name ? -1 : 1))
    for (let i = 0; i < lazy.length; ) {
      const first = lazy[i]
      let end = first.#offset + first.#length
      let j = i + 1
      for (; j < lazy.length; j++) {
        const n = lazy[j]
        if (n.#source !== first.#source || n.#offset > end + RUN_GAP || n.#offset + n.#length - first.#offset > RUN_BYTES) break
        end = Math.max(end, n.#offset + n.#length)
      }
      const run = j - i === 1 ? undefined : first.#source!.read(first.#offset, end - first.#offset)
      for (; i < j; i++) {
        const r = lazy[i]
        r.#value = run ? run.subarray(r.#offset - first.#offset, r.#offset - first.#offset + r.#length) : r.#source!.read(r.#offset, r.#length)
        r.#source = undefined
      }
    }
  }
}

/** values this close together are read with the bytes between them, up to RUN_BYTES at a time */
const RUN_GAP = 4096
const RUN_BYTES = 1 << 20

export function makeRevision(key: string, rev: number, create: number, version: number, value: Uint8Array | ValueRef, lease: number): Revision {
  return value instanceof ValueRef ? new LazyRevision(key, rev, create, version, value, lease) : { key, rev, create, version, value, lease }
}

const EMPTY = new Uint8Array(0)

export function tombstone(key: string, rev: number): Revision {
  return { key, rev, create: 0, version: 0, value: undefined, lease: 0 }
}

/** The etcd-shaped view of a revision handed to callers. */
export function toKeyValue(r: Revision, keysOnly = false) {
  return {
    key: r.key,
    value: keysOnly || !r.version ? EMPTY : r.value!,
    createRevision: r.create,
    modRevision: r.rev,
    version: r.version,
    lease: r.lease,
  }
}
