// What the mesh knows of one endpoint of one Service beyond the table: requests in flight
// (least-request balancing, draining), outlier ejection and its counters. Kept across tables
// by (Service, pod uid), so a new table revision does not forget an ejection or a drain.
import type { MeshEndpoint } from '../api/index.ts'
import { Histogram } from './histogram.ts'

export interface OutlierPolicy {
  consecutive5xx: number
  baseEjectionMs: number
  maxEjectionMs: number
}

export class EndpointState {
  endpoint: MeshEndpoint
  /** on this node: reached on loopback; otherwise through its node's mesh */
  readonly local: boolean
  /** drained by drainLocal: no new request, whatever the table says */
  draining = false
  outstanding = 0
  requests = 0
  errors = 0
  readonly latency = new Histogram()
  /** ejected until this time (ms since epoch); 0: not ejected */
  ejectedUntil = 0
  #consecutive5xx = 0
  #ejections = 0
  #lastEjectionEnd = 0
  #idle: (() => void)[] = []

  constructor(endpoint: MeshEndpoint, local: boolean) {
    this.endpoint = endpoint
    this.local = local
  }

  ejected(now: number): boolean {
    return this.ejectedUntil > now
  }

  begin(): void {
    this.outstanding++
    this.requests++
  }

  /** one attempt ended: `failed` a connect error, a reset or a timeout; `status` its answer */
  end(ms: number, status: number, failed: boolean): void {
    this.outstanding--
    this.latency.observe(ms)
    if (failed || status >= 500) this.errors++
    if (this.outstanding === 0 && this.#idle.length > 0) {
      for (const resolve of this.#idle.splice(0)) resolve()
    }
  }

  /** resolves when no request is in flight */
  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  /** outlier detection: a connect error ejects at once, 5xx after `consecutive5xx` in a row */
  recordOutcome(kind: 'ok' | '5xx' | 'connect', now: number, policy: OutlierPolicy): boolean {
    if (kind === 'ok') {
      this.#consecutive5xx = 0
      // healthy for as long again as its last ejection: the next one starts from the base again
      if (this.#ejections > 0 && now - this.#lastEjectionEnd > this.#ejectionMs(policy))
        this.#ejections = 0
      return false
    }
    if (kind === '5xx' && ++this.#consecutive5xx < policy.consecutive5xx) return false
    if (this.ejected(now)) return false
    this.#consecutive5xx = 0
    this.#ejections++
    this.ejectedUntil = now + this.#ejectionMs(policy)
    this.#lastEjectionEnd = this.ejectedUntil
    return true
  }

  #ejectionMs(policy: OutlierPolicy): number {
    const n = Math.max(this.#ejections, 1)
    return Math.min(policy.baseEjectionMs * 2 ** (n - 1), policy.maxEjectionMs)
  }
}
