// plane/store — Shoal's "etcd": an embedded key/value store with etcd's semantics (revisions,
// range at a revision, txn with compares, watch with history replay, leases, compaction) on an
// append-only log of CRC-framed CBOR records (format: wal/format.ts) with group commit,
// snapshots and torn-tail recovery. Every write is acknowledged only after fdatasync.
// `Store` is the contract; openLogStore() gives the embedded implementation.
export type * from './types.ts'
export { openLogStore, LogStore, type LogStoreOptions } from './log-store.ts'
export { prefixEnd } from './mvcc/sorted-keys.ts'
export { SYNC_BUCKETS } from './wal/sync-meter.ts'
