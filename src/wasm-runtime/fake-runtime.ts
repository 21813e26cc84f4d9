// FakeRuntime: the Runtime interface in memory, for the node agent's unit tests. Starting an
// instance walks it starting → running → ready at once (commands stay running); the test drives
// the rest: exit(), setReady(), log(), setStats(), failImage(). Every call is recorded.
import { InvalidError, NotFoundError, ShoalError } from '../core/index.ts'
import { LogBuffer } from './log-buffer.ts'
import { checkSpec } from './spec-check.ts'
import type { ServiceProxy } from './service-proxy.ts'
import type {
  ExitReason,
  InstanceHandle,
  InstanceSpec,
  InstanceStats,
  InstanceStatus,
  LogOptions,
  Runtime,
  StatusListener,
} from './types.ts'

interface FakeInstance {
  spec: InstanceSpec
  status: InstanceStatus
  logs: LogBuffer
  stats: Omit<InstanceStats, 'uptimeMs'>
}

export class FakeRuntime implements Runtime {
  readonly started: InstanceSpec[] = []
  readonly stopped: { id: string; graceMs?: number }[] = []
  readonly #instances = new Map<string, FakeInstance>()
  readonly #listeners = new Set<StatusListener>()
  readonly #badImages = new Map<string, string>()
  #nextPort = 20000

  /** Starts of this image digest reject with InvalidError(message). */
  failImage(
    digest: string,
    message = `runtime: image ${digest} is not a WebAssembly component`,
  ): void {
    this.#badImages.set(digest, message)
  }

  #set(instance: FakeInstance, change: Partial<InstanceStatus>): void {
    instance.status = { ...instance.status, ...change }
    if (change.state && change.state !== 'exited') instance.status.ready = change.state === 'ready'
    for (const listener of this.#listeners) listener({ ...instance.status })
  }

  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    checkSpec(spec)
    this.started.push(spec)
    if (
      this.#instances.get(spec.id)?.status.state !== undefined &&
      this.#instances.get(spec.id)!.status.state !== 'exited'
    ) {
      throw new ShoalError('AlreadyExists', `runtime: instance ${spec.id} already exists`)
    }
    const bad = this.#badImages.get(spec.image.digest)
    if (bad) throw new InvalidError(bad)
    const url = spec.kind === 'command' ? undefined : `http://127.0.0.1:${this.#nextPort++}`
    const status: InstanceStatus = { id: spec.id, state: 'starting', ready: false, restartCount: 0 }
    const instance: FakeInstance = {
      spec,
      status,
      logs: new LogBuffer(1000, () => undefined),
      stats: { memoryBytes: 65536, requests: 0, recycles: 0, cpuMs: 0 },
    }
    this.#instances.set(spec.id, instance)
    this.#set(instance, {})
    this.#set(instance, { state: 'running', startedAt: Date.now(), ...(url ? { url } : {}) })
    if (spec.kind !== 'command' && !spec.readinessProbe) this.#set(instance, { state: 'ready' })
    return { id: spec.id, status: { ...instance.status } }
  }

  #get(id: string): FakeInstance {
    const instance = this.#instances.get(id)
    if (!instance) throw new NotFoundError(`runtime: no instance ${id}`)
    return instance
  }

  /** The instance ends the way a real one would report it. */
  exit(
    id: string,
    reason: ExitReason,
    exitCode = reason === 'Completed' ? 0 : 1,
    message: string = reason,
  ): void {
    const instance = this.#get(id)
    instance.logs.close()
    const { url: _url, ...rest } = instance.status
    instance.status = rest
    this.#set(instance, {
      state: 'exited',
      ready: false,
      reason,
      exitCode,
      message,
      finishedAt: Date.now(),
    })
  }

  setReady(id: string, ready: boolean): void {
    this.#set(this.#get(id), { state: ready ? 'ready' : 'running' })
  }

  log(id: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.#get(id).logs.write(
      stream,
      Date.now(),
      new TextEncoder().encode(text.endsWith('\n') ? text : text + '\n'),
    )
  }

  setStats(id: string, stats: Partial<Omit<InstanceStats, 'uptimeMs'>>): void {
    Object.assign(this.#get(id).stats, stats)
  }

  async stop(id: string, opts: { graceMs?: number } = {}): Promise<void> {
    this.stopped.push({ id, graceMs: opts.graceMs })
    const instance = this.#instances.get(id)
    if (instance && instance.status.state !== 'exited')
      this.exit(id, 'Completed', 0, 'runtime: stopped')
  }

  status(id: string): InstanceStatus | undefined {
    const status = this.#instances.get(id)?.status
    return status && { ...status }
  }

  list(): InstanceStatus[] {
    return [...this.#instances.values()].map((i) => ({ ...i.status }))
  }

  onStatus(listener: StatusListener): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }

  logs(id: string, opts?: LogOptions): AsyncIterable<string> {
    return this.#get(id).logs.read(opts)
  }

  async stats(id: string): Promise<InstanceStats> {
    const instance = this.#get(id)
    const live = instance.status.state !== 'exited'
    return {
      ...instance.stats,
      uptimeMs: live ? Date.now() - (instance.status.startedAt ?? Date.now()) : 0,
    }
  }

  url(id: string): string | undefined {
    return this.#instances.get(id)?.status.url
  }

  remove(id: string): void {
    if (this.#instances.get(id)?.status.state === 'exited') this.#instances.delete(id)
  }

  /** how many times warm() was called */
  warmed = 0
  warm(): void {
    this.warmed++
  }

  /** the last setServiceProxy() */
  serviceProxy: ServiceProxy | undefined
  setServiceProxy(proxy: ServiceProxy | undefined): void {
    this.serviceProxy = proxy
  }

  async close(): Promise<void> {
    for (const id of this.#instances.keys()) await this.stop(id)
  }
}
