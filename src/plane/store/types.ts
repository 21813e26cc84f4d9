// The store contract, with etcd's semantics. Implemented by the CBOR log store (log-store.ts)
// and, in the scale-out issue, by an etcd backend; one conformance suite runs against both.
//
// Revisions: one counter for the whole store, +1 per mutating request or txn (all writes of a
// txn share it). Per key: createRevision (rev of its last creation), modRevision (rev of its
// last change), version (1 on create, +1 per change, 0 once deleted). Values are opaque bytes
// (CBOR, written by the layers above) and are handed out as they were stored.

export interface KeyValue {
  key: string
  value: Uint8Array
  createRevision: number
  modRevision: number
  version: number
  /** lease id the key is attached to, 0 for none */
  lease: number
}

/** Keys to act on: one key, every key with a prefix, or the half-open range [from, to). */
export type KeySelector = { key: string } | { prefix: string } | { from: string; to?: string }

export interface RangeOptions {
  /** read as of this revision (default: the current one); below the compact revision fails with Compacted */
  revision?: number
  /** at most this many keys (0 or absent: no limit); `count` still counts them all */
  limit?: number
  keysOnly?: boolean
  countOnly?: boolean
}

export interface RangeResult {
  kvs: KeyValue[]
  /** number of keys in the selector at that revision, ignoring limit */
  count: number
  /** true when limit cut the result short */
  more: boolean
  /** the store revision the read was served at */
  revision: number
}

export interface PutOptions {
  lease?: number
  /** return the previous key-value in the result */
  prevKv?: boolean
}

export interface PutResult {
  revision: number
  prevKv?: KeyValue
}

export interface DeleteResult {
  revision: number
  deleted: number
  prevKvs: KeyValue[]
}

export type CompareTarget = 'value' | 'version' | 'createRevision' | 'modRevision' | 'lease'
export type CompareResult = 'equal' | 'notEqual' | 'greater' | 'less'

export interface Compare {
  key: string
  target: CompareTarget
  result: CompareResult
  /** a number for version/createRevision/modRevision/lease, bytes for value */
  value: number | Uint8Array
}

export type TxnOp =
  | { type: 'put'; key: string; value: Uint8Array; lease?: number; prevKv?: boolean }
  | { type: 'delete'; select: KeySelector; prevKv?: boolean }
  | { type: 'range'; select: KeySelector; options?: Omit<RangeOptions, 'revision'> }

export type TxnOpResult =
  | { type: 'put'; prevKv?: KeyValue }
  | { type: 'delete'; deleted: number; prevKvs: KeyValue[] }
  | { type: 'range'; kvs: KeyValue[]; count: number; more: boolean }

export interface Txn {
  compare: Compare[]
  success: TxnOp[]
  failure?: TxnOp[]
}

export interface TxnResult {
  succeeded: boolean
  revision: number
  results: TxnOpResult[]
}

export interface WatchEvent {
  type: 'put' | 'delete'
  /** for a delete: key, modRevision = the deleting revision, version 0, empty value */
  kv: KeyValue
  prevKv?: KeyValue
}

export interface WatchOptions {
  /** first revision to deliver (inclusive); absent: only changes after the current revision */
  startRevision?: number
  prevKv?: boolean
}

/** One delivery: every event of one or more whole revisions, in order; a revision is never split. */
export interface WatchBatch {
  events: WatchEvent[]
  /** the store revision when the batch was sent */
  revision: number
}

export interface Watcher {
  readonly id: number
  cancel(): void
}

export interface WatchHandlers {
  onEvents(batch: WatchBatch): void
  /** the watch ended without cancel(): compaction overtook it (Compacted error) or the store closed */
  onCancel?(reason: Error): void
}

export interface Lease {
  id: number
  /** granted TTL in seconds */
  ttl: number
}

export interface LeaseStatus extends Lease {
  /** seconds left before expiry */
  remaining: number
  keys: string[]
}

export interface Store {
  /** the latest durable revision */
  readonly revision: number
  /** history at and below this revision is gone (0: nothing compacted) */
  readonly compactRevision: number

  get(key: string, options?: { revision?: number }): Promise<KeyValue | undefined>
  range(select: KeySelector, options?: RangeOptions): Promise<RangeResult>
  put(key: string, value: Uint8Array, options?: PutOptions): Promise<PutResult>
  delete(select: KeySelector, options?: { prevKv?: boolean }): Promise<DeleteResult>
  txn(txn: Txn): Promise<TxnResult>

  watch(select: KeySelector, options: WatchOptions, handlers: WatchHandlers): Watcher

  leaseGrant(ttlSeconds: number, options?: { id?: number }): Promise<Lease>
  leaseKeepAlive(id: number): Promise<LeaseStatus>
  leaseRevoke(id: number): Promise<void>
  leaseTimeToLive(id: number): Promise<LeaseStatus>

  /** drop history at and below `revision`; reads and watches there fail with Compacted afterwards */
  compact(revision: number): Promise<void>
  close(): Promise<void>
}
