// Snapshots: the whole MVCC state at one revision, so the log before it can be deleted.
// File `<revision as 16 hex>.snap`, the same frames as the log (format.ts), payloads:
//   [10, formatVersion, revision, compactRevision, walSeq, nextLeaseId, leases]  header;
//        leases = [[id, ttl], ...]; replay continues with segment walSeq
//   [11, versions]   a chunk of key versions [key, rev, create, version, value|null, lease] in
//                    order: first the base version of each key older than compactRevision,
//                    then every version from compactRevision on, in revision order
//   [12, count]      trailer: the number of versions; a snapshot without it is incomplete
// Written to a temp file, fsynced, renamed, directory fsynced; encoding yields to the event loop
// between chunks so a large snapshot does not stall requests.
import { open } from 'node:fs/promises'
import { readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { Encoder } from 'cbor-x'
import { CorruptError } from '../../core/index.ts'
import { encodeFrame, scanFrames } from './wal/format.ts'
import { FORMAT_VERSION } from './wal/records.ts'
import { fsyncDir, listNumbered, numberedName } from './wal/segments.ts'
import { fastDecodeVersions } from './wal/fast-decode.ts'
import type { Revision } from './mvcc/revision.ts'

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

export type SnapshotHeader = Omit<SnapshotState, 'versions'>

export const snapshotName = (revision: number) => numberedName(revision, 'snap')
export const listSnapshots = (dir: string) => listNumbered(dir, 'snap')

const wire = (r: Revision) => [r.key, r.rev, r.create, r.version, r.value ?? null, r.lease]

/** writes a snapshot whose versions come in chunks (see Snapshotter: walked lazily, not copied) */
export async function writeSnapshot(dir: string, s: SnapshotHeader, chunks: Iterable<Revision[]>): Promise<number> {
  const name = snapshotName(s.revision)
  const tmp = join(dir, `${name}.tmp`)
  const fh = await open(tmp, 'w')
  let bytes = 0
  let unsynced = 0
  const put = async (payload: unknown[]) => {
    const frame = encodeFrame(cbor.encode(payload))
    bytes += frame.length
    unsynced += frame.length
    await fh.write(frame)
    // flush in small steps: one large flush at the end would stall the log's own fdatasyncs
    if (unsynced >= SYNC_EVERY) (await fh.datasync(), (unsynced = 0))
  }
  try {
    await put([10, FORMAT_VERSION, s.revision, s.compactRevision, s.walSeq, s.nextLeaseId, s.leases.map((l) => [l.id, l.ttl])])
    let count = 0
    for (const chunk of chunks) {
      if (!chunk.length) continue
      count += chunk.length
      await put([11, chunk.map(wire)])
    }
    await put([12, count])
    await fh.datasync()
  } finally {
    await fh.close()
  }
  renameSync(tmp, join(dir, name))
  fsyncDir(dir)
  return bytes
}

function versionFromWire(w: unknown): Revision | undefined {
  if (!Array.isArray(w) || w.length !== 6) return undefined
  const [key, rev, create, version, value, lease] = w
  if (typeof key !== 'string' || ![rev, create, version, lease].every(Number.isSafeInteger)) return undefined
  if (value !== null && !(value instanceof Uint8Array)) return undefined
  return { key, rev, create, version, value: value ?? undefined, lease }
}

/** Reads a snapshot; any damage is an error naming the file and offset (snapshots are never torn). */
export async function readSnapshot(dir: string, revision: number): Promise<SnapshotState> {
  const file = join(dir, snapshotName(revision))
  const buf = readFileSync(file) // start-up only: one read, no event-loop round trips
  const bad = (offset: number, what: string) => new CorruptError(`store: snapshot ${file} is damaged at byte ${offset}: ${what}`, { file, offset })
  const scan = scanFrames(buf)
  const trouble = scan.damage ?? scan.torn
  if (trouble) throw bad(trouble.offset, trouble.reason)
  let state: SnapshotState | undefined
  let complete = false
  for (const f of scan.frames) {
    const fast = state && fastDecodeVersions(f.payload)
    if (fast) {
      for (const v of fast) state!.versions.push(v)
      continue
    }
    let a: unknown[]
    try {
      a = cbor.decode(f.payload) as unknown[]
    } catch (err) {
      throw bad(f.offset, `undecodable payload (${(err as Error).message})`)
    }
    if (a[0] === 10 && !state) {
      if (a[1] !== FORMAT_VERSION) throw bad(f.offset, `format version ${String(a[1])}`)
      const leases = (a[6] as [number, number][]).map(([id, ttl]) => ({ id, ttl }))
      state = { revision: a[2] as number, compactRevision: a[3] as number, walSeq: a[4] as number, nextLeaseId: a[5] as number, leases, versions: [] }
    } else if (a[0] === 11 && state) {
      for (const w of a[1] as unknown[]) {
        const v = versionFromWire(w)
        if (!v) throw bad(f.offset, 'malformed key version')
        state.versions.push(v)
      }
    } else if (a[0] === 12 && state && a[1] === state.versions.length) complete = true
    else throw bad(f.offset, `unexpected record type ${String(a[0])}`)
  }
  if (!state || !complete || state.revision !== revision) throw bad(buf.length, 'incomplete snapshot')
  return state
}

/** Removes snapshots older than `keep` and leftover temp files. */
export function pruneSnapshots(dir: string, keep: number): void {
  for (const rev of listSnapshots(dir)) if (rev < keep) unlinkSync(join(dir, snapshotName(rev)))
  for (const name of readdirSync(dir)) if (name.endsWith('.snap.tmp')) unlinkSync(join(dir, name))
}

