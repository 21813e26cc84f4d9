// Group commit. Appends queue frames; one flush at a time writes everything queued so far and
// fdatasyncs once, then every append of that flush resolves. Appends that arrive during a flush
// form the next one, which starts as soon as the current one returns: no write ever waits for a
// timer, and under load many writes share one fdatasync. A failed write or sync poisons the
// writer (the data on disk is no longer known), and every later append fails too.
//
// Where the fdatasync runs adapts to the disk: on the libuv pool (the event loop keeps serving)
// while syncs are slow — an SD card takes milliseconds — and on this thread, gathering the
// appends of one event-loop turn, while they are fast (an SSD: ~0.1 ms, less than the thread
// hop itself). A sync that turns slow switches back at once.
//
// A segment is extended ahead of its writes, 4 MiB at a time (sparse where the file system can:
// no bytes written), and frames are written at their offsets, so most fdatasyncs need not record
// a new file size: ≈ 30 % less per sync measured here (research/store.md: +29 % with a
// zero-filled file). Steps, not the whole segment at once: a file system without sparse files
// writes the zeros, and a crash leaves at most one step of zeros for recovery to read. The unused
// end reads as zeros, the end of the log (format.ts); a cut or a close trims a segment.
import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, writeSync, writevSync } from 'node:fs'
import { join } from 'node:path'
import { UnavailableError } from '../../../core/index.ts'
import { encodeFrame } from './format.ts'
import { encodeRecord, FORMAT_VERSION, type WalRecord } from './records.ts'
import { fsyncDir, segmentName } from './segments.ts'
import { txnFrameBound, writeTxnFrame } from './frame-encode.ts'

interface Deferred {
  promise: Promise<void>
  resolve(): void
  reject(err: Error): void
}

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  promise.catch(() => {}) // a rejection is also reported to each caller that awaits it
  return { promise, resolve, reject }
}

/** upper bounds (seconds) of the fdatasync latency histogram, as etcd's wal_fsync_duration */
export const SYNC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1]

/** flushes whose fdatasync may run at once: the CPU prepares the next batch while the disk syncs */
const MAX_SYNCS = 2
/** sync on this thread while the average fdatasync is under this (seconds)… */
const INLINE_AVG_SYNC = 0.0003
/** …and leave that mode on any single sync slower than this */
const INLINE_MAX_SYNC = 0.002
/** how far ahead of its writes a segment file is extended */
const EXTEND_STEP = 4 << 20
/** txn frames are encoded into one reused buffer of this size (more while a batch needs it) */
const ARENA_BYTES = 1 << 20

interface CutMarker {
  firstRevision: number
  onCut(seq: number): void
  onFail(err: Error): void
}
type Item = Buffer | CutMarker

export interface WriterOptions {
  dir: string
  seq: number
  firstRevision: number
  segmentBytes: number
  /** allow fdatasync on the event-loop thread while syncs are fast (default true); 'always' forces it (tests) */
  inlineSync?: boolean | 'always'

}

export class WalWriter {
  #dir: string
  #segmentBytes: number
  #fd = -1
  #seq: number
  #size = 0
  /** the file's length: #size rounded up to the next extension step */
  #extent = 0
  #queue: Item[] = []
  #next: Deferred = deferred()
  /** flushes written and not yet known durable, oldest first */
  #inflight: Deferred[] = []
  /** fdatasync calls still running on the pool (a file is closed only when none is) */
  #pending = 0
  #idle: (() => void)[] = []
  #failed: Error | undefined
  #closed = false
  /** bytes written since the writer was created or since resetWritten() */
  written = 0
  /** fdatasync calls and the seconds they took, for metrics */
  readonly syncStats = { count: 0, seconds: 0, buckets: new Array<number>(12).fill(0) }
  /** syncs on this thread while the average fdatasync is fast; see the header */
  #inline = false
  #allowInline: boolean
  #forceInline: boolean
  #avgSync = 0.001
  #scheduled = false
  /** the revision of the last record handed to append() (set by the store for auto cuts) */
  headRevision = 0
  /** the highest revision known durable: every record up to it has been synced */
  durableRevision = 0
  /** queued txn frames, back to back (written with one call), reused once a batch is written */
  #arena = Buffer.allocUnsafe(ARENA_BYTES)
  #used = 0

  constructor(opts: WriterOptions) {
    this.#dir = opts.dir
    this.#segmentBytes = opts.segmentBytes
    this.#allowInline = opts.inlineSync !== false
    this.#forceInline = opts.inlineSync === 'always'
    this.#inline = this.#forceInline
    this.#seq = opts.seq
    this.#open(opts.seq, opts.firstRevision)
  }

  get seq(): number {
    return this.#seq
  }

  /** queues a record; resolves once it (and everything before it) is on disk */
  append(record: WalRecord): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed)
    if (this.#closed) return Promise.reject(new UnavailableError('store: closed'))
    this.#queue.push(this.#frame(record))
    const p = this.#next.promise
    this.#kick()
    return p
  }

  /** queues a cut: records appended after this go to a new segment; resolves with its seq */
  cut(firstRevision: number): Promise<number> {
    if (this.#failed) return Promise.reject(this.#failed)
    return new Promise((onCut, onFail) => {
      this.#queue.push({ firstRevision, onCut, onFail })
      this.#kick()
    })
  }

  /** resolves when everything queued so far is durable */
  sync(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed)
    if (this.#queue.length) return this.#next.promise
    return this.#inflight[this.#inflight.length - 1]?.promise ?? Promise.resolve()
  }

  async close(): Promise<void> {
    await this.sync().catch(() => {})
    if (this.#pending) await new Promise<void>((r) => this.#idle.push(r))
    this.#closed = true
    if (this.#fd >= 0) this.#finish()
    this.#fd = -1
  }

  /** the record's frame: txns straight into the arena, the rare others on their own */
  #frame(record: WalRecord): Buffer {
    if (record.type !== 'txn') return encodeFrame(encodeRecord(record))
    const bound = txnFrameBound(record.ops)
    if (this.#used + bound > this.#arena.length) {
      // frames already queued keep the old buffer alive until they are written
      this.#arena = Buffer.allocUnsafe(Math.max(ARENA_BYTES, 2 * this.#arena.length, bound))
      this.#used = 0
    }
    const start = this.#used
    this.#used = writeTxnFrame(this.#arena, start, record.revision, record.ops)
    return this.#arena.subarray(start, this.#used)
  }

  /** the queue was written out: the arena's bytes are in the kernel and can be reused */
  #recycle(): void {
    if (this.#queue.length) return
    this.#used = 0
    if (this.#arena.length > 8 * ARENA_BYTES) this.#arena = Buffer.allocUnsafe(ARENA_BYTES)
  }

  #open(seq: number, firstRevision: number): void {
    this.#fd = openSync(join(this.#dir, segmentName(seq)), 'wx')
    this.#seq = seq
    this.#size = 0
    this.#extent = 0
    this.#write(encodeFrame(encodeRecord({ type: 'header', version: FORMAT_VERSION, seq, firstRevision })))
    fsyncDir(this.#dir)
  }

  /** makes the file at least `end` bytes long: a step ahead, but not past the segment size */
  #extend(end: number): void {
    if (end <= this.#extent) return
    this.#extent = Math.min(Math.ceil(end / EXTEND_STEP) * EXTEND_STEP, Math.max(end, this.#segmentBytes))
    ftruncateSync(this.#fd, this.#extent)
  }

  #write(buf: Buffer): void {
    this.#extend(this.#size + buf.length)
    for (let off = 0; off < buf.length; ) off += writeSync(this.#fd, buf, off, buf.length - off, this.#size + off)
    this.#size += buf.length
    this.written += buf.length
  }

  /** many frames in one system call, without copying them into one buffer first */
  #writev(parts: Buffer[]): void {
    let total = 0
    for (const p of parts) total += p.length
    this.#extend(this.#size + total)
    const done = parts.length > 1 && parts.length <= 1024 ? writevSync(this.#fd, parts, this.#size) : 0
    if (done < total) {
      const rest = Buffer.concat(parts).subarray(done)
      for (let off = 0; off < rest.length; ) off += writeSync(this.#fd, rest, off, rest.length - off, this.#size + done + off)
    }
    this.#size += total
    this.written += total
  }

  #kick(): void {
    if (this.#queue.length === 0 || this.#failed) return
    const busy = this.#pending
    if (this.#inline || busy) {
      // gather this turn's appends into one batch: inline, or a second sync overlapping the first
      if (this.#scheduled || busy >= MAX_SYNCS) return
      this.#scheduled = true
      setImmediate(() => ((this.#scheduled = false), this.#inline ? this.#flushInline() : this.#flushPool()))
      return
    }
    this.#flushPool()
  }

  /** write now, fdatasync on the libuv pool; a second flush may overlap the first's sync */
  #flushPool(): void {
    if (this.#queue.length === 0 || this.#failed || this.#pending >= MAX_SYNCS) return
    // a cut closes the file: never while a sync on it is still running
    if (this.#pending && (this.#size >= this.#segmentBytes || this.#queue.some((i) => !Buffer.isBuffer(i)))) return
    const batch = this.#queue
    const done = this.#next
    this.#inflight.push(done)
    this.#queue = []
    this.#next = deferred()
    try {
      this.#writeBatch(batch)
    } catch (err) {
      return this.#fail(err as Error, done, batch)
    }
    this.#recycle()
    const head = this.headRevision
    const t0 = process.hrtime.bigint()
    this.#pending++
    fdatasync(this.#fd, (err) => {
      this.#pending--
      if (!this.#pending) for (const r of this.#idle.splice(0)) r()
      if (err) return this.#fail(err, done)
      this.#recordSync(Number(process.hrtime.bigint() - t0) / 1e9)
      // this sync covered every write before it, so every earlier flush is durable too
      // (if a later sync already said so, `done` is gone from the list and nothing changes)
      if (head > this.durableRevision) this.durableRevision = head
      for (const d of this.#inflight.splice(0, this.#inflight.indexOf(done) + 1)) d.resolve()
      this.#kick()
    })
  }

  /** one turn's appends, written and synced on this thread (fast disks only) */
  #flushInline(): void {
    if (this.#pending || this.#queue.length === 0 || this.#failed) return
    const batch = this.#queue
    const done = this.#next
    this.#queue = []
    this.#next = deferred()
    const t0 = process.hrtime.bigint()
    try {
      this.#writeBatch(batch)
      this.#recycle()
      fdatasyncSync(this.#fd)
    } catch (err) {
      return this.#fail(err as Error, done, batch)
    }
    this.#recordSync(Number(process.hrtime.bigint() - t0) / 1e9)
    this.durableRevision = this.headRevision
    done.resolve()
    this.#kick()
  }

  #recordSync(sec: number): void {
    this.#avgSync = this.#avgSync * 0.9 + sec * 0.1
    if (this.#forceInline) return this.#count(sec)
    if (sec > INLINE_MAX_SYNC) this.#inline = false
    else if (this.#avgSync < INLINE_AVG_SYNC) this.#inline = this.#allowInline
    this.#count(sec)
  }

  #count(sec: number): void {
    const s = this.syncStats
    s.count++
    s.seconds += sec
    for (let i = 0; i < SYNC_BUCKETS.length; i++) if (sec <= SYNC_BUCKETS[i]) s.buckets[i]++
  }

  /** writes the frames, frames adjacent in one buffer (the arena) with one call; cuts as queued */
  #writeBatch(batch: Item[]): void {
    let parts: Buffer[] = []
    let run: Buffer | undefined // the current run of adjacent frames
    let runEnd = 0
    const endRun = () => {
      if (run) parts.push(run.byteOffset + run.length === runEnd ? run : Buffer.from(run.buffer, run.byteOffset, runEnd - run.byteOffset))
      run = undefined
    }
    const flushParts = () => {
      endRun()
      if (parts.length === 1) this.#write(parts[0])
      else if (parts.length) this.#writev(parts)
      parts = []
    }
    for (const item of batch) {
      if (Buffer.isBuffer(item)) {
        if (this.#size >= this.#segmentBytes && parts.length === 0 && !run) this.#cutNow(this.headRevision + 1)
        if (run && item.buffer === run.buffer && item.byteOffset === runEnd) runEnd += item.length
        else (endRun(), (run = item), (runEnd = item.byteOffset + item.length))
        continue
      }
      flushParts()
      this.#cutNow(item.firstRevision)
      item.onCut(this.#seq)
    }
    flushParts()
  }

  /** rare (once per segment): the old file is synced and closed before the new one is used */
  #cutNow(firstRevision: number): void {
    this.#finish()
    this.#open(this.#seq + 1, firstRevision)
  }

  /** trims the segment to what it holds, makes that durable and closes it */
  #finish(): void {
    try {
      if (!this.#failed) (ftruncateSync(this.#fd, this.#size), fdatasyncSync(this.#fd))
    } finally {
      closeSync(this.#fd)
    }
  }

  #fail(err: Error, done: Deferred, batch: Item[] = []): void {
    this.#failed = new UnavailableError(`store: writing the log failed (${err.message}); the store accepts no more writes`, { cause: err })
    done.reject(this.#failed)
    for (const d of this.#inflight) d.reject(this.#failed)
    this.#inflight = []
    this.#next.reject(this.#failed)
    for (const item of [...batch, ...this.#queue]) if (!Buffer.isBuffer(item)) item.onFail(this.#failed)
    this.#queue = []
  }
}
