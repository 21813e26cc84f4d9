// Prometheus text exposition: requests by verb, resource and code, request latency histogram,
// store revision, fdatasync latency, retained versions and value bytes in memory, open watches,
// the process's memory (resident, V8 heap, external). Counters live here; the app records them.
import { getHeapStatistics } from 'node:v8'

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

interface Series {
  count: number
  sum: number
  buckets: number[]
}

export interface StoreGauges {
  revision: number
  compactRevision: number
  syncStats?: { count: number; seconds: number; buckets: number[] }
  syncBuckets?: number[]
  /** retained versions; bytes of values in memory: not yet durable, and kept by the read cache */
  memory?: { versions: number; unsettledBytes: number; cacheBytes: number }
  /** bytes of the log and snapshot files: what a snapshot would keep, and what it would free */
  disk?: { retainedBytes: number; deadBytes: number }
}

export class Metrics {
  #requests = new Map<string, number>()
  #latency = new Map<string, Series>()

  record(verb: string, resource: string, code: number, seconds: number): void {
    const k = `verb="${verb}",resource="${resource}",code="${code}"`
    this.#requests.set(k, (this.#requests.get(k) ?? 0) + 1)
    const lk = `verb="${verb}",resource="${resource}"`
    let s = this.#latency.get(lk)
    if (!s)
      this.#latency.set(
        lk,
        (s = { count: 0, sum: 0, buckets: new Array(LATENCY_BUCKETS.length).fill(0) }),
      )
    s.count++
    s.sum += seconds
    LATENCY_BUCKETS.forEach((b, i) => seconds <= b && s.buckets[i]++)
  }

  render(store: StoreGauges, watches: number): string {
    const out: string[] = []
    out.push(
      '# HELP shoal_apiserver_requests_total API requests by verb, resource and HTTP code.',
      '# TYPE shoal_apiserver_requests_total counter',
    )
    for (const [k, v] of this.#requests) out.push(`shoal_apiserver_requests_total{${k}} ${v}`)
    out.push(
      '# HELP shoal_apiserver_request_duration_seconds API request latency.',
      '# TYPE shoal_apiserver_request_duration_seconds histogram',
    )
    for (const [k, s] of this.#latency)
      histogram(out, 'shoal_apiserver_request_duration_seconds', k, s, LATENCY_BUCKETS)
    out.push(
      '# HELP shoal_store_revision Current durable store revision.',
      '# TYPE shoal_store_revision gauge',
      `shoal_store_revision ${store.revision}`,
    )
    out.push(
      '# HELP shoal_store_compact_revision Store compact revision.',
      '# TYPE shoal_store_compact_revision gauge',
      `shoal_store_compact_revision ${store.compactRevision}`,
    )
    if (store.syncStats && store.syncBuckets) {
      out.push(
        '# HELP shoal_store_fsync_duration_seconds Log fdatasync latency.',
        '# TYPE shoal_store_fsync_duration_seconds histogram',
      )
      const s = store.syncStats
      histogram(
        out,
        'shoal_store_fsync_duration_seconds',
        '',
        { count: s.count, sum: s.seconds, buckets: s.buckets },
        store.syncBuckets,
      )
    }
    if (store.memory) {
      const m = store.memory
      out.push(
        '# HELP shoal_store_versions Key versions the store retains (live keys plus history).',
        '# TYPE shoal_store_versions gauge',
        `shoal_store_versions ${m.versions}`,
      )
      out.push(
        '# HELP shoal_store_value_bytes Bytes of stored values held in memory (the rest are read from the log and snapshot files).',
        '# TYPE shoal_store_value_bytes gauge',
      )
      out.push(
        `shoal_store_value_bytes{state="unsettled"} ${m.unsettledBytes}`,
        `shoal_store_value_bytes{state="cached"} ${m.cacheBytes}`,
      )
    }
    if (store.disk) {
      out.push(
        "# HELP shoal_store_disk_bytes Bytes of the store's log and snapshot files: retained (what a snapshot keeps) and dead (superseded or compacted versions it frees); a snapshot runs once dead >= max(64 MiB, retained).",
        '# TYPE shoal_store_disk_bytes gauge',
      )
      out.push(
        `shoal_store_disk_bytes{state="retained"} ${store.disk.retainedBytes}`,
        `shoal_store_disk_bytes{state="dead"} ${store.disk.deadBytes}`,
      )
    }
    processMemory(out)
    out.push(
      '# HELP shoal_apiserver_watches Open watch streams.',
      '# TYPE shoal_apiserver_watches gauge',
      `shoal_apiserver_watches ${watches}`,
    )
    return out.join('\n') + '\n'
  }
}

/** the process's memory, as prom-client's default metrics name it */
function processMemory(out: string[]): void {
  const m = process.memoryUsage()
  const h = getHeapStatistics()
  out.push(
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${m.rss}`,
    '# HELP nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.',
    '# TYPE nodejs_heap_size_total_bytes gauge',
    `nodejs_heap_size_total_bytes ${m.heapTotal}`,
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    '# TYPE nodejs_heap_size_used_bytes gauge',
    `nodejs_heap_size_used_bytes ${m.heapUsed}`,
    '# HELP nodejs_external_memory_bytes Node.js external memory size in bytes (array buffers included).',
    '# TYPE nodejs_external_memory_bytes gauge',
    `nodejs_external_memory_bytes ${m.external}`,
    '# HELP nodejs_array_buffers_bytes Memory of ArrayBuffers and Buffers in bytes.',
    '# TYPE nodejs_array_buffers_bytes gauge',
    `nodejs_array_buffers_bytes ${m.arrayBuffers}`,
    '# HELP nodejs_heap_malloced_bytes Memory V8 allocated with malloc, in bytes.',
    '# TYPE nodejs_heap_malloced_bytes gauge',
    `nodejs_heap_malloced_bytes ${h.malloced_memory}`,
  )
}

function histogram(out: string[], name: string, labels: string, s: Series, bounds: number[]): void {
  const sep = labels ? ',' : ''
  bounds.forEach((b, i) => out.push(`${name}_bucket{${labels}${sep}le="${b}"} ${s.buckets[i]}`))
  out.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${s.count}`)
  out.push(`${name}_sum${labels ? `{${labels}}` : ''} ${s.sum}`)
  out.push(`${name}_count${labels ? `{${labels}}` : ''} ${s.count}`)
}
