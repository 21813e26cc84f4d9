// Child process of the replay bench; run as `node --import tsx bench/lib/replay-child.mjs <cmd>`.
//   write <dir> <n>  fill a new store with n new keys × ~1 KiB (256 puts in flight), close it
//   open <dir>       time openLogStore() until it resolves, then read peak RSS (fresh process)
//   baseline         peak RSS of a process that only imported the store (node + tsx + module)
// Prints one JSON line on stdout.
import { performance } from 'node:perf_hooks'
import { importStore } from './peer-shoal.mjs'
import { podKey, podValue } from './pod.mjs'
import { load } from './measure.mjs'

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024)

async function write(mod, dir, n) {
  const store = await mod.openLogStore({ dir })
  const t0 = performance.now()
  await load((i) => store.put(podKey('default', i), podValue()), n, 256)
  const s = (performance.now() - t0) / 1000
  const revision = store.revision
  await store.close()
  return { written: n, write_s: s, revision }
}

async function open(mod, dir) {
  const t0 = performance.now()
  const store = await mod.openLogStore({ dir })
  const s = (performance.now() - t0) / 1000
  const rss = peakRssMb()
  const { count } = await store.range({ prefix: '/registry/pods/default/' }, { countOnly: true })
  const revision = store.revision
  await store.close()
  return { open_s: s, rss_mb: rss, revision, count }
}

const [cmd, dir, n] = process.argv.slice(2)
const mod = await importStore()
let out
if (mod.missing) out = { error: mod.missing }
else if (cmd === 'write') out = await write(mod, dir, Number(n))
else if (cmd === 'open') out = await open(mod, dir)
else if (cmd === 'baseline') out = { rss_mb: peakRssMb() }
else out = { error: `unknown command ${cmd}` }
process.stdout.write(JSON.stringify(out) + '\n')
process.exitCode = out.error ? 1 : 0
