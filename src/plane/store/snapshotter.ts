// Decides when to snapshot and does it in the background: capture the state and cut the log
// in the same tick (so the snapshot holds exactly the records before the new segment), wait for
// those records to be durable, write the snapshot, then delete the segments and snapshots it
// replaces. Disk then holds one snapshot plus the log written since; memory is bounded by the
// live keys plus the retained history (auto-compaction).
import { unlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../../core/index.ts'
import { pruneSnapshots, writeSnapshot } from './snapshot.ts'
import type { StoreState } from './state.ts'
import { LazyRevision } from './mvcc/revision.ts'
import { listSegments, segmentName } from './wal/segments.ts'
import type { WalWriter } from './wal/writer.ts'
import type { ValueFiles } from './wal/value-file.ts'

/** keys or events per snapshot chunk */
const PAGE = 1024

export interface SnapshotterOptions {
  dir: string
  state: StoreState
  wal: WalWriter
  log: Logger
  /** files read at open; retired as their segments and snapshots are deleted */
  files: ValueFiles
  thresholdBytes: number
}

export class Snapshotter {
  #o: SnapshotterOptions
  #running: Promise<void> | undefined
  #writtenAtLast = 0
  #lastSize = 0

  constructor(o: SnapshotterOptions) {
    this.#o = o
  }

  maybeStart(): void {
    if (this.#running) return
    const since = this.#o.wal.written - this.#writtenAtLast
    // at least the threshold, and twice the last snapshot: rewriting the state costs at most half
    // of what the log itself writes (a large store is not re-snapshotted every few MB)
    if (since < Math.max(this.#o.thresholdBytes, 2 * this.#lastSize)) return
    this.#running = this.#run()
      .catch((err) => this.#o.log.error('snapshot failed; the log keeps growing until one succeeds', { err: String(err) }))
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
    this.#writtenAtLast = wal.written
    const cut = wal.cut(revision + 1) // same tick as the capture above
    const walSeq = await cut
    await wal.sync()
    const snapDir = join(dir, 'snap')
    // no copy of the state: the versions are walked page by page while the file is written
    // (compaction waits for the snapshot, see running; later writes only add newer versions)
    let versions = 0
    const pages = function* () {
      let key: string | undefined = ''
      while (key !== undefined) {
        const p = s.index.baseVersionsPage(key, compactRevision, PAGE)
        versions += p.versions.length
        LazyRevision.readAll(p.versions) // after a restart: one read per run of neighbours
        yield p.versions
        key = p.next
      }
      let at: number | undefined
      do {
        const p = s.index.eventsPage(compactRevision, revision, at, PAGE)
        versions += p.versions.length
        LazyRevision.readAll(p.versions)
        yield p.versions
        at = p.next
      } while (at !== undefined)
    }
    this.#lastSize = await writeSnapshot(snapDir, { revision, compactRevision, walSeq, nextLeaseId, leases }, pages())
    // every value the snapshot wrote has been read; a version it did not write (there should be
    // none from before the cut) is read now, before the files are retired
    if (files.size) s.index.readValues()
    const walDir = join(dir, 'wal')
    let removed = 0
    for (const seq of listSegments(walDir)) {
      if (seq >= walSeq) continue
      const file = join(walDir, segmentName(seq))
      files.retire(file)
      unlinkSync(file)
      removed++
    }
    pruneSnapshots(snapDir, revision, (file) => files.retire(file))
    log.info('snapshot written', { revision, versions, bytes: this.#lastSize, segmentsRemoved: removed, ms: Math.round(performance.now() - t0) })
  }
}
