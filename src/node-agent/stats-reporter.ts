// Stats every few seconds while the link is up (a `stats` message: see the protocol): the
// machine's CPU time and memory in use, the agent process's own (its worker threads are in it),
// and for each running container its CPU time, linear memory and requests served, as cumulative
// counters the plane turns into rates; with them the mesh's per-endpoint counters (requests,
// errors, latency buckets) when the agent runs a mesh. Offline, nothing is sampled or kept: a stale figure has
// no use, and the next sample after the link returns is as good as any.
import { cpus, freemem, totalmem } from 'node:os'
import type {
  ContainerStats,
  MeshEndpointStats,
  PodStats,
  StatsReport,
  Usage,
} from '../api/index.ts'
import type { Clock, Logger, Timer } from '../core/index.ts'
import type { Runtime } from '../wasm-runtime/index.ts'
import type { ContainerRecord } from './container-sync.ts'

export interface RunningPod {
  uid: string
  namespace: string
  name: string
  containers: Pick<ContainerRecord, 'name' | 'id'>[]
}

export interface StatsReporterOptions {
  runtime: Pick<Runtime, 'stats' | 'status'>
  /** the pods the agent holds, with their containers */
  pods(): RunningPod[]
  send(report: StatsReport): boolean
  online(): boolean
  clock: Clock
  log: Logger
  /** default 10 000 ms (metrics-server's resolution is 15 s) */
  everyMs?: number
  /** the machine (default: node:os) */
  machine?: () => Usage
  /** this process (default: process.cpuUsage and RSS) */
  self?: () => Usage
  /** the mesh's counters per endpoint (none: no mesh, the field is left out) */
  mesh?: () => MeshEndpointStats[]
}

/** all cores' busy time since boot and memory in use (total − available) */
export function machineUsage(): Usage {
  let busyMs = 0
  for (const c of cpus()) busyMs += c.times.user + c.times.nice + c.times.sys + c.times.irq
  return { cpuNanos: Math.round(busyMs * 1e6), memoryBytes: Math.max(0, totalmem() - freemem()) }
}

/** this process, its worker threads included */
export function processUsage(): Usage {
  const { user, system } = process.cpuUsage()
  return { cpuNanos: (user + system) * 1000, memoryBytes: process.memoryUsage.rss() }
}

export class StatsReporter {
  readonly #o: StatsReporterOptions
  #timer: Timer | undefined
  #closed = false

  constructor(o: StatsReporterOptions) {
    this.#o = o
  }

  start(): void {
    this.#next()
  }

  close(): void {
    this.#closed = true
    this.#timer?.cancel()
  }

  #next(): void {
    if (this.#closed) return
    this.#timer = this.#o.clock.setTimeout(() => {
      if (!this.#o.online()) return this.#next()
      this.sample()
        .then((report) => {
          if (!this.#closed) this.#o.send(report)
        })
        .catch((e: Error) => this.#o.log.warn('sampling stats failed', { error: e.message }))
        .finally(() => this.#next())
    }, this.#o.everyMs ?? 10_000)
  }

  /** one sample of the node and every running container */
  async sample(): Promise<StatsReport> {
    const { runtime, clock } = this.#o
    const pods: PodStats[] = []
    for (const p of this.#o.pods()) {
      const containers: ContainerStats[] = []
      for (const c of p.containers) {
        const status = runtime.status(c.id)
        if (!status || status.state === 'exited' || !status.startedAt) continue
        try {
          const s = await runtime.stats(c.id)
          containers.push({
            name: c.name,
            cpuNanos: Math.round((s.cpuMs ?? 0) * 1e6),
            memoryBytes: s.memoryBytes,
            requests: s.requests,
            startTime: status.startedAt,
          })
        } catch {
          // stopped between status and stats: left out of this sample
        }
      }
      if (containers.length)
        pods.push({ uid: p.uid, namespace: p.namespace, name: p.name, containers })
    }
    const agent = (this.#o.self ?? processUsage)()
    const node = { ...(this.#o.machine ?? machineUsage)(), agent }
    const mesh = this.#o.mesh?.()
    return { type: 'stats', time: clock.now(), node, pods, ...(mesh && { mesh }) }
  }
}
