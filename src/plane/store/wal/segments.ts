// Segment files on disk: naming, listing, reading back with torn-tail repair, and the
// directory fsync that makes a created or removed file durable.
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  ftruncateSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { CorruptError, type Logger } from '../../../core/index.ts'
import type { FrameReader } from './frame-reader.ts'
import type { ValueFiles, ValueSource } from './value-file.ts'
import { decodeRecord, FORMAT_VERSION, type WalRecord } from './records.ts'
import { scanned, scanTxn, type TxnScan } from './fast-decode.ts'

/** `<n as 16 hex digits>.<ext>`: how segments (by seq) and snapshots (by revision) are named */
export function numberedName(n: number, ext: string): string {
  return `${n.toString(16).padStart(16, '0')}.${ext}`
}

/** the numbers of the `<16 hex>.<ext>` files in `dir`, ascending */
export function listNumbered(dir: string, ext: string): number[] {
  const nums: number[] = []
  for (const name of readdirSync(dir)) {
    if (name.length === 17 + ext.length && name.endsWith(`.${ext}`) && /^[0-9a-f]{16}\./.test(name))
      nums.push(parseInt(name.slice(0, 16), 16))
  }
  return nums.sort((a, b) => a - b)
}

export const segmentName = (seq: number) => numberedName(seq, 'wal')

/** sequence numbers of the segments in `dir`, ascending */
export const listSegments = (dir: string) => listNumbered(dir, 'wal')

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export interface SegmentReplay {
  log: Logger
  reader: FrameReader
  files: ValueFiles
  apply: (r: WalRecord) => void
  /** a txn record read by scanTxn, its bytes at `offset` of `source` */
  applyScanned: (t: TxnScan, source: ValueSource, offset: number) => void
}

export interface ReadSegment {
  seq: number
  /** records handed to `apply` (the header not counted) */
  records: number
  /** no header survived: the file was created but its first write never landed */
  empty: boolean
  /** the file's size as read (before any torn tail was cut) */
  bytes: number
}

/**
 * Reads one segment, handing each record to `apply` as it is decoded (a damaged log throws
 * before open returns, so nothing applied from it is ever used); values stay in the file
 * (`files`) until read. A torn tail is cut off (and kept aside as <name>.torn-<offset>) only if `last`.
 */
export function readSegment(
  dir: string,
  seq: number,
  last: boolean,
  o: SegmentReplay,
): ReadSegment {
  const file = join(dir, segmentName(seq))
  const source = o.files.open(file)
  const size = fstatSync(source.fd).size
  const records: WalRecord[] = []
  let count = 0
  const scan = o.reader.read(source.fd, (payload, offset) => {
    // the common record (a txn after the header) goes to the state without being built
    if (count > 0 && scanTxn(payload)) {
      count++
      o.applyScanned(scanned, source, offset)
      return undefined
    }
    const r = decodeRecord(payload, { source, offset })
    if (typeof r === 'string') return r
    if (count++ === 0) {
      records.push(r)
      checkHeader(records, seq, file, size, last)
    } else o.apply(r)
    return undefined
  })
  const fail = (offset: number, reason: string) => {
    throw new CorruptError(
      `store: ${file} is damaged at byte ${offset}: ${reason}; refusing to open`,
      { file, offset },
    )
  }
  if (scan.damage) fail(scan.damage.offset, scan.damage.reason)
  if (scan.torn && !last) fail(scan.torn.offset, `${scan.torn.reason} inside an older segment`)
  if (count === 0) checkHeader(records, seq, file, size, last)
  if (scan.torn?.reason === 'zero-filled tail' && !scan.tail)
    trimZeros(file, scan.torn.offset, o.log)
  else if (scan.torn) repairTail(file, scan.tail!, scan.torn, o.log)
  return { seq, records: Math.max(0, count - 1), empty: count === 0, bytes: size }
}

function checkHeader(
  records: WalRecord[],
  seq: number,
  file: string,
  size: number,
  last: boolean,
): void {
  const h = records[0]
  if (!h && last) return // created but never written: the crash came before its first record
  if (!h || h.type !== 'header') {
    throw new CorruptError(`store: ${file} does not start with a segment header (${size} bytes)`, {
      file,
      offset: 0,
    })
  }
  if (h.version !== FORMAT_VERSION) {
    throw new CorruptError(
      `store: ${file} has format version ${h.version}, this build reads ${FORMAT_VERSION}`,
      { file, offset: 0 },
    )
  }
  if (h.seq !== seq)
    throw new CorruptError(`store: ${file} says it is segment ${h.seq}`, { file, offset: 0 })
}

/** the unused, zero end of a segment that was not closed (a crash): nothing in it, nothing to keep */
function trimZeros(file: string, offset: number, log: Logger): void {
  truncateDurably(file, offset)
  log.info('log ends in unused segment space; trimmed', { file, offset })
}

function truncateDurably(file: string, offset: number): void {
  const fd = openSync(file, 'r+')
  try {
    ftruncateSync(fd, offset)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** `tail`: the file's bytes from the torn offset on */
function repairTail(
  file: string,
  tail: Buffer,
  torn: { offset: number; reason: string; bytes: number },
  log: Logger,
): void {
  const aside = `${file}.torn-${torn.offset}`
  writeFileSync(aside, tail, { mode: 0o600 })
  truncateDurably(file, torn.offset)
  log.warn('truncated a torn tail of the log', {
    file,
    offset: torn.offset,
    bytes: torn.bytes,
    reason: torn.reason,
    keptAs: aside,
  })
}

/** Writes a file durably: temp file, fsync, rename, fsync of the directory. */
export function writeFileDurably(dir: string, name: string, data: Uint8Array): void {
  const tmp = join(dir, `${name}.tmp`)
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeFileSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, join(dir, name))
  fsyncDir(dir)
}
