// Where the writer's fdatasync runs, and how long syncs take. On the libuv pool (the event loop
// keeps serving) while syncs are slow — an SD card takes milliseconds — and on the event-loop
// thread while they are fast (an SSD: ~0.1 ms, less than the thread hop itself); a sync that
// turns slow switches back at once. Also the latency histogram /metrics shows.

/** upper bounds (seconds) of the fdatasync latency histogram, as etcd's wal_fsync_duration */
export const SYNC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1]

/** sync on this thread while the average fdatasync is under this (seconds)… */
const INLINE_AVG_SYNC = 0.0003
/** …and leave that mode on any single sync slower than this */
const INLINE_MAX_SYNC = 0.002

export class SyncMeter {
  /** fdatasync calls, the seconds they took and the cumulative histogram (bounds: SYNC_BUCKETS) */
  readonly stats = { count: 0, seconds: 0, buckets: new Array<number>(SYNC_BUCKETS.length).fill(0) }
  #inline: boolean
  #allow: boolean
  #force: boolean
  #avg = 0.001

  /** `mode`: true (default) lets fast syncs run inline, false never, 'always' always (tests) */
  constructor(mode: boolean | 'always' = true) {
    this.#allow = mode !== false
    this.#force = mode === 'always'
    this.#inline = this.#force
  }

  /** whether the next sync runs on the event-loop thread */
  get inline(): boolean {
    return this.#inline
  }

  record(sec: number): void {
    this.#avg = this.#avg * 0.9 + sec * 0.1
    if (!this.#force) {
      if (sec > INLINE_MAX_SYNC) this.#inline = false
      else if (this.#avg < INLINE_AVG_SYNC) this.#inline = this.#allow
    }
    const s = this.stats
    s.count++
    s.seconds += sec
    for (let i = 0; i < SYNC_BUCKETS.length; i++) if (sec <= SYNC_BUCKETS[i]) s.buckets[i]++
  }
}
