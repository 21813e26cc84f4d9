// The fleet's usage as its nodes report it (`stats`): held in memory, the last two samples per
// node, and turned into rates the way metrics-server does — the difference of cumulative counters
// (CPU time, requests) over the time between two samples; memory is the newer sample's. Nothing
// is written to the store: a figure is seconds old at best, and after a plane restart the next
// samples bring it back. A node's figures go when its connection does (its Last Will) or when no
// sample came for `staleMs`. Consumers: kubectl top (metrics.k8s.io) and the autoscaler. The
// mesh's counters per endpoint (sent by each node that routed to it) become, per pod, the error
// rate and latency quantiles over the window, summed over the nodes: the dashboard's.
import {
  MESH_LATENCY_BUCKETS_MS,
  type ContainerStats,
  type MeshEndpointStats,
  type PodStats,
  type StatsReport,
  type Usage,
} from '../../api/index.ts'
import { systemClock, type Clock } from '../../core/index.ts'

export interface UsageRate {
  /** thousandths of a core, averaged over the window */
  cpuMillicores: number
  memoryBytes: number
}

export interface ContainerUsage extends UsageRate {
  name: string
  requestsPerSecond: number
}

export interface PodUsage {
  uid: string
  namespace: string
  name: string
  node: string
  /** the plane's clock when the newer sample arrived (ms since the epoch) */
  timestamp: number
  windowMs: number
  containers: ContainerUsage[]
}

export interface NodeUsage extends UsageRate {
  node: string
  timestamp: number
  windowMs: number
  /** the agent's own process, workers included */
  agent: UsageRate
}

/** what the nodes' meshes saw of one pod (as an endpoint) over their last windows */
export interface MeshUsage {
  namespace: string
  pod: string
  /** attempts sent to it per second, summed over the nodes that sent any */
  requestsPerSecond: number
  /** of those, answered 5xx or failed (connect error, timeout) */
  errorsPerSecond: number
  /** quantiles of the attempts' latency over the window (ms; none: no attempt in it), from the
   * histogram buckets — interpolated within a bucket, so as coarse as the buckets */
  latencyP50Ms?: number
  latencyP99Ms?: number
}

/** the q-quantile of bucket counts (MESH_LATENCY_BUCKETS_MS, then the rest) in ms */
export function bucketQuantile(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0)
  if (total <= 0) return undefined
  const target = q * total
  let below = 0
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!
    if (n > 0 && below + n >= target) {
      const upper = MESH_LATENCY_BUCKETS_MS[i]
      if (upper === undefined) return MESH_LATENCY_BUCKETS_MS.at(-1)! // slower than the last bound
      const lower = i > 0 ? MESH_LATENCY_BUCKETS_MS[i - 1]! : 0
      return lower + ((upper - lower) * (target - below)) / n
    }
    below += n
  }
  return MESH_LATENCY_BUCKETS_MS.at(-1)!
}

const meshKey = (e: MeshEndpointStats) => `${e.namespace}/${e.service}/${e.pod}`

interface Sample {
  report: StatsReport
  /** plane clock at arrival */
  at: number
}

interface Held {
  last: Sample
  previous?: Sample
  pods: Map<string, PodStats>
}

export interface NodeStatsOptions {
  clock?: Clock
  /** figures older than this are gone (default 60 s: a node reports every few seconds) */
  staleMs?: number
}

const rate = (newer: number, older: number, ms: number) =>
  ms > 0 && newer >= older ? (newer - older) / ms : 0

/** nanoseconds of CPU over ms of wall time → millicores */
const millicores = (nanos: number, ms: number) => (ms > 0 ? Math.round(nanos / ms / 1000) : 0)

function usageRate(newer: Usage, older: Usage | undefined, ms: number): UsageRate {
  return {
    cpuMillicores:
      older && newer.cpuNanos >= older.cpuNanos
        ? millicores(newer.cpuNanos - older.cpuNanos, ms)
        : 0,
    memoryBytes: newer.memoryBytes,
  }
}

/** one container over the window; a container that (re)started within it: since its start */
function containerUsage(
  c: ContainerStats,
  before: ContainerStats | undefined,
  time: number,
  since: number,
): ContainerUsage {
  const same = before && before.startTime === c.startTime && c.cpuNanos >= before.cpuNanos
  const ms = same ? time - since : time - c.startTime
  return {
    name: c.name,
    cpuMillicores: millicores(c.cpuNanos - (same ? before.cpuNanos : 0), ms),
    memoryBytes: c.memoryBytes,
    requestsPerSecond: rate(c.requests, same ? before.requests : 0, ms) * 1000,
  }
}

export class NodeStats {
  readonly #clock: Clock
  readonly #staleMs: number
  readonly #nodes = new Map<string, Held>()

  constructor(o: NodeStatsOptions = {}) {
    this.#clock = o.clock ?? systemClock
    this.#staleMs = o.staleMs ?? 60_000
  }

  /** a sample from a node; one older than the last held (a late duplicate) is ignored */
  record(node: string, report: StatsReport): void {
    const held = this.#nodes.get(node)
    const sample = { report, at: this.#clock.now() }
    const pods = new Map(report.pods.map((p) => [p.uid, p]))
    if (!held) {
      this.#nodes.set(node, { last: sample, pods })
      return
    }
    if (report.time <= held.last.report.time) return
    this.#nodes.set(node, { last: sample, previous: held.last, pods })
  }

  /** the node's connection is gone (or the Node deleted) */
  forget(node: string): void {
    this.#nodes.delete(node)
  }

  #fresh(node: string): Held | undefined {
    const held = this.#nodes.get(node)
    if (held && this.#clock.now() - held.last.at > this.#staleMs) {
      this.#nodes.delete(node)
      return undefined
    }
    return held
  }

  /** a node's usage; undefined until it has sent two samples (a rate needs a window) */
  node(name: string): NodeUsage | undefined {
    const held = this.#fresh(name)
    if (!held?.previous) return undefined
    const { last, previous } = held
    const windowMs = last.report.time - previous.report.time
    return {
      node: name,
      timestamp: last.at,
      windowMs,
      ...usageRate(last.report.node, previous.report.node, windowMs),
      agent: usageRate(last.report.node.agent, previous.report.node.agent, windowMs),
    }
  }

  nodes(): NodeUsage[] {
    return [...this.#nodes.keys()].flatMap((n) => this.node(n) ?? [])
  }

  /** the usage of every pod the nodes report (optionally of one namespace) */
  pods(namespace?: string): PodUsage[] {
    const out: PodUsage[] = []
    for (const node of [...this.#nodes.keys()]) {
      const held = this.#fresh(node)
      if (!held) continue
      const { last, previous } = held
      const before = previous && new Map(previous.report.pods.map((p) => [p.uid, p]))
      for (const p of held.pods.values()) {
        if (namespace !== undefined && p.namespace !== namespace) continue
        const old = before?.get(p.uid)
        const since = previous?.report.time ?? 0
        const containers = p.containers.map((c) =>
          containerUsage(
            c,
            old?.containers.find((o) => o.name === c.name),
            last.report.time,
            since,
          ),
        )
        const windowMs = old
          ? last.report.time - since
          : Math.max(0, ...p.containers.map((c) => last.report.time - c.startTime))
        out.push({
          uid: p.uid,
          namespace: p.namespace,
          name: p.name,
          node,
          timestamp: last.at,
          windowMs,
          containers,
        })
      }
    }
    return out
  }

  /** per pod, what the meshes of the nodes with two samples saw of it (optionally one namespace) */
  mesh(namespace?: string): MeshUsage[] {
    const acc = new Map<string, { u: MeshUsage; buckets: number[] }>()
    for (const node of [...this.#nodes.keys()]) {
      const held = this.#fresh(node)
      if (!held?.previous || !held.last.report.mesh) continue
      const windowMs = held.last.report.time - held.previous.report.time
      const before = new Map((held.previous.report.mesh ?? []).map((e) => [meshKey(e), e]))
      for (const e of held.last.report.mesh) {
        if (namespace !== undefined && e.namespace !== namespace) continue
        const old = before.get(meshKey(e))
        // new to this node's mesh, or its counters restarted (the agent did): no window yet
        if (!old || e.requests < old.requests || e.errors < old.errors) continue
        const delta = e.latency.map((n, i) => n - (old.latency[i] ?? 0))
        if (delta.some((n) => n < 0)) continue
        const key = `${e.namespace}/${e.pod}`
        let a = acc.get(key)
        if (!a) {
          const u = { namespace: e.namespace, pod: e.pod, requestsPerSecond: 0, errorsPerSecond: 0 }
          acc.set(key, (a = { u, buckets: delta.map(() => 0) }))
        }
        a.u.requestsPerSecond += rate(e.requests, old.requests, windowMs) * 1000
        a.u.errorsPerSecond += rate(e.errors, old.errors, windowMs) * 1000
        delta.forEach((n, i) => (a.buckets[i] = (a.buckets[i] ?? 0) + n))
      }
    }
    return [...acc.values()].map(({ u, buckets }) => {
      const p50 = bucketQuantile(buckets, 0.5)
      const p99 = bucketQuantile(buckets, 0.99)
      return {
        ...u,
        ...(p50 !== undefined && { latencyP50Ms: p50 }),
        ...(p99 !== undefined && { latencyP99Ms: p99 }),
      }
    })
  }

  pod(namespace: string, name: string): PodUsage | undefined {
    return this.pods(namespace).find((p) => p.name === name)
  }
}
