// The real runtime: instances of verified, transpiled, instrumented components, many per worker
// thread, each with its own WASI sandbox, log and probes. The main thread keeps the records and
// talks to workers only by messages (protocol.ts).
import { NotFoundError, ShoalError, InvalidError } from '../core/index.ts'
import { applyCodeTier } from './code-tier.ts'
import { prepareImage } from './image-prepare.ts'
import { InstanceRecord } from './instance-record.ts'
import { startProbes } from './probes.ts'
import type { FromWorker } from './protocol.ts'
import { checkSpec } from './spec-check.ts'
import { ServiceProxyCell, type ServiceProxy } from './service-proxy.ts'
import { startRequest } from './start-request.ts'
import { WorkerPool, type PoolWorker } from './worker-pool.ts'
import type {
  ExitReason,
  HandleResult,
  InstanceHandle,
  InstanceSpec,
  InstanceStats,
  InstanceStatus,
  LogOptions,
  Runtime,
  RuntimeOptions,
  StatusListener,
} from './types.ts'

export class WasmRuntime implements Runtime {
  readonly #opts: RuntimeOptions
  readonly #pool: WorkerPool
  readonly #serviceProxy = new ServiceProxyCell()
  readonly #byId = new Map<string, InstanceRecord>()
  readonly #byN = new Map<number, InstanceRecord>()
  readonly #listeners = new Set<StatusListener>()
  /** ids between start() and their record: a second start of the same id is refused */
  readonly #starting = new Set<string>()
  #nextN = 0

  constructor(opts: RuntimeOptions) {
    this.#opts = opts
    applyCodeTier(opts.codeTier)
    this.#serviceProxy.set(opts.serviceProxy)
    this.#pool = new WorkerPool({
      serviceProxy: this.#serviceProxy.buffer,
      services: opts.workers ?? 1,
      solo: opts.soloWorkers,
      waitersPerThread: opts.waitersPerThread,
      stallMs: opts.waitStallMs,
      hangMs: opts.hangMs ?? 3000,
      events: {
        message: (_w, m) => this.#onMessage(m),
        dead: (w, why, blamed) => this.#onDead(w, why, blamed),
        stalled: (w, waiter) => this.#onStalled(w, waiter),
      },
    })
  }

  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    checkSpec(spec)
    if (this.#byId.get(spec.id)?.live || this.#starting.has(spec.id)) {
      throw new ShoalError('AlreadyExists', `runtime: instance ${spec.id} already exists`)
    }
    this.#starting.add(spec.id)
    try {
      const modules = await prepareImage(spec, {
        cacheDir: this.#opts.cacheDir,
        transpile: this.#opts.transpile !== false,
      })
      const emit: StatusListener = (status) =>
        this.#listeners.forEach((listener) => listener(status))
      const record = new InstanceRecord(spec, modules, {
        logDir: this.#opts.logDir,
        logLines: this.#opts.logLines ?? 1000,
        emit,
      })
      this.#byId.set(spec.id, record)
      record.update({ state: 'starting' })
      await this.#launch(record)
      return { id: spec.id, status: { ...record.status } }
    } finally {
      this.#starting.delete(spec.id)
    }
  }

  /** Start the record's instance in a worker; `moving`: it runs elsewhere meanwhile, so its
   *  port stays until the new one answers. */
  #launch(record: InstanceRecord, moving = false): Promise<void> {
    const n = ++this.#nextN
    const worker = this.#pool.acquire(record.spec.kind, record.modules.waits.length > 0)
    const needsLoad = !worker.loaded.has(record.modules.key)
    worker.loaded.add(record.modules.key)
    worker.host(n)
    Object.assign(record, { n, worker, port: moving ? record.port : undefined })
    this.#byN.set(n, record)
    return new Promise<void>((resolve, reject) => {
      record.launch = { resolve, reject }
      worker.send({
        t: 'start',
        ...startRequest(record.spec, n, {
          modules: record.modules,
          needsLoad,
          fuelPerMs: this.#opts.fuelPerMs,
        }),
      })
    })
  }

  #onMessage(m: FromWorker): void {
    if (m.t === 'stats' || m.t === 'pong' || m.t === 'handled') return // answered inside the pool
    const record = this.#byN.get(m.n)
    if (!record) return
    switch (m.t) {
      case 'log':
        return record.logs.write(m.stream, m.time, m.data)
      case 'started':
        return this.#started(record, m.port)
      case 'failed':
        return this.#finish(record, 'Error', 1, m.message)
      case 'exited':
        return this.#finish(record, m.reason, m.exitCode, m.message)
      case 'stopped':
        return record.stopped?.()
      case 'recycled':
        record.last.recycles = m.recycles
    }
  }

  #started(record: InstanceRecord, port: number | undefined): void {
    record.port = port
    if (record.moving) {
      // same state, new url; its probes go on
      record.update({})
      record.launch?.resolve()
      record.launch = undefined
      return
    }
    record.startedAt = Date.now()
    record.update({ state: 'running', startedAt: record.startedAt, message: undefined })
    record.launch?.resolve()
    record.launch = undefined
    startProbes(record, (why) => void this.#restart(record, why))
  }

  #detach(record: InstanceRecord): void {
    this.#byN.delete(record.n)
    if (record.worker) this.#pool.release(record.worker, record.n)
  }

  #finish(record: InstanceRecord, reason: ExitReason, exitCode: number, message: string): void {
    if (this.#byN.get(record.n) !== record) return
    this.#detach(record)
    record.exited(reason, exitCode, message)
    record.launch?.reject(new InvalidError(message))
    record.launch = undefined
    record.stopped?.()
  }

  #onDead(worker: PoolWorker, why: string, blamed: number | undefined): void {
    for (const n of [...worker.instances]) {
      const record = this.#byN.get(n)
      if (record)
        this.#finish(
          record,
          n === blamed ? 'DeadlineExceeded' : 'Error',
          n === blamed ? 124 : 1,
          why,
        )
    }
  }

  /** `worker` is stuck in `waiter`'s wait: every other instance of it starts afresh in another
   *  thread (a new generation, as a recycle makes) and is dropped there once the wait is over. */
  #onStalled(worker: PoolWorker, waiter: number): void {
    for (const n of [...worker.instances]) {
      const record = this.#byN.get(n)
      if (n !== waiter && record?.live && !record.moving && !record.stopped && !record.launch)
        void this.#move(record)
    }
  }

  async #move(record: InstanceRecord): Promise<void> {
    const { worker, n } = record
    this.#detach(record)
    worker!.send({ t: 'stop', n })
    let moved!: () => void
    record.moving = new Promise<void>((resolve) => (moved = resolve))
    await this.#launch(record, true).catch(() => undefined)
    record.moving = undefined
    moved()
  }

  /** Liveness failed: report it, replace the instance in place (same id, restartCount + 1). */
  async #restart(record: InstanceRecord, why: string): Promise<void> {
    if (record.moving) return // it is being replaced already
    record.update({ message: `liveness probe failed: ${why}; restarting` })
    for (const probe of record.probes) probe.stop()
    record.probes = []
    const worker = record.worker!
    worker.send({ t: 'stop', n: record.n })
    if (ownThread(worker)) worker.die('runtime: liveness restart', undefined, true)
    this.#detach(record)
    record.logs.reopen()
    record.update({ state: 'starting', restartCount: record.status.restartCount + 1 })
    await this.#launch(record).catch(() => undefined)
  }

  async stop(id: string, opts: { graceMs?: number } = {}): Promise<void> {
    const record = this.#byId.get(id)
    await record?.moving
    if (!record?.live || !record.worker) return
    const { worker, n } = record
    const graceMs = opts.graceMs ?? 2000
    const acknowledged = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), graceMs)
      record.stopped = () => (clearTimeout(timer), resolve(true))
      worker.send({ t: 'stop', n })
    })
    record.stopped = undefined
    if (!record.live || record.n !== n) return
    if (!acknowledged && ownThread(worker)) worker.die('runtime: stopped', undefined, true)
    if (acknowledged) this.#finish(record, 'Completed', 0, 'runtime: stopped')
    else this.#finish(record, 'Error', 137, `runtime: killed after a grace period of ${graceMs} ms`)
  }

  handler(id: string): ((body: Uint8Array) => Promise<HandleResult>) | undefined {
    const serving = (r: InstanceRecord | undefined) =>
      r?.live && r.spec.kind === 'handler' && r.port !== undefined ? r.worker : undefined
    if (!serving(this.#byId.get(id))) return undefined
    return (body) => {
      // looked up at the call: a restarted or moved instance has another thread and number
      const record = this.#byId.get(id)
      const worker = serving(record)
      if (!worker) return Promise.resolve({ ok: false, message: `runtime: ${id} is not running` })
      return worker.handle(record!.n, body)
    }
  }

  status(id: string): InstanceStatus | undefined {
    const status = this.#byId.get(id)?.status
    return status && { ...status }
  }

  list(): InstanceStatus[] {
    return [...this.#byId.values()].map((r) => ({ ...r.status }))
  }

  onStatus(listener: StatusListener): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }

  #record(id: string): InstanceRecord {
    const record = this.#byId.get(id)
    if (!record) throw new NotFoundError(`runtime: no instance ${id}`)
    return record
  }

  logs(id: string, opts?: LogOptions): AsyncIterable<string> {
    return this.#record(id).logs.read(opts)
  }

  async stats(id: string): Promise<InstanceStats> {
    const record = this.#record(id)
    const worker = record.worker
    // a command's thread is blocked inside its one synchronous run, and a service's while it
    // waits in a host call: read the memory it last reported from the shared call slot; services
    // answer between calls
    const inCall = record.live
      ? worker?.memoryInCall(record.n, record.spec.kind !== 'command')
      : undefined
    // (a command's one run is one call, so its CPU time is its run so far)
    if (inCall !== undefined) {
      const cpuMs =
        record.spec.kind === 'command' ? Date.now() - record.startedAt : record.last.cpuMs
      record.last = { ...record.last, memoryBytes: inCall, cpuMs }
    } else if (record.live && worker) {
      const reply = await worker.stats(record.n)
      if (reply)
        record.last = {
          memoryBytes: reply.memoryBytes,
          requests: reply.requests,
          recycles: reply.recycles,
          cpuMs: reply.cpuMs,
        }
      else {
        // no answer: the thread went into a call (or a wait) meanwhile; its memory as of then
        const memoryBytes = worker.memoryInCall(record.n)
        if (memoryBytes !== undefined) record.last = { ...record.last, memoryBytes }
      }
    }
    return { ...record.last, uptimeMs: record.live ? Date.now() - record.startedAt : 0 }
  }

  url(id: string): string | undefined {
    return this.#byId.get(id)?.url
  }

  remove(id: string): void {
    const record = this.#byId.get(id)
    if (record && !record.live) this.#byId.delete(id)
  }

  setServiceProxy(proxy: ServiceProxy | undefined): void {
    this.#serviceProxy.set(proxy)
  }

  warm(): void {
    this.#pool.warm()
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.#byId.values()]
        .filter((r) => r.live)
        .map((r) => this.stop(r.spec.id, { graceMs: 200 })),
    )
    this.#pool.close()
    await Promise.all([...this.#byId.values()].map((r) => r.file.close()))
  }
}

/** A worker that hosts one instance alone (a command's, or one that may wait in host calls): it can
 *  be terminated to stop that instance when the thread does not answer. */
function ownThread(worker: PoolWorker): boolean {
  return worker.role !== 'service' && worker.instances.size <= 1
}

export function createRuntime(opts: RuntimeOptions): Runtime {
  return new WasmRuntime(opts)
}
