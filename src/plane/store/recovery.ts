// Opening a store directory: the newest snapshot, then every later segment replayed in order.
// A torn tail of the last segment is cut off and reported; damage anywhere else, a missing
// segment or a revision gap refuses to open with the file and offset. Nothing is dropped silently.
import { mkdirSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { CorruptError, type Clock, type Logger } from '../../core/index.ts'
import { listSnapshots, readSnapshot } from './snap/index.ts'
import { StoreState } from './state.ts'
import { FrameReader, listSegments, readSegment, segmentName, ValueFiles } from './wal/index.ts'

export interface Recovered {
  state: StoreState
  /** seq for the writer's first (new) segment */
  nextSeq: number
  /** revision of the snapshot loaded (0: none) */
  snapshotRevision: number
  records: number
  /** the files values are read from (segments and snapshots), starting with those read at open */
  files: ValueFiles
  /** sizes of the snapshot loaded and of the segments replayed after it (what the next snapshot may reclaim) */
  snapshotBytes: number
  logBytes: number
}

export async function recover(
  dir: string,
  clock: Clock,
  log: Logger,
  onLeaseExpired: (id: number) => void,
): Promise<Recovered> {
  const files = new ValueFiles()
  try {
    return readAll(dir, clock, log, onLeaseExpired, files)
  } catch (err) {
    files.closeAll()
    throw err
  }
}

function readAll(
  dir: string,
  clock: Clock,
  log: Logger,
  onLeaseExpired: (id: number) => void,
  files: ValueFiles,
): Recovered {
  const reader = new FrameReader()
  const walDir = join(dir, 'wal')
  const snapDir = join(dir, 'snap')
  mkdirSync(walDir, { recursive: true, mode: 0o700 })
  mkdirSync(snapDir, { recursive: true, mode: 0o700 })
  const state = new StoreState(clock, onLeaseExpired)
  const snaps = listSnapshots(snapDir)
  let fromSeq = 0
  let snapshotRevision = 0
  let snapshotBytes = 0
  let logBytes = 0
  if (snaps.length) {
    const snap = readSnapshot(snapDir, snaps[snaps.length - 1], { reader, files })
    state.head = snap.revision
    state.compactRevision = snap.compactRevision
    for (const l of snap.leases) state.lessor.grant(l.id, l.ttl)
    state.lessor.nextId = snap.nextLeaseId
    state.restore(snap.versions)
    fromSeq = snap.walSeq
    snapshotRevision = snap.revision
    snapshotBytes = snap.bytes
  }
  const all = listSegments(walDir)
  for (const seq of all) if (seq < fromSeq) unlinkSync(join(walDir, segmentName(seq))) // an interrupted prune
  const segs = all.filter((s) => s >= fromSeq)
  let records = 0
  let nextSeq = segs.length ? segs[0] : Math.max(fromSeq, 1)
  for (const [i, seq] of segs.entries()) {
    if (seq !== nextSeq) {
      const file = join(walDir, segmentName(nextSeq))
      throw new CorruptError(
        `store: segment ${file} is missing (found ${segmentName(seq)} after it)`,
        { file, offset: 0 },
      )
    }
    const last = i === segs.length - 1
    const where = join(walDir, segmentName(seq))
    const seg = readSegment(walDir, seq, last, {
      log,
      reader,
      files,
      apply: (r) => state.apply(r, where),
      applyScanned: (t, source, offset) => state.replayScanned(t, source, offset, where),
    })
    records += seg.records
    logBytes += seg.bytes
    nextSeq = seq + 1
    if (last && seg.records === 0) {
      // created and never written to (or only its header): reuse its number rather than leave
      // one more empty file behind at every restart
      files.retire(where)
      unlinkSync(where)
      nextSeq = seq
    }
  }
  return { state, nextSeq, snapshotRevision, records, files, snapshotBytes, logBytes }
}
