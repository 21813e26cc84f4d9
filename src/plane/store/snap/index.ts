// plane/store/snap — snapshots: the whole MVCC state at one revision in one file, so the log
// before it can be deleted (the file format is at the top of snapshot.ts), and the Snapshotter
// that decides when to take one, takes it in the background and deletes what it replaces.
//
// It sits above the log and the versions: it imports the indexes of wal/ (the same frames and
// CBOR tools, segment files, the writer it cuts) and mvcc/ (the versions it writes and reads
// back), and nothing of the store's top level: the state it captures is an interface
// (SnapshotSource). Neither wal/ nor mvcc/ imports it.
export { Snapshotter, type SnapshotSource, type SnapshotterOptions } from './snapshotter.ts'
export { listSnapshots, readSnapshot, type ReadSnapshot } from './snapshot.ts'
