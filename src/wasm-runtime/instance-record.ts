// The main thread's record of one instance: its spec, where it runs, its status, its log, its
// probes. Status changes go through `update`, which stamps and copies them for listeners.
import { LogBuffer } from './log-buffer.ts'
import { LogFile } from './log-file.ts'
import type { ProbeLoop } from './probe-loop.ts'
import type { PreparedModules } from './module-cache.ts'
import type { PoolWorker } from './worker-pool.ts'
import type { ExitReason, InstanceSpec, InstanceStatus, StatusListener } from './types.ts'

export interface Launch {
  resolve(): void
  reject(error: Error): void
}

export class InstanceRecord {
  readonly spec: InstanceSpec
  readonly modules: PreparedModules
  readonly logs: LogBuffer
  readonly file: LogFile
  status: InstanceStatus
  n = 0
  worker: PoolWorker | undefined
  port: number | undefined
  probes: ProbeLoop[] = []
  launch: Launch | undefined
  /** set while the instance moves to another thread (runtime.ts #move), resolved when it has */
  moving: Promise<void> | undefined
  /** set while stop() waits, resolved when the worker let go of the instance */
  stopped: (() => void) | undefined
  startedAt = 0
  last = { memoryBytes: 0, requests: 0, recycles: 0, cpuMs: 0 }
  readonly #emit: StatusListener

  constructor(
    spec: InstanceSpec,
    modules: PreparedModules,
    opts: { logDir: string; logLines: number; emit: StatusListener },
  ) {
    this.spec = spec
    this.modules = modules
    this.file = new LogFile(opts.logDir, spec.id)
    this.logs = new LogBuffer(opts.logLines, (line) => this.file.append(line))
    this.status = { id: spec.id, state: 'starting', ready: false, restartCount: 0 }
    this.#emit = opts.emit
  }

  get url(): string | undefined {
    return this.port !== undefined && this.status.state !== 'exited'
      ? `http://127.0.0.1:${this.port}`
      : undefined
  }

  get live(): boolean {
    return this.status.state !== 'exited'
  }

  update(change: Partial<InstanceStatus>): void {
    const next: InstanceStatus = { ...this.status, ...change }
    if (next.state === 'ready' || next.state === 'running') next.ready = next.state === 'ready'
    if (next.state !== 'exited') {
      delete next.reason
      delete next.exitCode
      delete next.finishedAt
    }
    next.url =
      this.port !== undefined && next.state !== 'exited'
        ? `http://127.0.0.1:${this.port}`
        : undefined
    if (next.url === undefined) delete next.url
    this.status = next
    this.#emit({ ...next })
  }

  exited(reason: ExitReason, exitCode: number, message: string): void {
    for (const probe of this.probes) probe.stop()
    this.probes = []
    this.logs.close()
    this.update({
      state: 'exited',
      ready: false,
      reason,
      exitCode,
      message,
      finishedAt: Date.now(),
    })
    this.port = undefined
  }
}
