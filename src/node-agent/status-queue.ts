// Pod statuses on their way to the plane. The queue keeps the latest status of each pod and sends
// it in `status` reports, each with an id; an entry is dropped only when a report that carried
// its current status is acknowledged (status-ack) — a status that changed after it was sent stays
// until the newer one is acknowledged. What is not acknowledged is sent again on reconnect
// (resendAll) and on a timer, and the whole queue is saved (persist) after changes, so statuses
// outlive an agent restart while the plane is away: in batches (save-batch.ts) — a change waits
// saveDelayMs for the ones after it and one write saves them all; a queue the same as on disk (a
// status put and acknowledged within the while) is not written. Sending never waits for the
// disk (it never did): a status lost with the process is made again by the restarted agent,
// which reconciles its pods from the saved desired state. The I/O is the caller's.
// Batching as TCP's Nagle does it, over a window of reports: while fewer than `window` reports
// await their acks, a change goes out on the next turn of the event loop (what changed in the
// same turn goes with it), so a pod's status does not wait for the plane to write the pods
// reported before it (the plane writes a node's reports side by side); with the window full,
// changes gather until an ack comes or batchMs passes, whichever is first. A few pods at a time
// are reported at once; a burst goes in few reports.
import type { PodStatusUpdate, StatusReport } from '../api/index.ts'
import type { Clock, Logger, Timer } from '../core/index.ts'
import { SaveBatch } from './save-batch.ts'

/** reports out at once: a node starting a few pods at a time sends each status as it comes */
export const STATUS_WINDOW = 4

export interface StatusQueueOptions {
  /** publishes a report; false when it could not go out (no link) */
  send(report: StatusReport): boolean
  /** saves the queue's entries (replacing the previous save) */
  save(updates: PodStatusUpdate[]): Promise<void>
  clock: Clock
  /** resend what is not acknowledged after this long */
  resendMs: number
  /** with the window full, changes wait at most this long to go in one report */
  batchMs: number
  /** a change waits this long for more before the queue is saved (default 0: the next turn) */
  saveDelayMs?: number
  /** reports that may await their acks before changes gather (default STATUS_WINDOW) */
  window?: number
  /** report ids are "<idPrefix>-<n>": unique per agent process */
  idPrefix: string
  log: Logger
  maxPerReport?: number
}

interface Entry {
  update: PodStatusUpdate
  text: string
  /** ids of the reports that carried this status */
  sentIds: Set<string>
  sentAt: number | undefined
}

export class StatusQueue {
  readonly #o: StatusQueueOptions
  readonly #entries = new Map<string, Entry>()
  #seq = 0
  #flushTimer: Timer | undefined
  #flushAt = Infinity
  /** reports sent and not acknowledged, with when they went (forgotten after resendMs) */
  readonly #awaiting = new Map<string, number>()
  #resendTimer: Timer | undefined
  readonly #batch: SaveBatch
  /** the entries as last written (or read), to skip a write that would change nothing */
  #onDisk: string
  #closed = false

  constructor(o: StatusQueueOptions, saved: PodStatusUpdate[] = []) {
    this.#o = o
    for (const update of saved) this.#set(update)
    this.#onDisk = this.#signature()
    this.#batch = new SaveBatch(() => this.#save(), {
      clock: o.clock,
      delayMs: o.saveDelayMs ?? 0,
      onError: (error) =>
        o.log.error('could not save the status queue', { error: (error as Error).message }),
    })
    this.#armResend()
  }

  #signature(): string {
    return [...this.#entries.values()].map((e) => e.text).join('\n')
  }

  async #save(): Promise<void> {
    const signature = this.#signature()
    if (signature === this.#onDisk) return
    await this.#o.save(this.pending())
    this.#onDisk = signature
  }

  /** saves started so far */
  get writes(): number {
    return this.#batch.writes
  }

  #set(update: PodStatusUpdate): boolean {
    const text = JSON.stringify(update)
    if (this.#entries.get(update.uid)?.text === text) return false
    this.#entries.set(update.uid, { update, text, sentIds: new Set(), sentAt: undefined })
    return true
  }

  /** the pod's latest status, to be sent */
  put(update: PodStatusUpdate): void {
    if (!this.#set(update)) return
    this.#persist()
    this.#flushIn(this.#busy() ? this.#o.batchMs : 0)
  }

  /** the window is full: as many reports await their acks (one older than resendMs is taken as lost) */
  #busy(): boolean {
    const now = this.#o.clock.now()
    for (const [id, at] of this.#awaiting)
      if (now - at >= this.#o.resendMs) this.#awaiting.delete(id)
    return this.#awaiting.size >= (this.#o.window ?? STATUS_WINDOW)
  }

  /** flushes after `ms`, or sooner if a flush is already due sooner */
  #flushIn(ms: number): void {
    const at = this.#o.clock.now() + ms
    if (this.#flushTimer && this.#flushAt <= at) return
    this.#flushTimer?.cancel()
    this.#flushAt = at
    this.#flushTimer = this.#o.clock.setTimeout(() => {
      this.#flushTimer = undefined
      this.#flushAt = Infinity
      this.flush()
    }, ms)
  }

  /** forget a pod's status without sending it (the pod left this node) */
  drop(uid: string): void {
    if (this.#entries.delete(uid)) this.#persist()
  }

  ack(id: string): void {
    this.#awaiting.delete(id)
    if (!this.#busy() && [...this.#entries.values()].some((e) => e.sentAt === undefined))
      this.#flushIn(0) // what gathered while the window was full goes now
    let dropped = 0
    for (const [uid, entry] of this.#entries)
      if (entry.sentIds.has(id)) {
        this.#entries.delete(uid)
        dropped++
      }
    if (dropped) this.#persist()
  }

  /** sends what was not sent since it changed, and (every) what waits for an ack longer than resendMs */
  flush(every = false): void {
    const now = this.#o.clock.now()
    const due = [...this.#entries.values()].filter(
      (e) => every || e.sentAt === undefined || now - e.sentAt >= this.#o.resendMs,
    )
    const max = this.#o.maxPerReport ?? 64
    for (let i = 0; i < due.length; i += max) {
      const batch = due.slice(i, i + max)
      const report: StatusReport = {
        type: 'status',
        id: `${this.#o.idPrefix}-${++this.#seq}`,
        pods: batch.map((e) => e.update),
      }
      if (!this.#o.send(report)) return
      this.#awaiting.set(report.id, now)
      for (const e of batch) {
        e.sentIds.add(report.id)
        e.sentAt = now
      }
    }
  }

  /** the link is back: send every unacknowledged status again */
  resendAll(): void {
    this.#awaiting.clear() // acks of reports sent before the link broke may never come
    this.flush(true)
  }

  pending(): PodStatusUpdate[] {
    return [...this.#entries.values()].map((e) => e.update)
  }

  /** looks twice per resendMs: a status waits between resendMs and 1.5 × resendMs for its resend */
  #armResend(): void {
    if (this.#closed) return
    this.#resendTimer = this.#o.clock.setTimeout(() => {
      this.flush()
      this.#armResend()
    }, this.#o.resendMs / 2)
  }

  #persist(): void {
    this.#batch.mark()
  }

  /** saves what waits for its batch now; resolves once every change is saved (or failed) */
  saved(): Promise<void> {
    return this.#batch.flush()
  }

  close(): void {
    this.#closed = true
    this.#flushTimer?.cancel()
    this.#resendTimer?.cancel()
  }
}
