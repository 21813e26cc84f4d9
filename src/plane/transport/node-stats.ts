// The fleet's usage as its nodes report it (`stats`): held in memory, the last two samples per
// node, and turned into rates the way metrics-server does — the difference of cumulative counters
// (CPU time, requests) over the time between two samples; memory is the newer sample's. Nothing
// is written to the store: a figure is seconds old at best, and after a plane restart the next
// samples bring it back. A node's figures go when its connection does (its Last Will) or when no
// sample came for `staleMs`. Consumers: kubectl top (metrics.k8s.io) and the autoscaler.
import type { ContainerStats, PodStats, StatsReport, Usage } from '../../api/index.ts'
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

  pod(namespace: string, name: string): PodUsage | undefined {
    return this.pods(namespace).find((p) => p.name === name)
  }
}
