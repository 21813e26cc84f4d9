// Median of several bench runs, per figure, keeping only the cases that ran while other processes
// stayed under MAX_OTHERS CPU (default 0.2). On a shared box, run the bench a few times:
//   for i in 1 2 3; do node --import tsx bench/store.mjs | tail -1; done > runs.jsonl
//   node bench/lib/summarize.mjs runs.jsonl
import { readFileSync } from 'node:fs'

const maxOthers = Number(process.env.MAX_OTHERS ?? 0.2)
const runs = readFileSync(process.argv[2] ?? 0, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l))

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
// shoal_put_64_p99_us → case prefix shoal_put_64, whose noise is shoal_put_64_others_cpu
const caseOf = (key) => /^((?:shoal|etcd|sqlite)_(?:put_\d+|range_\d+|watch))_/.exec(key)?.[1]

const out = {}
const keys = new Set(runs.flatMap((r) => Object.keys(r)))
for (const key of keys) {
  if (
    !runs.some((r) => typeof r[key] === 'number') ||
    key.endsWith('_others_cpu') ||
    key.startsWith('ratio_')
  )
    continue
  const c = caseOf(key)
  const quiet = runs
    .filter((r) => typeof r[key] === 'number' && (!c || (r[`${c}_others_cpu`] ?? 0) <= maxOthers))
    .map((r) => r[key])
  out[key] = quiet.length ? median(quiet) : null
  if (c)
    out[`${c}_quiet_runs`] = runs.filter(
      (r) => (r[`${c}_others_cpu`] ?? Infinity) <= maxOthers,
    ).length
}
for (const key of Object.keys(out)) {
  const m = /^shoal_(.+)_(ops|p50_us|p99_us)$/.exec(key)
  const etcd = m && out[`etcd_${m[1]}_${m[2]}`]
  if (m && etcd && out[key] !== null)
    out[`ratio_${m[1]}_${m[2].replace('_us', '')}`] = Number((out[key] / etcd).toFixed(3))
}
console.log(`${runs.length} runs; medians over cases with other processes ≤ ${maxOthers} CPU`)
console.log(JSON.stringify(out))
