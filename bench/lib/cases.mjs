// The measured cases, run the same way against every peer adapter (see peer-etcd.mjs):
// a range over 1,000 of `rangeTotal` keys, put→watch latency, then puts at 1, 16 and 64 in flight.
import { podKey, podValue } from './pod.mjs'
import { closedLoop, load, watchLatency } from './measure.mjs'
import { withNoise } from './noise.mjs'

const RANGE_PREFIX = '/registry/pods/range/'
const fmt = (r) =>
  `${r.ops.toLocaleString('en-US')}/s p50 ${r.p50_us} µs p99 ${r.p99_us} µs (CPU ${r.cpu_us} µs/op; other processes: ${r.others_cpu} CPU)`

/** The range fixture: 1,000 keys under RANGE_PREFIX, the rest in namespaces sorting before and after it. */
async function fillRangeFixture(adapter, cfg) {
  const keyOf = (i) =>
    i < cfg.rangeKeys ? podKey('range', i) : podKey(i % 2 ? 'a-others' : 'z-others', i)
  if (!adapter.putBatch) return load((i) => adapter.put(keyOf(i), podValue()), cfg.rangeTotal, 64)
  for (let i = 0; i < cfg.rangeTotal; i += 500) {
    const n = Math.min(500, cfg.rangeTotal - i)
    adapter.putBatch(Array.from({ length: n }, (_, j) => [keyOf(i + j), podValue()]))
  }
}

async function rangeCase(adapter, cfg) {
  const got = await adapter.range(RANGE_PREFIX)
  if (got !== cfg.rangeKeys) throw new Error(`bench: ${adapter.name} range returned ${got} keys, want ${cfg.rangeKeys}`)
  return closedLoop(() => adapter.range(RANGE_PREFIX), { warmup: 20, durMs: cfg.durMs })
}

function putCase(adapter, inflight, { nextKey, cfg }) {
  const opts = { warmup: cfg.warmup, durMs: cfg.durMs }
  if (inflight === 1 || !adapter.putBatch) {
    return closedLoop(() => adapter.put(nextKey(), podValue()), { ...opts, inflight })
  }
  // A synchronous peer (SQLite): `inflight` INSERTs per transaction, its form of group commit.
  const batch = () => adapter.putBatch(Array.from({ length: inflight }, () => [nextKey(), podValue()]))
  return closedLoop(batch, { ...opts, warmup: Math.ceil(cfg.warmup / inflight), perOp: inflight })
    .then((r) => ({ ...r, batch: inflight }))
}

export async function benchCases(adapter, cfg) {
  const r = {}
  const noisy = (fn) => withNoise(fn, cfg.pids ?? [])
  const log = cfg.log
  log(`${adapter.name}: loading ${cfg.rangeTotal.toLocaleString('en-US')} keys for the range case`)
  await fillRangeFixture(adapter, cfg)
  r.range = await noisy(() => rangeCase(adapter, cfg))
  log(`${adapter.name} range ${cfg.rangeKeys}: ${fmt(r.range)}`)
  if (adapter.watch) {
    let w = 0
    const opts = { prefix: '/registry/pods/watch/', nextKey: () => podKey('watch', w++), value: podValue, durMs: cfg.durMs }
    r.watch = await noisy(() => watchLatency(adapter, opts))
    log(`${adapter.name} put→watch: p50 ${r.watch.p50_us} µs p99 ${r.watch.p99_us} µs (put ack p50 ${r.watch.put_p50_us} µs; other processes: ${r.watch.others_cpu} CPU)`)
  }
  let seq = 0
  const nextKey = () => podKey('default', seq++)
  for (const n of [1, 16, 64]) {
    r[`put_${n}`] = await noisy(() => putCase(adapter, n, { nextKey, cfg }))
    log(`${adapter.name} put ${n} in flight${r[`put_${n}`].batch ? ` (${n}/txn)` : ''}: ${fmt(r[`put_${n}`])}`)
  }
  return r
}
