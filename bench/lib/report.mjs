// Turns the results into the table, the goal lines and the flat JSON line (printed last).
// results = { shoal, etcd, sqlite: { put_1|put_16|put_64|range|watch: {ops, p50_us, p99_us, …} },
//             replay: { s, rss_mb, … } }; a missing peer is undefined.
const PEERS = ['shoal', 'etcd', 'sqlite']
const CASES = ['put_1', 'put_16', 'put_64', 'range', 'watch']

const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a')
const lat = (us) =>
  !Number.isFinite(us) ? 'n/a' : us < 1000 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(2)} ms`
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : undefined)
const times = (r) => (r === undefined ? 'n/a' : `${r < 10 ? r.toFixed(2) : r.toFixed(1)}×`)

export function replayLabel(n) {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n)
}

/** Flat JSON: <peer>_<case>_<metric>, ratio_<case>_<metric> (Shoal ÷ etcd), goal_* booleans. */
export function flatten(results, meta) {
  const out = { ...meta }
  for (const peer of PEERS) {
    for (const c of CASES) {
      const r = results[peer]?.[c]
      const name = c === 'range' ? `range_${meta.range_keys}` : c
      for (const [k, v] of Object.entries(r ?? {})) out[`${peer}_${name}_${k}`] = v
    }
  }
  for (const c of CASES) {
    const name = c === 'range' ? `range_${meta.range_keys}` : c
    for (const m of ['ops', 'p50_us', 'p99_us']) {
      const r = ratio(results.shoal?.[c]?.[m], results.etcd?.[c]?.[m])
      out[`ratio_${name}_${m.replace('_us', '')}`] = r === undefined ? null : Number(r.toFixed(3))
    }
  }
  const rl = `replay_${replayLabel(meta.replay_n)}`
  for (const [k, v] of Object.entries(results.replay ?? {})) out[`shoal_${rl}_${k}`] = v
  for (const g of goals(results)) out[g.key] = g.pass
  return out
}

export function goals(results) {
  const s = results.shoal ?? {}
  const e = results.etcd ?? {}
  const rp = results.replay ?? {}
  const check = (value, pass) => (value === undefined ? null : pass(value))
  const g = (key, text, value, shown, pass) => ({ key, text, shown, pass: check(value, pass) })
  const r1 = ratio(s.put_1?.ops, e.put_1?.ops)
  const r64 = ratio(s.put_64?.ops, e.put_64?.ops)
  const p99 = ratio(s.put_64?.p99_us, e.put_64?.p99_us)
  return [
    g('goal_put_1_ops_4x', 'puts/s at 1 in flight ≥ 4× etcd', r1, times(r1), (v) => v >= 4),
    g('goal_put_64_ops_10x', 'puts/s at 64 in flight ≥ 10× etcd', r64, times(r64), (v) => v >= 10),
    g('goal_put_64_p99_5x', 'p99 at 64 in flight ≤ 1/5 of etcd', p99, times(p99), (v) => v <= 0.2),
    g(
      'goal_replay_s',
      'replay ≤ 0.5 s',
      rp.s,
      rp.s === undefined ? 'n/a' : `${rp.s.toFixed(3)} s`,
      (v) => v <= 0.5,
    ),
    g(
      'goal_replay_rss',
      'replay peak RSS ≤ 250 MB',
      rp.rss_mb,
      rp.rss_mb === undefined ? 'n/a' : `${rp.rss_mb} MB`,
      (v) => v <= 250,
    ),
  ]
}

function rowsFor(results, meta) {
  const rows = []
  const add = (label, c, m, fmt, note = () => '') => {
    const cells = PEERS.map((p) => {
      const v = results[p]?.[c]?.[m]
      if (v !== undefined) return fmt(v) + note(p, c)
      return (results[p] ? results[p][`${c}_note`] : results[`${p}_note`]) ?? 'n/a'
    })
    rows.push([label, ...cells, times(ratio(results.shoal?.[c]?.[m], results.etcd?.[c]?.[m]))])
  }
  const batchNote = (p, c) => (results[p]?.[c]?.batch ? ` (${results[p][c].batch}/txn)` : '')
  for (const n of [1, 16, 64]) {
    add(`put, ${n} in flight: ops/s`, `put_${n}`, 'ops', int, batchNote)
    add('  p50', `put_${n}`, 'p50_us', lat)
    add('  p99', `put_${n}`, 'p99_us', lat)
    add('  CPU per put (bench + etcd)', `put_${n}`, 'cpu_us', lat)
  }
  add(`range ${int(meta.range_keys)} keys: ranges/s`, 'range', 'ops', int)
  add('  p50', 'range', 'p50_us', lat)
  add('  p99', 'range', 'p99_us', lat)
  add('put→watch event: p50', 'watch', 'p50_us', lat)
  add('  p99', 'watch', 'p99_us', lat)
  const busiest = (p) => Math.max(...CASES.map((c) => results[p][c]?.others_cpu ?? 0))
  rows.push([
    'other processes, busiest case',
    ...PEERS.map((p) => (results[p] ? `${busiest(p).toFixed(2)} CPU` : '')),
    '',
  ])
  const rp = results.replay
  const rl = replayLabel(meta.replay_n)
  rows.push([
    `replay ${rl} × 1 KiB: open→ready`,
    rp ? `${rp.s.toFixed(3)} s` : (results.replay_note ?? 'n/a'),
    '',
    '',
    '',
  ])
  if (rp?.s_each?.length > 1)
    rows.push([
      `  each of ${rp.s_each.length} fresh opens (median above)`,
      rp.s_each.map((x) => x.toFixed(3)).join(' / '),
      '',
      '',
      '',
    ])
  rows.push(['  peak RSS', rp ? `${rp.rss_mb} MB (bare ${rp.baseline_rss_mb})` : 'n/a', '', '', ''])
  return rows
}

export function table(results, meta) {
  const head = ['case', 'Shoal', 'etcd', 'SQLite (kine)', 'Shoal/etcd']
  const rows = [head, ...rowsFor(results, meta)]
  const width = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  const line = (r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(' | ')
  const sep = width.map((w) => '-'.repeat(w)).join('-|-')
  return [line(head), sep, ...rows.slice(1).map(line)].join('\n')
}

export function goalLines(results) {
  const mark = (pass) => (pass === null ? '  n/a' : pass ? ' PASS' : ' FAIL')
  return goals(results)
    .map((g) => `${mark(g.pass)}  ${g.text.padEnd(36)} ${g.shown}`)
    .join('\n')
}
