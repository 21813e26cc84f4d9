// Watches are cursors over the index's event list. Each watcher remembers the next revision it
// owes its client; after every commit (and on creation, for history replay) it reads events
// from there up to the durable revision, keeps those in its key range and delivers them in
// order, whole revisions at a time. Replay and live delivery are one path, so there is no gap
// and no duplicate between them. A watcher that compaction overtakes is cancelled.
import { CompactedError, UnavailableError } from '../../core/index.ts'
import { toKeyValue, type KeyIndex, type KeyRange, type Revision } from './mvcc/index.ts'
import type { WatchEvent, WatchHandlers, Watcher } from './types.ts'

/** events per delivery before yielding to the event loop (a revision is never split) */
const BATCH = 1000

interface WatchState {
  id: number
  range: KeyRange
  next: number
  prevKv: boolean
  handlers: WatchHandlers
  scheduled: boolean
  done: boolean
}

export interface WatchSource {
  index: KeyIndex
  committed(): number
  compactRevision(): number
}

export class WatchHub {
  #watchers = new Map<number, WatchState>()
  // events of the latest commit, shared by the watchers that deliver them; emptied at the next
  // commit, so an event (and what callers hang on it: decoded objects, encoded lines) lives as
  // long as some watcher's client needs it, not as long as its version stays in the index
  #plain = new Map<Revision, WatchEvent>()
  #withPrev = new Map<Revision, WatchEvent>()
  #nextId = 1
  #src: WatchSource

  constructor(src: WatchSource) {
    this.#src = src
  }

  get size(): number {
    return this.#watchers.size
  }

  add(range: KeyRange, startRevision: number, prevKv: boolean, handlers: WatchHandlers): Watcher {
    const compact = this.#src.compactRevision()
    if (startRevision < compact) throw new CompactedError('store', startRevision, compact)
    const w: WatchState = {
      id: this.#nextId++,
      range,
      next: startRevision,
      prevKv,
      handlers,
      scheduled: false,
      done: false,
    }
    this.#watchers.set(w.id, w)
    this.#schedule(w)
    return { id: w.id, cancel: () => this.#remove(w) }
  }

  /** called after each commit */
  notify(): void {
    if (this.#plain.size) this.#plain.clear()
    if (this.#withPrev.size) this.#withPrev.clear()
    for (const w of this.#watchers.values()) this.#schedule(w)
  }

  /** ends every watch (store closing) */
  closeAll(reason = new UnavailableError('store: closed')): void {
    for (const w of [...this.#watchers.values()]) this.#end(w, reason)
  }

  #remove(w: WatchState): void {
    w.done = true
    this.#watchers.delete(w.id)
  }

  #end(w: WatchState, reason: Error): void {
    if (w.done) return
    this.#remove(w)
    w.handlers.onCancel?.(reason)
  }

  #schedule(w: WatchState, later = false): void {
    if (w.scheduled || w.done) return
    w.scheduled = true
    const run = () => {
      w.scheduled = false
      this.#drain(w)
    }
    if (later) setImmediate(run)
    else queueMicrotask(run)
  }

  #drain(w: WatchState): void {
    if (w.done) return
    const compact = this.#src.compactRevision()
    if (w.next < compact) return this.#end(w, new CompactedError('store', w.next, compact))
    const committed = this.#src.committed()
    if (w.next > committed) return
    const { list, start } = this.#src.index.eventsFrom(w.next)
    const events: WatchEvent[] = []
    let i = start
    for (; i < list.length && list[i].rev <= committed; i++) {
      const r = list[i]
      if (events.length >= BATCH && r.rev !== list[i - 1].rev) break
      if (inRange(w.range, r.key)) events.push(this.#event(r, w.prevKv))
    }
    const more = i < list.length && list[i].rev <= committed
    w.next = more ? list[i].rev : committed + 1
    if (events.length) w.handlers.onEvents({ events, revision: committed })
    if (more) this.#schedule(w, true)
  }

  /** one event object per version (and prevKv choice), shared by every watcher that sees it */
  #event(r: Revision, prevKv: boolean): WatchEvent {
    const cache = prevKv ? this.#withPrev : this.#plain
    let ev = cache.get(r)
    if (ev) return ev
    ev = { type: r.version ? 'put' : 'delete', kv: toKeyValue(r) }
    if (prevKv) {
      const p = this.#src.index.previous(r)
      if (p) ev.prevKv = toKeyValue(p)
    }
    cache.set(r, ev)
    return ev
  }
}

function inRange(r: KeyRange, key: string): boolean {
  return key >= r.from && (r.to === undefined || key < r.to)
}
