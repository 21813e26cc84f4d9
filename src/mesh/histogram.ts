// A latency histogram with fixed buckets (seconds, Prometheus' convention), cumulative counts
// rendered on demand; observe() is a short scan, no allocation.

import { MESH_LATENCY_BUCKETS_MS } from '../api/index.ts'

/** upper bounds in ms (the protocol's: agents report these buckets in `stats`) */
export const BUCKETS_MS: readonly number[] = MESH_LATENCY_BUCKETS_MS

export class Histogram {
  readonly counts = new Float64Array(BUCKETS_MS.length + 1)
  sumMs = 0
  count = 0

  observe(ms: number): void {
    let i = 0
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]!) i++
    this.counts[i]!++
    this.sumMs += ms
    this.count++
  }

  /** the Prometheus lines of this histogram named `name` with these labels ("a=\"b\"") */
  render(name: string, labels: string, out: string[]): void {
    let cumulative = 0
    for (let i = 0; i < BUCKETS_MS.length; i++) {
      cumulative += this.counts[i]!
      out.push(`${name}_bucket{${labels},le="${BUCKETS_MS[i]! / 1000}"} ${cumulative}`)
    }
    out.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`)
    out.push(`${name}_sum{${labels}} ${this.sumMs / 1000}`)
    out.push(`${name}_count{${labels}} ${this.count}`)
  }
}
