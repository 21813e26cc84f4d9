// The queue of pods to place, as kube-scheduler's three: active (in the order they came),
// backoff (failed, waiting 1 s doubling to 10 s per attempt, counted from the failure) and unschedulable (fitted nowhere:
// they wait for a change in the cluster — moveAll() on a node or pod event — or at most
// maxUnschedulableMs). A pod that failed while an event came in goes to backoff, not to wait
// for another event. Popped pods are in flight until done() or failed(); an update meanwhile
// only refreshes the object.
import type { Clock, Timer } from '../../core/index.ts'
import type { Pod } from '../../api/index.ts'

export interface QueueOptions {
  clock: Clock
  /** called when pods become ready to pop */
  onReady(): void
  initialBackoffMs?: number
  maxBackoffMs?: number
  maxUnschedulableMs?: number
}

export class SchedulingQueue {
  readonly #o: Required<QueueOptions>
  readonly #pods = new Map<string, Pod>()
  readonly #active = new Set<string>()
  /** key → when its back-off ends */
  readonly #backoff = new Map<string, number>()
  /** key → since when it waits */
  readonly #unschedulable = new Map<string, number>()
  readonly #attempts = new Map<string, number>()
  /** key → when its last attempt failed (its back-off counts from there) */
  readonly #failedAt = new Map<string, number>()
  /** key → the move count when it was popped */
  readonly #inflight = new Map<string, number>()
  #moves = 0
  #timer: { at: number; t: Timer } | undefined

  constructor(o: QueueOptions) {
    this.#o = {
      ...o,
      initialBackoffMs: o.initialBackoffMs ?? 1000,
      maxBackoffMs: o.maxBackoffMs ?? 10_000,
      maxUnschedulableMs: o.maxUnschedulableMs ?? 60_000,
    }
  }

  get size(): number {
    return this.#pods.size
  }

  /** how many wait as unschedulable */
  get unschedulableCount(): number {
    return this.#unschedulable.size
  }

  /** the keys of every pod in the queue, in flight included */
  keys(): string[] {
    return [...this.#pods.keys()]
  }

  has(key: string): boolean {
    return this.#pods.has(key)
  }

  /** the latest object of a pod in the queue */
  pod(key: string): Pod | undefined {
    return this.#pods.get(key)
  }

  /** a pod to place, new or updated; `changed`: in what placement reads (it may fit now) */
  add(key: string, pod: Pod, o?: { changed?: boolean }): void {
    const known = this.#pods.has(key)
    this.#pods.set(key, pod)
    if (!known) return this.#activate(key)
    if (o?.changed && this.#unschedulable.delete(key)) this.#retry(key)
  }

  /** bound, deleted, or no longer the scheduler's */
  delete(key: string): void {
    this.#pods.delete(key)
    this.#active.delete(key)
    this.#backoff.delete(key)
    this.#unschedulable.delete(key)
    this.#attempts.delete(key)
    this.#failedAt.delete(key)
    this.#inflight.delete(key)
  }

  /** up to `max` pods, oldest first; each in flight until done() or failed() */
  pop(max: number): { key: string; pod: Pod }[] {
    const out: { key: string; pod: Pod }[] = []
    for (const key of this.#active) {
      if (out.length >= max) break
      this.#active.delete(key)
      this.#inflight.set(key, this.#moves)
      out.push({ key, pod: this.#pods.get(key)! })
    }
    return out
  }

  /** placed: forgotten */
  done(key: string): void {
    this.delete(key)
  }

  /** not placed: waits for a cluster change ('unschedulable') or its back-off ('error') */
  failed(key: string, why: 'unschedulable' | 'error'): void {
    const popped = this.#inflight.get(key)
    if (popped === undefined) return // deleted meanwhile
    this.#inflight.delete(key)
    this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1)
    this.#failedAt.set(key, this.#o.clock.now())
    if (why === 'unschedulable' && popped === this.#moves) {
      this.#unschedulable.set(key, this.#o.clock.now())
      this.#arm(this.#o.clock.now() + this.#o.maxUnschedulableMs)
    } else this.#retry(key)
  }

  /** the cluster changed (a node came or changed, a pod went): every unschedulable pod retries */
  moveAll(): void {
    this.#moves++
    for (const key of this.#unschedulable.keys()) this.#retry(key)
    this.#unschedulable.clear()
  }

  #backoffEnd(key: string): number {
    const n = this.#attempts.get(key) ?? 0
    if (!n) return 0
    const ms = Math.min(this.#o.initialBackoffMs * 2 ** (n - 1), this.#o.maxBackoffMs)
    return (this.#failedAt.get(key) ?? 0) + ms
  }

  /** to active, or to backoff while its back-off lasts */
  #retry(key: string): void {
    this.#unschedulable.delete(key)
    const end = this.#backoffEnd(key)
    if (end <= this.#o.clock.now()) return this.#activate(key)
    this.#backoff.set(key, end)
    this.#arm(end)
  }

  #activate(key: string): void {
    const wasEmpty = !this.#active.size
    this.#backoff.delete(key)
    this.#active.add(key)
    if (wasEmpty) this.#o.onReady()
  }

  /** a timer at `at` unless one fires sooner */
  #arm(at: number): void {
    if (this.#timer && this.#timer.at <= at) return
    this.#timer?.t.cancel()
    const t = this.#o.clock.setTimeout(() => this.#tick(), Math.max(0, at - this.#o.clock.now()))
    this.#timer = { at, t }
  }

  #tick(): void {
    this.#timer = undefined
    const now = this.#o.clock.now()
    let next = Infinity
    for (const [key, end] of this.#backoff) {
      if (end <= now) this.#activate(key)
      else next = Math.min(next, end)
    }
    const stale = now - this.#o.maxUnschedulableMs
    for (const [key, since] of this.#unschedulable) {
      if (since <= stale) this.#retry(key)
      else next = Math.min(next, since + this.#o.maxUnschedulableMs)
    }
    if (next < Infinity) this.#arm(next)
  }
}
