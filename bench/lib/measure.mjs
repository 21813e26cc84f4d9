// Closed-loop drivers and percentiles. Latency = from the call to the acknowledgement, in µs.
import { performance } from 'node:perf_hooks'

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, i)]
}

/** ops/s and p50/p99 (µs) from latencies (ms) of `n` operations done in `elapsedMs`. */
export function summarize(latMs, elapsedMs, { perOp = 1 } = {}) {
  const sorted = Float64Array.from(latMs).sort()
  return {
    ops: Math.round((latMs.length * perOp * 1000) / elapsedMs),
    p50_us: Math.round(percentile(sorted, 50) * 1000),
    p99_us: Math.round(percentile(sorted, 99) * 1000),
    n: latMs.length * perOp,
  }
}

async function runWorkers(op, inflight, shouldGo, lat) {
  const worker = async () => {
    while (shouldGo()) {
      const t = performance.now()
      await op()
      lat?.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: inflight }, worker))
}

/**
 * `inflight` concurrent callers of `op` (each awaits its call before the next): `warmup` calls
 * unmeasured, then as many as fit in `durMs`. `perOp` = records acknowledged per call (batches).
 */
export async function closedLoop(
  op,
  { inflight = 1, warmup = 200, durMs = 3000, perOp = 1, raw = false } = {},
) {
  let left = warmup
  await runWorkers(op, inflight, () => left-- > 0)
  const lat = []
  const t0 = performance.now()
  const end = t0 + durMs
  await runWorkers(op, inflight, () => performance.now() < end, lat)
  const elapsed = performance.now() - t0
  return {
    ...summarize(lat, elapsed, { perOp }),
    ...(raw ? { lat, elapsed_ms: elapsed, per_op: perOp } : {}),
  }
}

/** one result from slices of the same case run at different times (raw latencies merged) */
export function mergeSlices(slices) {
  const lat = slices.flatMap((s) => s.lat)
  const elapsed = slices.reduce((t, s) => t + s.elapsed_ms, 0)
  const n = slices.reduce((t, s) => t + s.n, 0)
  const merged = summarize(lat, elapsed, { perOp: slices[0].per_op })
  const weighted = (k) => {
    const have = slices.filter((s) => Number.isFinite(s[k]))
    if (!have.length) return undefined
    const w = have.reduce((t, s) => t + s.n, 0)
    return have.reduce((t, s) => t + s[k] * s.n, 0) / w
  }
  const cpu = weighted('cpu_us')
  const others = Math.max(...slices.map((s) => s.others_cpu ?? 0))
  return {
    ...merged,
    n,
    slices: slices.length,
    ...(slices[0].batch ? { batch: slices[0].batch } : {}),
    ...(cpu !== undefined ? { cpu_us: Math.round(cpu) } : {}),
    others_cpu: others,
  }
}

/** Writes `count` records through `put(i)` with `inflight` callers (loading, not measured). */
export async function load(put, count, inflight = 64) {
  let next = 0
  await runWorkers(
    () => put(next++),
    inflight,
    () => next < count,
  )
}

/**
 * put→watch latency, 1 put in flight: time from the put call until the watcher saw that key.
 * `watch(prefix, onKey)` resolves to a cancel function once the watch is established.
 */
export async function watchLatency(adapter, { prefix, nextKey, value, warmup = 50, durMs = 3000 }) {
  const waiting = new Map()
  const cancel = await adapter.watch(prefix, (key) => {
    const resolve = waiting.get(key)
    if (!resolve) return
    waiting.delete(key)
    resolve(performance.now())
  })
  const lat = []
  const ack = []
  const once = async (measure) => {
    const key = nextKey()
    const seen = new Promise((resolve) => waiting.set(key, resolve))
    const t = performance.now()
    await adapter.put(key, value())
    const acked = performance.now()
    const at = await seen
    if (!measure) return
    lat.push(at - t)
    ack.push(acked - t)
  }
  for (let i = 0; i < warmup; i++) await once(false)
  const t0 = performance.now()
  while (performance.now() < t0 + durMs) await once(true)
  await cancel()
  const events = summarize(lat, performance.now() - t0)
  const put50 = percentile(Float64Array.from(ack).sort(), 50)
  return { ...events, put_p50_us: Math.round(put50 * 1000) }
}
