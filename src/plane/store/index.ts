// plane/store — Shoal's "etcd": an embedded key/value store with etcd's semantics (revisions,
// range at a revision, txn with compares, watch with history replay, leases, compaction) on an
// append-only log of CRC-framed CBOR records (format: wal/format.ts) with group commit,
// snapshots and torn-tail recovery. Every write is acknowledged only after fdatasync.
// `Store` is the contract; openLogStore() gives the embedded implementation.
//
// Layers, as etcd's: wal/ (the log: records, frames, segment files) and mvcc/ (versions of keys
// in memory) import no other layer; snap/ (snapshots) imports their indexes; the files here
// compose all three (log-store.ts, recovery.ts, state.ts). Each folder is entered by its
// index.ts only (test/architecture.test.ts keeps this true).
export type * from './types.ts'
export { openLogStore, LogStore, type LogStoreOptions } from './log-store.ts'
export { openEtcdStore, EtcdStore, type EtcdStoreOptions } from './etcd-store.ts'
export { isEtcdUrl, parseEtcdUrl, type EtcdTarget } from './etcd-url.ts'
export { prefixEnd } from './mvcc/index.ts'
export { SYNC_BUCKETS } from './wal/index.ts'
export {
  ListWatch,
  type ListWatchHandlers,
  type ListWatchOptions,
  type ObjectSource,
} from './list-watch.ts'
