// Adapter: the worker threads that host instances. A few "service" workers each host many http
// and handler instances; every running command gets a "job" worker of its own (a command's run
// is one long synchronous call); http and handler instances whose component may wait in a host
// call (wait-imports.ts: a sleep, a poll, outgoing HTTP, sockets) go to "solo" workers, up to
// waitersPerThread of them per thread (default 10), since without JSPI a wait blocks its whole
// thread. A thread costs ≈ 16 MB with a JS image (Node's bootstrap ≈ 8, the shim's code ≈ 3,
// jco's glue ≈ 5; an instance ≈ 6 more; all threads share one preview2-shim I/O thread,
// shared-io.ts), so waiters share threads rather than each having one. The watchdog sees, in the
// call slot, a solo thread whose call has waited in host calls for longer than stallMs (in one
// wait or many; time run is bounded by the call's deadline anyway) while it hosts
// others: that thread is sealed (it keeps the instance that waits and takes no new one) and the
// owner is told to move the others (runtime.ts starts each afresh in another thread; their url
// changes). So a wait delays its neighbours by at most stallMs plus a start, once per thread;
// requests that had already reached the stuck thread wait with it. Solo workers are bounded
// (soloWorkers, by default one per 128 MiB of RAM, 2 to 16); past the bound and every thread
// full, instances share the least-loaded unsealed solo worker. A solo or service thread left
// with no instance ends after idleLingerMs (an agent whose small pods went keeps no idle thread
// for them: ≈ 12 MB). A watchdog pings each worker; one
// that stops answering while not inside a call that may legitimately go on (a call within its
// deadline, or a command without one) is terminated, its instances are reported, and later
// starts get a fresh worker. Time a thread spends waiting in a host call (the call slot says so)
// is not running time: it never counts against a deadline and never ends a worker.
import { totalmem } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { callSlotLength, type FromWorker, type ToWorker } from './protocol.ts'
import { SharedIo } from './shared-io.ts'
import { spawnEntry } from './thread-spawn.ts'
import { readCallSlot } from './worker/call-guard.ts'
import type { HandleResult, WorkloadKind } from './types.ts'

export type WorkerRole = 'service' | 'job' | 'solo'
export type StatsReply = Extract<FromWorker, { t: 'stats' }>
const watchdogEveryMs = 100
const serviceSlack = 1
const startupMs = 15_000
/** an idle solo or service thread is ended after this long without an instance (a thread costs
 *  ≈ 12 MB idle; starting one again takes tens of ms) */
const idleLingerMs = 2000
/** default: 10 JS pods (the agent bench) in one thread */
export const defaultWaitersPerThread = 10
export const defaultStallMs = 1000

/** Default bound on solo workers: one per 128 MiB of RAM, at least 2, at most 16. */
export function defaultSoloWorkers(memoryBytes = totalmem()): number {
  return Math.max(2, Math.min(16, Math.floor(memoryBytes / (128 * 1048576))))
}

export interface PoolEvents {
  message(worker: PoolWorker, message: FromWorker): void
  /** the worker is gone; `blamed` is the instance it was stuck in, if any */
  dead(worker: PoolWorker, why: string, blamed: number | undefined): void
  /** `worker` has been inside instance `waiter`'s call, waiting, for longer than stallMs; it is
   *  sealed now, and its other instances should move */
  stalled(worker: PoolWorker, waiter: number): void
}

export class PoolWorker {
  readonly role: WorkerRole
  readonly loaded = new Set<string>()
  /** instances hosted; while there are any, the worker keeps the process alive */
  readonly instances = new Set<number>()
  /** seen stuck in a wait beside other instances: it keeps what it has and takes no new one */
  sealed = false
  readonly #worker: Worker
  readonly #events: PoolEvents
  readonly #slot = new SharedArrayBuffer(callSlotLength * 8)
  readonly #statsWaiters = new Map<number, (reply: StatsReply | undefined) => void>()
  readonly #handleWaiters = new Map<number, (result: HandleResult) => void>()
  #lastPong = Date.now()
  /** until the first pong the thread is still starting (slow under load, slower under tsx) */
  #answered = false
  #seq = 0
  #dead = false

  constructor(
    role: WorkerRole,
    events: PoolEvents,
    io: SharedIo,
    serviceProxy?: SharedArrayBuffer,
  ) {
    this.role = role
    this.#events = events
    // a command's thread and a thread of waiters keep a small young generation: the
    // guest's memory is its linear memory, not V8's heap, and these threads are the ones that
    // multiply (≈ 8 MiB less RSS each, measured with bench/solo-workers.mjs)
    const lean = role === 'service' ? undefined : { maxYoungGenerationSizeMb: 2 }
    // its shim's I/O goes through the process's one I/O thread (shared-io.ts)
    const port = io.connect()
    this.#worker = spawnEntry(
      'host',
      { slot: this.#slot, io: port, serviceProxy },
      { resourceLimits: lean, transferList: [port] },
    )
    this.#worker.on('message', (m: FromWorker) => {
      if (m.t === 'pong') {
        this.#lastPong = Date.now()
        this.#answered = true
      } else if (m.t === 'stats') this.#statsWaiters.get(m.req)?.(m)
      else if (m.t === 'handled') {
        const done = this.#handleWaiters.get(m.req)
        this.#handleWaiters.delete(m.req)
        done?.(m.ok ? { ok: true, body: m.body } : { ok: false, message: m.message })
      } else events.message(this, m)
    })
    this.#worker.on('error', (error) => this.die(`runtime: worker thread failed: ${error.message}`))
    this.#worker.on('exit', (code) => this.die(`runtime: worker thread exited (code ${code})`))
    this.#worker.unref()
  }

  host(n: number): void {
    if (this.instances.size === 0) this.#worker.ref()
    this.instances.add(n)
  }

  unhost(n: number): void {
    this.instances.delete(n)
    if (this.instances.size === 0) this.#worker.unref()
  }

  get alive(): boolean {
    return !this.#dead
  }

  send(message: ToWorker): void {
    if (!this.#dead) this.#worker.postMessage(message)
  }

  /** Linear-memory bytes of instance `n` if the thread is inside a call into it (and so cannot
   *  answer `stats` until the call returns), read from the shared call slot; else undefined.
   *  With `waiting`, only if the call is waiting in a host call right now. */
  memoryInCall(n: number, waiting = false): number | undefined {
    const call = readCallSlot(this.#slot)
    return call.n === n && (!waiting || call.waitingSince > 0) ? call.memoryBytes : undefined
  }

  /** An instance's counters, or undefined if the worker does not answer within `timeoutMs`. */
  stats(n: number, timeoutMs = 500): Promise<StatsReply | undefined> {
    const req = ++this.#seq
    return new Promise((resolve) => {
      const done = (reply: StatsReply | undefined) => {
        clearTimeout(timer)
        this.#statsWaiters.delete(req)
        resolve(reply)
      }
      const timer = setTimeout(() => done(undefined), timeoutMs)
      this.#statsWaiters.set(req, done)
      this.send({ t: 'stats', n, req })
    })
  }

  /** hands a request to handler instance `n` (no HTTP server); a dead thread answers failure */
  handle(n: number, body: Uint8Array): Promise<HandleResult> {
    if (this.#dead) return Promise.resolve({ ok: false, message: 'runtime: worker thread is gone' })
    const req = ++this.#seq
    return new Promise((resolve) => {
      this.#handleWaiters.set(req, resolve)
      this.send({ t: 'handle', n, req, body })
    })
  }

  /** The main thread itself was stalled: pongs may be waiting unread, so start a fresh window. */
  excuse(): void {
    this.#lastPong = Date.now()
  }

  /** Watchdog tick: ping, and end the worker if it hangs or a call overstays. A job worker hosts
   *  one command, so its call ends exactly at the deadline; a service worker's call is ended by fuel,
   *  so the watchdog only steps in `slack` deadlines + hangMs later (fuel bypassed or mis-sized).
   *  Both count only time run: a thread waiting in a host call cannot answer a ping, is not hung,
   *  and its wait moves its deadline on. */
  check(hangMs: number, slack: number, stallMs = defaultStallMs): void {
    if (this.#dead) return
    this.send({ t: 'ping', seq: ++this.#seq })
    const now = Date.now()
    const call = readCallSlot(this.#slot)
    const waited = call.waitedMs + (call.waitingSince > 0 ? now - call.waitingSince : 0)
    if (call.n !== 0 && waited > stallMs) this.#stalled(call.n)
    if (call.waitingSince > 0) {
      this.#lastPong = now
      return
    }
    const ranUntil = now - call.waitedMs
    if (call.n !== 0 && this.role === 'job' && ranUntil > call.deadline) {
      return this.die(`runtime: ran past its deadline of ${call.budget} ms; stopped`, call.n)
    }
    if (now - this.#lastPong <= (this.#answered ? hangMs : Math.max(hangMs, startupMs))) return
    if (call.n !== 0 && ranUntil <= call.deadline + slack * call.budget + hangMs) return
    const blamed = call.n || undefined
    const where = blamed ? ' inside a call far past its deadline' : ''
    this.die(
      `runtime: worker thread stopped answering for ${now - this.#lastPong} ms${where}; terminated`,
      blamed,
    )
  }

  #stalled(waiter: number): void {
    if (this.role !== 'solo' || this.sealed || this.instances.size < 2) return
    this.sealed = true
    this.#events.stalled(this, waiter)
  }

  /** Terminate; report the instances it hosted unless `quiet`. */
  die(why: string, blamed?: number, quiet = false): void {
    if (this.#dead) return
    this.#dead = true
    void this.#worker.terminate()
    for (const done of this.#handleWaiters.values()) done({ ok: false, message: why })
    this.#handleWaiters.clear()
    if (!quiet) this.#events.dead(this, why, blamed)
  }
}

export class WorkerPool {
  readonly #services: (PoolWorker | undefined)[]
  /** job and solo workers: each made for one instance */
  readonly #own = new Set<PoolWorker>()
  readonly #soloMax: number
  readonly #perThread: number
  readonly #events: PoolEvents
  readonly #io: SharedIo
  readonly #serviceProxy: SharedArrayBuffer | undefined
  readonly #timer: NodeJS.Timeout

  constructor(opts: {
    services: number
    solo?: number
    /** instances that may wait, per solo thread (default defaultWaitersPerThread) */
    waitersPerThread?: number
    /** a call waiting this long stalls its thread's other instances (default defaultStallMs) */
    stallMs?: number
    hangMs: number
    events: PoolEvents
    /** a ServiceProxyCell's buffer, shared with every thread */
    serviceProxy?: SharedArrayBuffer
  }) {
    this.#services = new Array<PoolWorker | undefined>(Math.max(1, opts.services)).fill(undefined)
    this.#soloMax = Math.max(1, opts.solo ?? defaultSoloWorkers())
    this.#perThread = Math.max(1, opts.waitersPerThread ?? defaultWaitersPerThread)
    this.#events = opts.events
    this.#serviceProxy = opts.serviceProxy
    this.#io = new SharedIo((why) => {
      for (const w of this.#all()) w.die(why)
    }, opts.serviceProxy)
    let lastTick = Date.now()
    this.#timer = setInterval(() => {
      const stalled = Date.now() - lastTick > 5 * watchdogEveryMs
      lastTick = Date.now()
      for (const w of this.#all())
        stalled ? w.excuse() : w.check(opts.hangMs, serviceSlack, opts.stallMs)
    }, watchdogEveryMs)
    this.#timer.unref()
  }

  /** Start the service workers now rather than at the first instance (a thread costs ≈ 12 MB,
   *  so a runtime with nothing to run starts none; one that is about to, warms them up). A pool
   *  that hosts instances already is warm: its next instance starts any thread it needs. A
   *  warmed thread no instance comes to ends after idleLingerMs, as an emptied one does. */
  warm(): void {
    if (this.#all().some((w) => w.instances.size > 0)) return
    for (let i = 0; i < this.#services.length; i++)
      if (!this.#services[i]?.alive) {
        const worker = new PoolWorker('service', this.#events, this.#io, this.#serviceProxy)
        this.#services[i] = worker
        this.#endIfIdle(worker)
      }
  }

  #all(): PoolWorker[] {
    return [...this.#services.filter((w): w is PoolWorker => !!w?.alive), ...this.#own]
  }

  /** The worker a new instance of this kind goes to; `waits`: it may wait in a host call. */
  acquire(kind: WorkloadKind, waits = false): PoolWorker {
    if (kind === 'command') return this.#dedicated('job')
    if (waits) return this.#solo()
    let best = 0
    for (let i = 0; i < this.#services.length; i++) {
      if (!this.#services[i]?.alive)
        this.#services[i] = new PoolWorker('service', this.#events, this.#io, this.#serviceProxy)
      if (this.#services[i]!.instances.size < this.#services[best]!.instances.size) best = i
    }
    return this.#services[best]!
  }

  #dedicated(role: 'job' | 'solo'): PoolWorker {
    const idle = [...this.#own].find(
      (w) => w.role === role && w.alive && !w.sealed && w.instances.size === 0,
    )
    const worker = idle ?? new PoolWorker(role, this.#events, this.#io, this.#serviceProxy)
    this.#own.add(worker)
    return worker
  }

  /** A solo thread with room (the least loaded), else a new one within the bound, else the
   *  least-loaded unsealed one (or any, if all are sealed). */
  #solo(): PoolWorker {
    const solos = [...this.#own].filter((w) => w.role === 'solo' && w.alive)
    const open = solos.filter((w) => !w.sealed)
    const least = (ws: PoolWorker[]) =>
      ws.reduce((a, b) => (b.instances.size < a.instances.size ? b : a))
    const roomy = open.filter((w) => w.instances.size < this.#perThread)
    if (roomy.length > 0) return least(roomy)
    if (solos.length < this.#soloMax) return this.#dedicated('solo')
    return least(open.length > 0 ? open : solos)
  }

  /** An instance left `worker`; idle job workers beyond one are ended, and a solo or service
   *  worker once it has been idle for idleLingerMs (its last answer may still be on its way out
   *  of its thread). */
  release(worker: PoolWorker, n: number): void {
    worker.unhost(n)
    if (!worker.alive) this.#own.delete(worker)
    const idle = [...this.#own].filter((w) => w.instances.size === 0)
    for (const w of idle.filter((w) => w.role === 'job').slice(1)) this.#end(w)
    if (worker.role !== 'job' && worker.instances.size === 0) this.#endIfIdle(worker)
  }

  #endIfIdle(worker: PoolWorker): void {
    setTimeout(() => worker.instances.size === 0 && this.#end(worker), idleLingerMs).unref()
  }

  #end(worker: PoolWorker): void {
    this.#own.delete(worker)
    const slot = this.#services.indexOf(worker)
    if (slot >= 0) this.#services[slot] = undefined
    worker.die(`runtime: idle ${worker.role} worker ended`, undefined, true)
    if (this.#all().length === 0) this.#io.close() // the next host thread starts it again
  }

  close(): void {
    clearInterval(this.#timer)
    for (const w of this.#all()) w.die('runtime: closed', undefined, true)
    this.#own.clear()
    this.#io.close()
  }
}
