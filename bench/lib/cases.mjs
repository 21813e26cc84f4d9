// The measured cases, run the same way against every peer adapter (see peer-etcd.mjs):
// a range over 1,000 of `rangeTotal` keys, put→watch latency, then puts at 1, 16 and 64 in flight.
import { podKey, podValue } from './pod.mjs'
import { closedLoop, load, mergeSlices, watchLatency } from './measure.mjs'
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
  if (got !== cfg.rangeKeys)
    throw new Error(`bench: ${adapter.name} range returned ${got} keys, want ${cfg.rangeKeys}`)
  return closedLoop(() => adapter.range(RANGE_PREFIX), { warmup: 20, durMs: cfg.durMs })
}

function putCase(adapter, inflight, { nextKey, cfg, durMs = cfg.durMs, raw = false }) {
  const opts = { warmup: cfg.warmup, durMs, raw }
  if (inflight === 1 || !adapter.putBatch) {
    return closedLoop(() => adapter.put(nextKey(), podValue()), { ...opts, inflight })
  }
  // A synchronous peer (SQLite): `inflight` INSERTs per transaction, its form of group commit.
  const batch = () =>
    adapter.putBatch(Array.from({ length: inflight }, () => [nextKey(), podValue()]))
  return closedLoop(batch, {
    ...opts,
    warmup: Math.ceil(cfg.warmup / inflight),
    perOp: inflight,
  }).then((r) => ({ ...r, batch: inflight }))
}

/** the cases before the puts: range fixture, range, put→watch (`cfg.pids`: the peer's server processes) */
export async function readCases(adapter, cfg) {
  const r = {}
  const noisy = (fn) => withNoise(fn, cfg.pids ?? [])
  const log = cfg.log
  log(`${adapter.name}: loading ${cfg.rangeTotal.toLocaleString('en-US')} keys for the range case`)
  await fillRangeFixture(adapter, cfg)
  r.range = await noisy(() => rangeCase(adapter, cfg))
  log(`${adapter.name} range ${cfg.rangeKeys}: ${fmt(r.range)}`)
  if (adapter.watch) {
    let w = 0
    const opts = {
      prefix: '/registry/pods/watch/',
      nextKey: () => podKey('watch', w++),
      value: podValue,
      durMs: cfg.durMs,
    }
    r.watch = await noisy(() => watchLatency(adapter, opts))
    log(
      `${adapter.name} put→watch: p50 ${r.watch.p50_us} µs p99 ${r.watch.p99_us} µs (put ack p50 ${r.watch.put_p50_us} µs; other processes: ${r.watch.others_cpu} CPU)`,
    )
  }
  return r
}

export async function benchCases(adapter, cfg) {
  const r = await readCases(adapter, cfg)
  const noisy = (fn) => withNoise(fn, cfg.pids ?? [])
  const log = cfg.log
  let seq = 0
  const nextKey = () => podKey('default', seq++)
  for (const n of [1, 16, 64]) {
    r[`put_${n}`] = await noisy(() => putCase(adapter, n, { nextKey, cfg }))
    log(
      `${adapter.name} put ${n} in flight${r[`put_${n}`].batch ? ` (${n}/txn)` : ''}: ${fmt(r[`put_${n}`])}`,
    )
  }
  return r
}

/**
 * The put cases for several peers at once, interleaved: each case is run in `rounds` slices per
 * peer, the peers taking turns (the order rotating each round), and each peer's slices merged.
 * On a VM whose disk changes speed from one minute to the next, peers measured minutes apart are
 * measured on different disks; taking turns gives each the same mix. `peers`: [{ adapter, pids }].
 */
export async function interleavedPuts(peers, cfg, rounds = 3) {
  const seqs = peers.map(() => 0)
  const out = peers.map(() => ({}))
  for (const n of [1, 16, 64]) {
    const slices = peers.map(() => [])
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < peers.length; k++) {
        const i = (k + round) % peers.length
        const { adapter, pids = [] } = peers[i]
        const nextKey = () => podKey('default', seqs[i]++)
        slices[i].push(
          await withNoise(
            () => putCase(adapter, n, { nextKey, cfg, durMs: cfg.durMs / rounds, raw: true }),
            pids,
          ),
        )
      }
    }
    for (let i = 0; i < peers.length; i++) {
      const r = (out[i][`put_${n}`] = mergeSlices(slices[i]))
      cfg.log(
        `${peers[i].adapter.name} put ${n} in flight${r.batch ? ` (${n}/txn)` : ''}, ${rounds} slices taking turns: ${fmt(r)}`,
      )
    }
  }
  return out
}
