// Where the writer's fdatasync runs, and how long syncs take. On the libuv pool (the event loop
// keeps serving) or on the event-loop thread; the thread hop costs on a small VM ≈ 0.2–0.3 ms a
// sync (two wake-ups), and overlapping syncs on one file wait for each other, so inline wins
// whenever blocking the loop costs little:
// - the disk is fast (average sync under 0.3 ms: an SSD), whatever the load; or
// - the loop has little else to do: its own work, syncs not counted, takes under half of the
//   time (a store driven by writers that wait for their acks), and syncs average under 2 ms.
// A plane busy with requests (TLS, JSON) keeps the pool, so requests are parsed while the disk
// syncs; an SD card's 5–20 ms syncs always go to the pool, and any single sync over 10 ms sends
// them there at once. Measured in bench/README.md. Also the latency histogram /metrics shows.
import { performance } from 'node:perf_hooks'

/** upper bounds (seconds) of the fdatasync latency histogram, as etcd's wal_fsync_duration */
export const SYNC_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1,
]

/** inline whatever the load while the average sync is under this (seconds)… */
const FAST_SYNC = 0.0003
/** …or while it is under this and the loop's own work leaves it half idle… */
const LIGHT_LOAD_SYNC = 0.002
const LIGHT_LOAD = 0.5
/** …and never after a single sync slower than this */
const STALL_SYNC = 0.01
/** how often the loop's load is taken (ms) */
const LOAD_WINDOW = 100

/** where the meter reads time: now and the loop's busy time so far, both in ms (fake in tests) */
export interface LoopClock {
  now(): number
  active(): number
}

const loopClock: LoopClock = {
  now: () => performance.now(),
  active: () => performance.eventLoopUtilization().active,
}

export class SyncMeter {
  /** fdatasync calls, the seconds they took and the cumulative histogram (bounds: SYNC_BUCKETS) */
  readonly stats = { count: 0, seconds: 0, buckets: new Array<number>(SYNC_BUCKETS.length).fill(0) }
  #inline: boolean
  #allow: boolean
  #force: boolean
  #avg = 0.001
  /** the loop's own share of the last window (inline syncs not counted) */
  #load = 1
  #window: { at: number; active: number; inlineMs: number } | undefined
  #clock: LoopClock

  /** `mode`: true (default) lets syncs run inline when that is cheaper, false never, 'always' always (tests) */
  constructor(mode: boolean | 'always' = true, clock: LoopClock = loopClock) {
    this.#clock = clock
    this.#allow = mode !== false
    this.#force = mode === 'always'
    this.#inline = this.#force
  }

  /** whether the next sync runs on the event-loop thread */
  get inline(): boolean {
    return this.#inline
  }

  /** a sync (with its write, when `inline`) took `sec` */
  record(sec: number, inline = false): void {
    this.#avg = this.#avg * 0.9 + sec * 0.1
    if (this.#allow && !this.#force) this.#decide(sec, inline)
    const s = this.stats
    s.count++
    s.seconds += sec
    for (let i = 0; i < SYNC_BUCKETS.length; i++) if (sec <= SYNC_BUCKETS[i]) s.buckets[i]++
  }

  #decide(sec: number, inline: boolean): void {
    const now = this.#clock.now()
    const w = (this.#window ??= { at: now, active: this.#clock.active(), inlineMs: 0 })
    if (inline) w.inlineMs += sec * 1000
    if (now - w.at >= LOAD_WINDOW) {
      const total = this.#clock.active()
      const active = total - w.active
      this.#load = Math.max(0, active - w.inlineMs) / (now - w.at)
      this.#window = { at: now, active: total, inlineMs: 0 }
    }
    if (sec > STALL_SYNC) this.#inline = false
    else
      this.#inline =
        this.#avg < FAST_SYNC || (this.#avg < LIGHT_LOAD_SYNC && this.#load < LIGHT_LOAD)
  }
}
