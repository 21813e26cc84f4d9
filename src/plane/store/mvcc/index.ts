// plane/store/mvcc — multi-version keys in memory: every retained version of every key
// (Revision), ordered keys for ranges, the revision-ordered events watches replay, compaction;
// and the versions themselves, whose values stay in memory only while new and are read from
// their file afterwards (LazyRevision, through a ValueSource).
//
// It does no I/O of its own and imports no other layer of the store: files reach it as
// ValueSources, places in them as ValueRefs (any object of those shapes: the log's files and
// decoded places are). The store's top level makes it durable with the log (wal/) and snapshots
// (snap/).
export { KeyIndex, type KeyRange } from './key-index.ts'
export {
  LazyRevision,
  makeRevision,
  settleAll,
  toKeyValue,
  type ReadArena,
  type Revision,
  type ValueRef,
  type ValueSource,
} from './revision.ts'
export { prefixEnd } from './sorted-keys.ts'
