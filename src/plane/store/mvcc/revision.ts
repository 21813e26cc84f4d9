// One version of one key, as it was written at `rev`. Immutable once created, so readers,
// watchers and snapshots can hold on to it while writes go on.

export interface Revision {
  readonly key: string
  /** modRevision: the revision that wrote this version */
  readonly rev: number
  /** createRevision; 0 for a tombstone */
  readonly create: number
  /** 1 on create, +1 per change; 0 for a tombstone */
  readonly version: number
  /** undefined marks a tombstone (the key was deleted at rev) */
  readonly value: Uint8Array | undefined
  readonly lease: number
}

const EMPTY = new Uint8Array(0)

export function tombstone(key: string, rev: number): Revision {
  return { key, rev, create: 0, version: 0, value: undefined, lease: 0 }
}

/** The etcd-shaped view of a revision handed to callers. */
export function toKeyValue(r: Revision, keysOnly = false) {
  return {
    key: r.key,
    value: keysOnly || !r.value ? EMPTY : r.value,
    createRevision: r.create,
    modRevision: r.rev,
    version: r.version,
    lease: r.lease,
  }
}
