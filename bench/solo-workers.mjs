// wasm-runtime: the cost of a solo worker — an instance that may wait in a host call (sleeper)
// gets a worker thread of its own — against the same small image served from the shared worker
// (hello-wat, no waiting imports) in the same run: warm start (compiled → ready) and RSS per
// extra instance; also hello-http (StarlingMonkey, solo since it imports poll and outgoing HTTP).
// Run: node --import tsx bench/solo-workers.mjs   Env: N=8 (instances of each), BENCH_TMP=<dir>
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '../..')
const { createRuntime } = await import('../src/wasm-runtime/index.ts')
const n = Number(process.env.N ?? 8)
const dir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'shoal-solo-'))
const runtime = createRuntime({ cacheDir: join(dir, 'c'), logDir: join(dir, 'l'), soloWorkers: 64 })
const image = (app) => ({
  digest: JSON.parse(readFileSync(join(root, `firmware-images/.build/${app}.json`), 'utf8')).digest,
  path: join(root, `firmware-images/.build/${app}.wasm`),
})
const spec = (id, app, kind) => ({
  id,
  image: image(app),
  kind,
  env: {},
  args: [],
  volumes: [],
  network: false,
  limits: {},
})
const settle = async () => {
  global.gc?.()
  await new Promise((r) => setTimeout(r, 500))
  return process.memoryUsage().rss
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function series(app, kind) {
  await runtime.start(spec(`${app}-warm`, app, kind)) // compiled once, first worker made
  const before = await settle()
  const times = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await runtime.start(spec(`${app}-${i}`, app, kind))
    times.push(performance.now() - t)
  }
  const rssPer = ((await settle()) - before) / n / 1048576
  return { app, startP50: median(times), startMax: Math.max(...times), rssPerMiB: rssPer }
}

const rows = [
  await series('hello-wat', 'handler'),
  await series('sleeper', 'handler'),
  await series('hello-http', 'http'),
]
for (const r of rows)
  console.log(
    `${r.app.padEnd(11)} warm start p50 ${r.startP50.toFixed(1)} ms (max ${r.startMax.toFixed(1)}), RSS per extra instance ${r.rssPerMiB.toFixed(1)} MiB`,
  )
const [shared, solo] = rows
console.log(
  `solo/shared: start ${(solo.startP50 / shared.startP50).toFixed(0)}×, RSS +${(solo.rssPerMiB - shared.rssPerMiB).toFixed(1)} MiB per instance`,
)
console.log(JSON.stringify(rows))
await runtime.close()
rmSync(dir, { recursive: true, force: true })
