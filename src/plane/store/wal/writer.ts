// Group commit. Appends queue frames; one flush at a time writes everything queued so far and
// fdatasyncs once, then every append of that flush resolves. Appends that arrive during a flush
// form the next one, which starts as soon as the current one returns: no write ever waits for a
// timer, and under load many writes share one fdatasync. A failed write or sync poisons the
// writer (the data on disk is no longer known), and every later append fails too.
//
// Where the fdatasync runs adapts to the disk and the load (sync-meter.ts): on the libuv pool, or
// on this thread, gathering the appends of one event-loop turn. Frames are encoded into a reused
// arena (frame-arena.ts), and adjacent ones written with one call. A txn appended with a tag (the
// caller's; the writer knows nothing of it) is handed back once durable, after its appenders'
// continuations, with its segment's file and the offsets of its values there (Placed): those the
// frame encoder wrote anyway, moved by where the frame landed.
//
// A segment is extended ahead of its writes, 4 MiB at a time (sparse where the file system can:
// no bytes written), and frames are written at their offsets, so most fdatasyncs need not record
// a new file size: ≈ 30 % less per sync measured here (research/store.md: +29 % with a
// zero-filled file). Steps, not the whole segment at once: a file system without sparse files
// writes the zeros, and a crash leaves at most one step of zeros for recovery to read. The unused
// end reads as zeros, the end of the log (format.ts); a cut or a close trims a segment.
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  openSync,
  writeSync,
  writevSync,
} from 'node:fs'
import { join } from 'node:path'
import { UnavailableError } from '../../../core/index.ts'
import { encodeFrame } from './format.ts'
import { encodeRecord, FORMAT_VERSION, type WalRecord } from './records.ts'
import { fsyncDir, segmentName } from './segments.ts'
import { FrameArena } from './frame-arena.ts'
import { SyncMeter } from './sync-meter.ts'
import type { ValueFile, ValueFiles } from './value-file.ts'

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

/** flushes whose fdatasync may run at once: the CPU prepares the next batch while the disk syncs */
const MAX_SYNCS = 2
/** how far ahead of its writes a segment file is extended */
const EXTEND_STEP = 4 << 20

interface CutMarker {
  firstRevision: number
  onCut(seq: number): void
  onFail(err: Error): void
}
type Item = Buffer | CutMarker

/** a tagged txn frame: handed back with where its values are once it is durable */
interface Placing<T> {
  frame: Buffer
  tag: T
  /** offsets of the values: in the frame until written, then in segment `seq` */
  at: number[]
  seq: number
}

/** Where the writer hands back tagged txns once durable (see the top). */
export interface Placed<T> {
  /** the store's open files: a segment's is opened here when values in it are handed back */
  files: ValueFiles
  /** the txn appended with `tag` is durable: its values are at `at[i]` of `file`, in op order (puts only) */
  onDurable(tag: T, file: ValueFile, at: readonly number[]): void
}

export interface WriterOptions<T> {
  dir: string
  seq: number
  firstRevision: number
  segmentBytes: number
  /** allow fdatasync on the event-loop thread while syncs are fast (default true); 'always' forces it (tests) */
  inlineSync?: boolean | 'always'
  /** where tagged txns are handed back (without it, tags are ignored) */
  placed?: Placed<T>
}

/** `T`: the tags appends carry, handed back once their txn is durable (see Placed) */
export class WalWriter<T = unknown> {
  #dir: string
  #segmentBytes: number
  #fd = -1
  #seq: number
  #size = 0
  /** the file's length: #size rounded up to the next extension step */
  #extent = 0
  #queue: Item[] = []
  /** the queued frames that carry tags, in queue order */
  #placings: Placing<T>[] = []
  #placed: Placed<T> | undefined
  #next: Deferred = deferred()
  /** flushes written whose sync has not come back, oldest first, with the tagged frames they carry */
  #inflight: { done: Deferred; placings: Placing<T>[] }[] = []
  /** fdatasync calls still running on the pool (a file is closed only when none is) */
  #pending = 0
  #idle: (() => void)[] = []
  #failed: Error | undefined
  #closed = false
  /** bytes written since the writer was created or since resetWritten() */
  written = 0
  #meter: SyncMeter
  #scheduled = false
  /** the revision of the last record handed to append() (set by the store for auto cuts) */
  headRevision = 0
  /** the highest revision known durable: every record up to it has been synced */
  durableRevision = 0
  #arena = new FrameArena()

  constructor(opts: WriterOptions<T>) {
    this.#dir = opts.dir
    this.#segmentBytes = opts.segmentBytes
    this.#meter = new SyncMeter(opts.inlineSync)
    this.#placed = opts.placed
    this.#seq = opts.seq
    this.#open(opts.seq, opts.firstRevision)
  }

  /** fdatasync calls and the seconds they took, for metrics (bounds: SYNC_BUCKETS) */
  get syncStats(): SyncMeter['stats'] {
    return this.#meter.stats
  }

  get seq(): number {
    return this.#seq
  }

  /**
   * Queues a record; resolves once it (and everything before it) is on disk. `tag`: a txn's is
   * handed back with where its values lie, once the record is durable (and after the callers'
   * continuations have run; WriterOptions.placed).
   */
  append(record: WalRecord, tag?: T): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed)
    if (this.#closed) return Promise.reject(new UnavailableError('store: closed'))
    if (tag !== undefined && this.#placed && record.type === 'txn') {
      const at: number[] = []
      const frame = this.#arena.frame(record, at)
      this.#placings.push({ frame, tag, at, seq: 0 })
      this.#queue.push(frame)
    } else this.#queue.push(this.#arena.frame(record))
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
    return this.#inflight[this.#inflight.length - 1]?.done.promise ?? Promise.resolve()
  }

  async close(): Promise<void> {
    await this.sync().catch(() => {})
    if (this.#pending) await new Promise<void>((r) => this.#idle.push(r))
    this.#closed = true
    if (this.#fd >= 0) this.#finish()
    this.#fd = -1
  }

  /** the queue was written out: the arena's bytes are in the kernel and can be reused */
  #recycle(): void {
    if (!this.#queue.length) this.#arena.reset()
  }

  #open(seq: number, firstRevision: number): void {
    this.#fd = openSync(join(this.#dir, segmentName(seq)), 'wx', 0o600) // only the plane's user reads the log
    this.#seq = seq
    this.#size = 0
    this.#extent = 0
    this.#write(
      encodeFrame(encodeRecord({ type: 'header', version: FORMAT_VERSION, seq, firstRevision })),
    )
    fsyncDir(this.#dir)
  }

  /** makes the file at least `end` bytes long: a step ahead, but not past the segment size */
  #extend(end: number): void {
    if (end <= this.#extent) return
    this.#extent = Math.min(
      Math.ceil(end / EXTEND_STEP) * EXTEND_STEP,
      Math.max(end, this.#segmentBytes),
    )
    ftruncateSync(this.#fd, this.#extent)
  }

  #write(buf: Buffer): void {
    this.#extend(this.#size + buf.length)
    for (let off = 0; off < buf.length;)
      off += writeSync(this.#fd, buf, off, buf.length - off, this.#size + off)
    this.#size += buf.length
    this.written += buf.length
  }

  /** many frames in one system call, without copying them into one buffer first */
  #writev(parts: Buffer[]): void {
    let total = 0
    for (const p of parts) total += p.length
    this.#extend(this.#size + total)
    const done =
      parts.length > 1 && parts.length <= 1024 ? writevSync(this.#fd, parts, this.#size) : 0
    if (done < total) {
      const rest = Buffer.concat(parts).subarray(done)
      for (let off = 0; off < rest.length;)
        off += writeSync(this.#fd, rest, off, rest.length - off, this.#size + done + off)
    }
    this.#size += total
    this.written += total
  }

  #kick(): void {
    if (this.#queue.length === 0 || this.#failed) return
    const busy = this.#pending
    if (this.#meter.inline || busy) {
      // gather this turn's appends into one batch: inline, or a second sync overlapping the first
      if (this.#scheduled || busy >= MAX_SYNCS) return
      this.#scheduled = true
      setImmediate(
        () => (
          (this.#scheduled = false),
          this.#meter.inline ? this.#flushInline() : this.#flushPool()
        ),
      )
      return
    }
    this.#flushPool()
  }

  /** write now, fdatasync on the libuv pool; a second flush may overlap the first's sync */
  #flushPool(): void {
    if (this.#queue.length === 0 || this.#failed || this.#pending >= MAX_SYNCS) return
    // a cut closes the file: never while a sync on it is still running
    if (
      this.#pending &&
      (this.#size >= this.#segmentBytes || this.#queue.some((i) => !Buffer.isBuffer(i)))
    )
      return
    const batch = this.#queue
    const placings = this.#placings
    const done = this.#next
    const entry = { done, placings }
    this.#inflight.push(entry)
    this.#queue = []
    this.#placings = []
    this.#next = deferred()
    try {
      this.#writeBatch(batch, placings)
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
      this.#meter.record(Number(process.hrtime.bigint() - t0) / 1e9, false)
      // this sync covered every write before it, so every earlier flush is durable too, values
      // included (if a later sync already said so, this flush is gone from the list: nothing to do)
      if (head > this.durableRevision) this.durableRevision = head
      const covered = this.#inflight.splice(0, this.#inflight.indexOf(entry) + 1)
      for (const f of covered) f.done.resolve()
      this.#handBackLater(
        covered.length === 1 ? covered[0].placings : covered.flatMap((f) => f.placings),
      )
      this.#kick()
    })
  }

  /** after the continuations of the resolved appends (the store's publish, watch delivery) have run */
  #handBackLater(placings: Placing<T>[]): void {
    if (placings.length) setImmediate(() => this.#handBack(placings))
  }

  #handBack(placings: Placing<T>[]): void {
    const placed = this.#placed!
    let seq = -1
    let file: ValueFile | undefined
    for (const s of placings) {
      if (s.seq !== seq) {
        seq = s.seq
        file = placed.files.open(join(this.#dir, segmentName(seq)))
      }
      placed.onDurable(s.tag, file!, s.at)
    }
  }

  /** one turn's appends, written and synced on this thread (fast disks only) */
  #flushInline(): void {
    if (this.#pending || this.#queue.length === 0 || this.#failed) return
    const batch = this.#queue
    const placings = this.#placings
    const done = this.#next
    this.#queue = []
    this.#placings = []
    this.#next = deferred()
    const t0 = process.hrtime.bigint()
    try {
      this.#writeBatch(batch, placings)
      this.#recycle()
      fdatasyncSync(this.#fd)
    } catch (err) {
      return this.#fail(err as Error, done, batch)
    }
    this.#meter.record(Number(process.hrtime.bigint() - t0) / 1e9, true)
    this.durableRevision = this.headRevision
    done.resolve()
    this.#handBackLater(placings)
    this.#kick()
  }

  /**
   * Writes the frames, frames adjacent in one buffer (the arena) with one call; cuts as queued.
   * Each of `placings` (in batch order) learns its segment and the file offsets of its values.
   */
  #writeBatch(batch: Item[], placings: Placing<T>[]): void {
    let pos = this.#size // where the next frame lands in the current segment
    let next = 0 // the next of `placings`
    let parts: Buffer[] = []
    let run: Buffer | undefined // the current run of adjacent frames
    let runEnd = 0
    const endRun = () => {
      if (run)
        parts.push(
          run.byteOffset + run.length === runEnd
            ? run
            : Buffer.from(run.buffer, run.byteOffset, runEnd - run.byteOffset),
        )
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
        if (this.#size >= this.#segmentBytes && parts.length === 0 && !run) {
          this.#cutNow(this.headRevision + 1)
          pos = this.#size
        }
        const s = placings[next]
        if (s?.frame === item) {
          for (let i = 0; i < s.at.length; i++) s.at[i] += pos
          s.seq = this.#seq
          next++
        }
        pos += item.length
        if (run && item.buffer === run.buffer && item.byteOffset === runEnd) runEnd += item.length
        else {
          endRun()
          run = item
          runEnd = item.byteOffset + item.length
        }
        continue
      }
      flushParts()
      this.#cutNow(item.firstRevision)
      pos = this.#size
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
      if (!this.#failed) {
        ftruncateSync(this.#fd, this.#size)
        fdatasyncSync(this.#fd)
      }
    } finally {
      closeSync(this.#fd)
    }
  }

  #fail(err: Error, done: Deferred, batch: Item[] = []): void {
    this.#failed = new UnavailableError(
      `store: writing the log failed (${err.message}); the store accepts no more writes`,
      { cause: err },
    )
    done.reject(this.#failed)
    for (const f of this.#inflight) f.done.reject(this.#failed)
    this.#inflight = []
    this.#next.reject(this.#failed)
    for (const item of [...batch, ...this.#queue])
      if (!Buffer.isBuffer(item)) item.onFail(this.#failed)
    this.#queue = []
  }
}
