// plane/store/wal — the write-ahead log, the store's lowest layer: records framed and appended to
// segment files with group commit (one fdatasync for every append of a flush), and read back in
// order at open with torn-tail repair; damage refuses to open with the file and byte offset. The
// on-disk format, byte by byte, is at the top of format.ts.
//
// It knows records, frames, files and byte offsets, nothing of keys' versions: it imports no
// other layer of the store. A txn appended with a tag is handed back, once durable, with the
// file and offsets of its values (WalWriter, Placed); what the tag means is the caller's.
// Snapshots (snap/) write and read the same frames with the framing and CBOR tools below.
export { WalWriter, type Placed, type WriterOptions } from './writer.ts'
export {
  FORMAT_VERSION,
  type FilePlace,
  type ValuePlace,
  type WalOp,
  type WalRecord,
} from './records.ts'
export {
  fsyncDir,
  listNumbered,
  listSegments,
  numberedName,
  readSegment,
  segmentName,
} from './segments.ts'
export { ValueFiles, type ValueFile, type ValueSource } from './value-file.ts'
export { FrameReader } from './frame-reader.ts'
export { SYNC_BUCKETS } from './sync-meter.ts'
export type { TxnScan } from './fast-decode.ts'
// framing and CBOR, for snapshots
export { encodeFrame, HEADER_BYTES, scanFrames } from './format.ts'
export { sealFrame, writeCborHead } from './frame-encode.ts'
export {
  cborAtEnd,
  cborBegin,
  cborHead,
  cborSkip,
  cborTake,
  cborText,
  cborView,
} from './fast-decode.ts'
