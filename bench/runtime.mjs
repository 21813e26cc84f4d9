// wasm-runtime: cold start, warm start, request latency and throughput, memory per idle instance
// and instances per GiB, for the JS image (hello-http, StarlingMonkey) and the small image
// (hello-wat), against the same work done by a plain Node child process (`node -e` HTTP server)
// in the same run. Also the fuel calibration (spinner: fuel units per ms).
// Run: node --import tsx bench/runtime.mjs   (re-executes itself under tsx when started without it)
// Env: DUR=2 s per load case · IDLE_SMALL=300 · IDLE_JS=30 · WARM_N=20 · BENCH_TMP=<dir>
// Progress goes to stderr; stdout gets the table, the goals and, last, one JSON line.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
if (!process.execArgv.join(' ').includes('tsx')) {
  process.exit(
    spawnSync(
      process.execPath,
      ['--import', 'tsx', ...process.execArgv, self, ...process.argv.slice(2)],
      { stdio: 'inherit' },
    ).status ?? 1,
  )
}

const root = join(self, '../..')
const { createRuntime } = await import('../src/wasm-runtime/index.ts')
const { defaultFuelPerMs } = await import('../src/wasm-runtime/fuel-budget.ts')
const cfg = {
  durMs: Number(process.env.DUR ?? 2) * 1000,
  idleSmall: Number(process.env.IDLE_SMALL ?? 300),
  idleJs: Number(process.env.IDLE_JS ?? 30),
  warmN: Number(process.env.WARM_N ?? 20),
  tmp: mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-rt-')),
}
const log = (msg) => process.stderr.write(`# ${msg}\n`)
const GiB = 1024 ** 3
const apps = { js: 'hello-http', small: 'hello-wat' }
const kinds = { js: 'http', small: 'handler' }

function images() {
  const dir = join(root, 'firmware-images/.build')
  if (!existsSync(join(dir, 'index.json')))
    spawnSync('npm', ['run', 'images'], { cwd: root, stdio: 'inherit' })
  const image = (app) => ({
    digest: JSON.parse(readFileSync(join(dir, `${app}.json`), 'utf8')).digest,
    path: join(dir, `${app}.wasm`),
  })
  return Object.fromEntries(['hello-http', 'hello-wat', 'spinner'].map((a) => [a, image(a)]))
}

const spec = (img, id, app, more = {}) => ({
  id,
  image: img[app],
  kind: app === 'spinner' ? 'command' : kinds[app === apps.js ? 'js' : 'small'],
  env: { POD_NAME: id },
  args: [],
  volumes: [],
  network: false,
  limits: {},
  ...more,
})
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

function request(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body ? 'POST' : 'GET', agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function firstResponse(url, body, timeoutMs = 20_000) {
  for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 2))) {
    try {
      if ((await request(url, body)) === 200) return
    } catch (error) {
      if (Date.now() > end) throw error
    }
  }
}

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]
const median = (xs) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  )

/** Closed-loop keep-alive load: `concurrency` requests in flight for durMs. */
async function load(url, body, concurrency, durMs = cfg.durMs) {
  const lat = []
  const end = performance.now() + durMs
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now()
      await request(url, body)
      lat.push(performance.now() - t)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, loop))
  const secs = (performance.now() - t0) / 1000
  lat.sort((a, b) => a - b)
  return { p50: pct(lat, 50), p99: pct(lat, 99), rps: lat.length / secs }
}

// --- plain Node child process doing the same work ------------------------------------------------
const nodeServers = {
  js: `require('http').createServer((q,s)=>{const b=JSON.stringify({message:'hello from shoal',pod:process.env.POD_NAME??null,method:q.method,path:q.url,env:{POD_NAME:process.env.POD_NAME}})+'\\n';s.writeHead(200,{'content-type':'application/json','content-length':Buffer.byteLength(b)});s.end(b)}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})`,
  small: `require('http').createServer((q,s)=>{const c=[];q.on('data',d=>c.push(d));q.on('end',()=>{const b=Buffer.concat([Buffer.from('hello from wat: '),...c]);s.writeHead(200,{'content-length':b.length});s.end(b)})}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})`,
}

async function nodeChild(which) {
  const t0 = performance.now()
  const child = spawn(process.execPath, ['-e', nodeServers[which]], {
    env: { POD_NAME: 'node-child', PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise((resolve) =>
    child.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
  )
  const url = `http://127.0.0.1:${port}/`
  await firstResponse(url, which === 'small' ? 'x' : undefined)
  const startMs = performance.now() - t0
  const rss =
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024
  return { url, startMs, rss, stop: () => child.kill() }
}

// --- cold start: a child process with a fresh cache measures start() → first response ----------
if (process.argv[2] === '--cold') {
  const [, , , app, cacheDir] = process.argv
  const img = images()
  const rt = createRuntime({ cacheDir, logDir: join(cacheDir, 'logs') })
  const t0 = performance.now()
  await rt.start(spec(img, 'cold', app))
  await firstResponse(rt.url('cold'), app === apps.small ? 'x' : undefined)
  console.log(JSON.stringify({ ms: performance.now() - t0 }))
  await rt.close()
  process.exit(0)
}

function coldStart(app) {
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', self, '--cold', app, mkdtempSync(join(cfg.tmp, 'cold-'))],
    { encoding: 'utf8' },
  )
  return JSON.parse(out.stdout.trim().split('\n').pop()).ms
}

async function warmStart(rt, img, app, n) {
  await rt.start(spec(img, `prime-${app}`, app))
  const times = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await rt.start(spec(img, `warm-${app}-${i}`, app))
    times.push(performance.now() - t)
  }
  for (let i = 0; i < n; i++) await rt.stop(`warm-${app}-${i}`)
  return median(times)
}

async function idleMemory(img, app, n) {
  const rt = createRuntime({ cacheDir: join(cfg.tmp, 'cache'), logDir: join(cfg.tmp, 'logs') })
  await rt.start(spec(img, 'base', app))
  await new Promise((r) => setTimeout(r, 200))
  globalThis.gc?.()
  const before = process.memoryUsage().rss
  for (let i = 0; i < n; i++) await rt.start(spec(img, `idle-${i}`, app))
  await new Promise((r) => setTimeout(r, 300))
  const perInstance = (process.memoryUsage().rss - before) / n
  const linear = (await rt.stats('idle-0')).memoryBytes
  await rt.close()
  return { perInstance, linear }
}

async function calibrateFuel(img) {
  const rt = createRuntime({ cacheDir: join(cfg.tmp, 'cache'), logDir: join(cfg.tmp, 'logs') })
  const rates = []
  for (const ms of [1000, 1000, 1000]) {
    const id = `spin-${rates.length}`
    const done = new Promise((resolve) =>
      rt.onStatus((s) => s.id === id && s.state === 'exited' && resolve(s)),
    )
    await rt.start(spec(img, id, 'spinner', { limits: { requestTimeoutMs: ms } }))
    const s = await done
    rates.push(Math.round((ms * defaultFuelPerMs) / Math.max(1, s.finishedAt - s.startedAt)))
  }
  await rt.close()
  return { firstRun: rates[0], later: median(rates.slice(1)), configured: defaultFuelPerMs }
}

async function main() {
  const img = images()
  const r = { js: {}, small: {}, nodeJs: {}, nodeSmall: {} }
  for (const [which, app] of Object.entries(apps)) {
    log(`cold start ${app}`)
    r[which].coldMs = median([coldStart(app), coldStart(app)])
  }
  const rt = createRuntime({ cacheDir: join(cfg.tmp, 'cache'), logDir: join(cfg.tmp, 'logs') })
  for (const [which, app] of Object.entries(apps)) {
    log(`warm start ${app}`)
    r[which].warmMs = await warmStart(
      rt,
      img,
      app,
      which === 'js' ? Math.min(cfg.warmN, 10) : cfg.warmN,
    )
    log(`load ${app}`)
    const url = rt.url(`prime-${app}`)
    const body = which === 'small' ? 'ping' : undefined
    Object.assign(r[which], { c1: await load(url, body, 1), c8: await load(url, body, 8) })
  }
  await rt.close()
  for (const which of ['js', 'small']) {
    log(`node child process (${which})`)
    const child = await nodeChild(which)
    const body = which === 'small' ? 'ping' : undefined
    r[which === 'js' ? 'nodeJs' : 'nodeSmall'] = {
      coldMs: child.startMs,
      warmMs: child.startMs,
      perInstance: child.rss,
      c1: await load(child.url, body, 1),
      c8: await load(child.url, body, 8),
    }
    child.stop()
  }
  for (const [which, app] of Object.entries(apps)) {
    log(`idle memory ${app}`)
    Object.assign(r[which], await idleMemory(img, app, which === 'js' ? cfg.idleJs : cfg.idleSmall))
  }
  log('fuel calibration (spinner)')
  r.fuel = await calibrateFuel(img)
  return r
}

function report(r) {
  const perGiB = (x) => Math.floor(GiB / x.perInstance)
  const f1 = (x) => x.toFixed(1)
  const rows = [
    ['cold start → first response (ms)', (x) => f1(x.coldMs)],
    ['warm start → ready (ms)', (x) => f1(x.warmMs)],
    ['latency c=1 p50 / p99 (ms)', (x) => `${x.c1.p50.toFixed(2)} / ${x.c1.p99.toFixed(2)}`],
    ['throughput c=1 / c=8 (req/s)', (x) => `${Math.round(x.c1.rps)} / ${Math.round(x.c8.rps)}`],
    ['memory per idle instance (MiB)', (x) => (x.perInstance / 1048576).toFixed(2)],
    ['idle instances per GiB', (x) => String(perGiB(x))],
  ]
  const cols = [
    ['JS wasm', r.js],
    ['JS node', r.nodeJs],
    ['small wasm', r.small],
    ['small node', r.nodeSmall],
  ]
  const lines = [
    ['', ...cols.map(([n]) => n)],
    ...rows.map(([label, fn]) => [label, ...cols.map(([, x]) => fn(x))]),
  ]
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)))
  for (const l of lines)
    console.log(l.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '))
  const ratio = (a, b) => (a / b).toFixed(2)
  console.log(
    `\nratios wasm / node child: warm start JS ${ratio(r.js.warmMs, r.nodeJs.warmMs)}, small ${ratio(r.small.warmMs, r.nodeSmall.warmMs)}; ` +
      `memory JS ${ratio(r.js.perInstance, r.nodeJs.perInstance)}, small ${ratio(r.small.perInstance, r.nodeSmall.perInstance)}; ` +
      `c=1 p50 JS ${ratio(r.js.c1.p50, r.nodeJs.c1.p50)}, small ${ratio(r.small.c1.p50, r.nodeSmall.c1.p50)}`,
  )
  console.log(
    `fuel: ${r.fuel.firstRun} units/ms on a first (baseline-tier) run, ${r.fuel.later} later; configured ${r.fuel.configured}`,
  )
  const goals = [
    ['warm start small ≤ 10 ms', r.small.warmMs <= 10, `${f1(r.small.warmMs)} ms`],
    ['warm start JS ≤ 150 ms', r.js.warmMs <= 150, `${f1(r.js.warmMs)} ms`],
    ['≥ 200 idle small-image instances per GiB', perGiB(r.small) >= 200, `${perGiB(r.small)}`],
  ]
  console.log('')
  for (const [goal, ok, got] of goals) console.log(`${ok ? 'PASS' : 'FAIL'}  ${goal}  (${got})`)
  const flat = {
    machine: `${os.cpus().length} cpu, ${(os.totalmem() / GiB).toFixed(0)} GiB, node ${process.version}`,
    ...r,
    goals: Object.fromEntries(goals.map(([g, ok]) => [g, ok])),
  }
  console.log(JSON.stringify(flat))
}

try {
  report(await main())
} finally {
  rmSync(cfg.tmp, { recursive: true, force: true })
}
process.exit(0)
