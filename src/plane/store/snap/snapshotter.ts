// Decides when to snapshot and does it in the background: capture the state and cut the log
// in the same tick (so the snapshot holds exactly the records before the new segment), wait for
// those records to be durable, write the snapshot, then delete the segments and snapshots it
// replaces. Disk then holds one snapshot plus the log written since; memory is bounded by the
// live keys plus the retained history (auto-compaction). Values read from the files being
// deleted are re-pointed at the new snapshot first (LazyRevision.moveTo, mvcc/revision.ts).
//
// When: a snapshot rewrites every retained version, so it is taken only when it frees at least
// as much as it writes, and at least the threshold: dead bytes on disk (the last snapshot plus
// the log since, minus what is still retained) ≥ max(threshold, retained bytes). Endless
// updates of the same keys snapshot every `threshold` of log; a store that only grows (new
// keys, history kept) is never rewritten — on an SD card that would be wear for nothing, and
// replaying its log costs about what loading the same versions from a snapshot does. Disk stays
// under twice the retained data plus the threshold.
import { unlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../../../core/index.ts'
import {
  listSnapshots,
  pruneSnapshots,
  snapshotName,
  writeSnapshot,
  type SnapshotChunk,
} from './snapshot.ts'
import { LazyRevision, type KeyIndex, type ReadArena, type Revision } from '../mvcc/index.ts'
import { listSegments, segmentName, type ValueFiles, type WalWriter } from '../wal/index.ts'

/** keys or events per snapshot chunk */
const PAGE = 1024

/** what a snapshot captures of the store's state (the store's StoreState, ../state.ts) */
export interface SnapshotSource {
  readonly head: number
  readonly compactRevision: number
  readonly index: KeyIndex
  readonly lessor: { list(): { id: number; ttl: number }[]; readonly nextId: number }
}

export interface SnapshotterOptions {
  dir: string
  state: SnapshotSource
  wal: WalWriter
  log: Logger
  /** files read at open; retired as their segments and snapshots are deleted */
  files: ValueFiles
  thresholdBytes: number
  /** sizes found at open: the snapshot loaded and the log replayed after it */
  snapshotBytes: number
  logBytes: number
}

export class Snapshotter {
  #o: SnapshotterOptions
  #running: Promise<void> | undefined
  /** log bytes on disk from before the writer's first write (replayed at open); 0 after a snapshot */
  #logAtOpen: number
  #writtenAtLast = 0
  #lastSize: number

  constructor(o: SnapshotterOptions) {
    this.#o = o
    this.#lastSize = o.snapshotBytes
    this.#logAtOpen = o.logBytes
  }

  /** bytes on disk that a snapshot now would free, and what it would write */
  get reclaim(): { dead: number; retained: number } {
    const onDisk = this.#lastSize + this.#logAtOpen + this.#o.wal.written - this.#writtenAtLast
    const retained = this.#o.state.index.retainedBytes
    return { dead: Math.max(0, onDisk - retained), retained }
  }

  /** after a failed snapshot, no new try before the log has grown by the threshold again */
  #retryAt = 0

  maybeStart(): void {
    if (this.#running) return
    const { wal, thresholdBytes } = this.#o
    if (wal.written < this.#retryAt) return
    // no test on how much log is new: deleting many objects writes small tombstones but frees all their bytes
    const { dead, retained } = this.reclaim
    if (dead < Math.max(thresholdBytes, retained)) return
    this.#running = this.#run()
      .catch((err) => {
        this.#retryAt = wal.written + thresholdBytes
        this.#o.log.error('snapshot failed; the log keeps growing until one succeeds', {
          err: String(err),
        })
      })
      .finally(() => (this.#running = undefined))
  }

  /** snapshot now (for tests and admin); resolves when it is on disk */
  async now(): Promise<void> {
    await this.#running
    this.#running = this.#run().finally(() => (this.#running = undefined))
    await this.#running
  }

  /** a snapshot is being written: compaction must wait (the walk reads retained history) */
  get running(): boolean {
    return this.#running !== undefined
  }

  idle(): Promise<void> {
    return this.#running ?? Promise.resolve()
  }

  async #run(): Promise<void> {
    const { state: s, wal, dir, log, files } = this.#o
    const t0 = performance.now()
    const revision = s.head
    const compactRevision = s.compactRevision
    const leases = s.lessor.list()
    const nextLeaseId = s.lessor.nextId
    const written = wal.written // what the log held at the cut: the snapshot replaces all of it
    const cut = wal.cut(revision + 1) // same tick as the capture above
    const walSeq = await cut
    await wal.sync()
    const snapDir = join(dir, 'snap')
    // no copy of the state: the versions are walked page by page while the file is written
    // (compaction waits for the snapshot, see running; later writes only add newer versions)
    let versions = 0
    const arena: ReadArena = { buf: Buffer.allocUnsafe(2 << 20), used: 0 } // one buffer for every chunk's values
    const chunk = (vs: Revision[]): SnapshotChunk => (
      (versions += vs.length),
      { versions: vs, values: () => LazyRevision.readAll(vs, arena) }
    )
    const pages = function* () {
      let key: string | undefined = ''
      while (key !== undefined) {
        const p = s.index.baseVersionsPage(key, compactRevision, PAGE)
        yield chunk(p.versions) // values on disk: one read per run of neighbours
        key = p.next
      }
      let at: number | undefined
      do {
        const p = s.index.eventsPage(compactRevision, revision, at, PAGE)
        yield chunk(p.versions)
        at = p.next
      } while (at !== undefined)
    }
    const moved: LazyRevision[] = []
    const offsets: number[] = []
    const placed = (v: Revision, offset: number) =>
      v instanceof LazyRevision && (moved.push(v), offsets.push(offset))
    const snap = await writeSnapshot(
      snapDir,
      { revision, compactRevision, walSeq, nextLeaseId, leases },
      pages(),
      placed,
    )
    this.#lastSize = snap.bytes
    this.#writtenAtLast = written // a failed snapshot changes nothing here: its log is still on disk
    this.#logAtOpen = 0
    // every value the snapshot wrote is read from it from now on; one it did not write (there
    // should be none from before the cut) is pinned in memory before its file goes
    const source = files.open(snap.file)
    for (let i = 0; i < moved.length; i++) moved[i].moveTo(source, offsets[i])
    const walDir = join(dir, 'wal')
    const segments = listSegments(walDir)
      .filter((seq) => seq < walSeq)
      .map((seq) => join(walDir, segmentName(seq)))
    const snapshots = listSnapshots(snapDir)
      .filter((rev) => rev < revision)
      .map((rev) => join(snapDir, snapshotName(rev)))
    // only a file something was read from can still have values pointing at it
    s.index.pinFrom(new Set([...segments, ...snapshots].flatMap((f) => files.get(f) ?? [])))
    for (const file of segments) {
      files.retire(file)
      unlinkSync(file)
    }
    const removed = segments.length
    pruneSnapshots(snapDir, revision, (file) => files.retire(file))
    log.info('snapshot written', {
      revision,
      versions,
      bytes: this.#lastSize,
      segmentsRemoved: removed,
      ms: Math.round(performance.now() - t0),
    })
  }
}
