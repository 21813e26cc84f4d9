// Snapshots: the whole MVCC state at one revision, so the log before it can be deleted.
// File `<revision as 16 hex>.snap`, the same frames as the log (wal/format.ts), payloads:
//   [10, formatVersion, revision, compactRevision, walSeq, nextLeaseId, leases]  header;
//        leases = [[id, ttl], ...]; replay continues with segment walSeq
//   [11, versions]   a chunk of key versions [key, rev, create, version, value|null, lease] in
//                    order: first the base version of each key older than compactRevision,
//                    then every version from compactRevision on, in revision order
//   [12, count]      trailer: the number of versions; a snapshot without it is incomplete
// Written to a temp file, fsynced, renamed, directory fsynced; encoding yields to the event loop
// between chunks so a large snapshot does not stall requests.
import { open } from 'node:fs/promises'
import { readdirSync, renameSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { Encoder } from 'cbor-x'
import { CorruptError } from '../../../core/index.ts'
import {
  encodeFrame,
  FORMAT_VERSION,
  fsyncDir,
  listNumbered,
  numberedName,
  type FilePlace,
  type FrameReader,
  type ValueFiles,
} from '../wal/index.ts'
import type { Revision } from '../mvcc/index.ts'
import { fastDecodeVersions, versionsFrameBound, writeVersionsFrame } from './codec.ts'

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false })
const SYNC_EVERY = 4 << 20

export interface SnapshotState {
  revision: number
  compactRevision: number
  walSeq: number
  nextLeaseId: number
  leases: { id: number; ttl: number }[]
  /** base versions, then events, in the order described above */
  versions: Revision[]
}

/** a snapshot as read back: its state and the size of its file */
export type ReadSnapshot = SnapshotState & { bytes: number }

export type SnapshotHeader = Omit<SnapshotState, 'versions'>

export const snapshotName = (revision: number) => numberedName(revision, 'snap')
export const listSnapshots = (dir: string) => listNumbered(dir, 'snap')

/** bytes encoded before a write: small enough that the event loop gets a turn often */
const WRITE_BYTES = 1 << 20

/**
 * A chunk of versions to write; `values` reads their values (LazyRevision.readAll) and is called
 * right before the chunk is encoded, with no await between: they may be views of a reused buffer.
 */
export interface SnapshotChunk {
  versions: Revision[]
  values?: () => (Uint8Array | undefined)[]
}

/**
 * Writes a snapshot whose versions come in chunks (see Snapshotter: walked lazily, not copied);
 * returns its size and path. `placed(version, offset)` learns where each value landed in the file.
 */
export async function writeSnapshot(
  dir: string,
  s: SnapshotHeader,
  chunks: Iterable<SnapshotChunk>,
  placed?: (v: Revision, offset: number) => void,
): Promise<{ bytes: number; file: string }> {
  const name = snapshotName(s.revision)
  const tmp = join(dir, `${name}.tmp`)
  const fh = await open(tmp, 'w', 0o600)
  let buf = Buffer.allocUnsafe(WRITE_BYTES) // frames are encoded into it, then written; reused
  let used = 0
  let bytes = 0
  let unsynced = 0
  const flush = async () => {
    if (used) await fh.write(buf, 0, used)
    bytes += used
    unsynced += used
    used = 0
    // flush in small steps: one large flush at the end would stall the log's own fdatasyncs
    if (unsynced >= SYNC_EVERY) {
      await fh.datasync()
      unsynced = 0
    }
  }
  const reserve = async (bound: number) => {
    if (used + bound > buf.length) await flush()
    if (bound > buf.length) buf = Buffer.allocUnsafe(bound)
  }
  const putFrame = async (frame: Buffer) => {
    await reserve(frame.length)
    used += frame.copy(buf, used)
  }
  try {
    await putFrame(
      encodeFrame(
        cbor.encode([
          10,
          FORMAT_VERSION,
          s.revision,
          s.compactRevision,
          s.walSeq,
          s.nextLeaseId,
          s.leases.map((l) => [l.id, l.ttl]),
        ]),
      ),
    )
    let count = 0
    const at: number[] = []
    for (const { versions, values } of chunks) {
      if (!versions.length) continue
      count += versions.length
      await reserve(versionsFrameBound(versions))
      at.length = 0
      used = writeVersionsFrame(buf, used, versions, values?.(), placed && at)
      if (placed)
        for (let i = 0; i < versions.length; i++) if (at[i] >= 0) placed(versions[i], bytes + at[i])
    }
    await putFrame(encodeFrame(cbor.encode([12, count])))
    await flush()
    await fh.datasync()
  } finally {
    await fh.close()
  }
  const file = join(dir, name)
  renameSync(tmp, file)
  fsyncDir(dir)
  return { bytes, file }
}

function versionFromWire(w: unknown): Revision | undefined {
  if (!Array.isArray(w) || w.length !== 6) return undefined
  const [key, rev, create, version, value, lease] = w
  if (typeof key !== 'string' || ![rev, create, version, lease].every(Number.isSafeInteger))
    return undefined
  if (value !== null && !(value instanceof Uint8Array)) return undefined
  return { key, rev, create, version, value: value ?? undefined, lease }
}

/** builds a SnapshotState from its payloads, in file order */
class SnapshotLoader {
  state: SnapshotState | undefined
  complete = false

  /** takes one payload; a string says what is wrong with it */
  add(payload: Buffer, at: FilePlace): string | undefined {
    const fast = this.state && fastDecodeVersions(payload, at)
    if (fast) {
      for (const v of fast) this.state!.versions.push(v)
      return undefined
    }
    let a: unknown[]
    try {
      a = cbor.decode(Uint8Array.prototype.slice.call(payload)) as unknown[] // a copy: payload is a view of a reused buffer
    } catch (err) {
      return `undecodable payload (${(err as Error).message})`
    }
    const state = this.state
    if (a[0] === 10 && !state) {
      if (a[1] !== FORMAT_VERSION) return `format version ${String(a[1])}`
      const leases = (a[6] as [number, number][]).map(([id, ttl]) => ({ id, ttl }))
      this.state = {
        revision: a[2] as number,
        compactRevision: a[3] as number,
        walSeq: a[4] as number,
        nextLeaseId: a[5] as number,
        leases,
        versions: [],
      }
    } else if (a[0] === 11 && state) {
      for (const w of a[1] as unknown[]) {
        const v = versionFromWire(w)
        if (!v) return 'malformed key version'
        state.versions.push(v)
      }
    } else if (a[0] === 12 && state && a[1] === state.versions.length) this.complete = true
    else return `unexpected record type ${String(a[0])}`
    return undefined
  }
}

/**
 * Reads a snapshot through `reader`; values stay in the file (`files`) until first read. Any
 * damage is an error naming the file and offset (snapshots are written whole, never torn).
 */
export function readSnapshot(
  dir: string,
  revision: number,
  o: { reader: FrameReader; files: ValueFiles },
): ReadSnapshot {
  const file = join(dir, snapshotName(revision))
  const source = o.files.open(file)
  const bad = (offset: number, what: string) =>
    new CorruptError(`store: snapshot ${file} is damaged at byte ${offset}: ${what}`, {
      file,
      offset,
    })
  const loader = new SnapshotLoader()
  const scan = o.reader.read(source.fd, (payload, offset) =>
    loader.add(payload, { source, offset }),
  )
  const trouble = scan.damage ?? scan.torn
  if (trouble) throw bad(trouble.offset, trouble.reason)
  const { state } = loader
  if (!state || !loader.complete || state.revision !== revision)
    throw bad(scan.size, 'incomplete snapshot')
  return { ...state, bytes: scan.size }
}

/** Removes snapshots older than `keep` and leftover temp files. */
export function pruneSnapshots(dir: string, keep: number, onRemove?: (file: string) => void): void {
  for (const rev of listSnapshots(dir)) {
    if (rev >= keep) continue
    const file = join(dir, snapshotName(rev))
    onRemove?.(file)
    unlinkSync(file)
  }
  for (const name of readdirSync(dir)) if (name.endsWith('.snap.tmp')) unlinkSync(join(dir, name))
}
