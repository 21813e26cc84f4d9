// The node agent as a fleet of three meets it: pod startup (create answered → Running and ready
// seen by a watch) for PODS pods of the small image (hello-wat) created with spec.nodeName over
// 3 agents, beside the runtime's own warm start of the same image in this process, so the
// transport's share is visible; and agent memory (RSS of each agent process, worker threads
// included) idle, with its share of the pods, with 100 small pods on one agent and with 10 JS pods
// (hello-http, componentize-js) on another, beside a bare `node -e` process in the same run.
// All real processes: `shoal plane` (embedded broker) and three `shoal agent`s on loopback.
// Run: node --import tsx bench/agent.mjs   (re-executes itself under tsx when started without it)
// Env: PODS=100 · INFLIGHT=10 creates in flight · WARM_N=20 runtime warm starts · BENCH_TMP=<dir>
//      SHOAL=bundle (default: node dist/shoal.mjs, built first — what a Pi runs) | tsx (the sources
//      under tsx, whose TypeScript loader alone adds ≈ 100 MB to every process)
//      While developing: STARTUP_ONLY=1 (the burst only: no memory phases) · SHOAL_BIN=<a shoal.mjs>
//      (another build, e.g. a worktree of an older commit, for interleaved pairs; not rebuilt) ·
//      CPU_PROF=<dir> (plane and agents under --cpu-prof, every thread; the burst's window printed
//      in monotonic µs, the processes stopped after the burst so the profiles are written)
// Progress goes to stderr; stdout gets the table, the goals and, last, one JSON line.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
if (!process.execArgv.join(' ').includes('tsx')) {
  const args = ['--import', 'tsx', ...process.execArgv, self, ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const root = join(self, '../..')
const main = join(root, 'src/main.ts')
const build = join(root, 'firmware-images/.build')
const PODS = Number(process.env.PODS ?? 100)
const INFLIGHT = Number(process.env.INFLIGHT ?? 10)
const WARM_N = Number(process.env.WARM_N ?? 20)
/** while developing: only the startup burst (no memory phases, no runtime warm start) */
const STARTUP_ONLY = process.env.STARTUP_ONLY === '1'
/** a directory: plane and agents run with --cpu-prof into it, stopped with SIGTERM after the burst */
const CPU_PROF = process.env.CPU_PROF
const tmp = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-agent-'))
const { freePort, meshTestArgs } = await import('../test/e2e/plane-process.ts')
const { percentile } = await import('./lib/measure.mjs')
const progress = (m) => process.stderr.write(`# ${m}\n`)
const children = []

const useBundle = (process.env.SHOAL ?? 'bundle') === 'bundle'
/** another build's shoal.mjs (e.g. a worktree of an older commit, for interleaved pairs): not rebuilt */
const SHOAL_BIN = process.env.SHOAL_BIN
if (useBundle && !SHOAL_BIN)
  spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
const shoal = SHOAL_BIN
  ? [SHOAL_BIN]
  : useBundle
    ? [join(root, 'dist/shoal.mjs')]
    : ['--import', 'tsx', main]

function spawnShoal(args, name) {
  const prof = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF, name)] : []
  const child = spawn(process.execPath, [...prof, ...shoal, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  children.push(child)
  return { child, name, output: () => out }
}

function cli(...args) {
  const r = spawnSync(process.execPath, [...shoal, ...args], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

let planeUrl
let ca
let admin
function https(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${planeUrl}${path}`, {
      method,
      ca,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    })
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function waitFor(what, fn, ms = 120_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** every pod turning Running and ready, by name, as a watch sees it */
function watchReady(rv, onReady) {
  const req = request(`${planeUrl}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${rv}`, {
    ca,
    headers: { authorization: `Bearer ${admin}` },
  })
  req.on('response', (res) => {
    let buf = ''
    res.on('data', (d) => {
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i))
        buf = buf.slice(i + 1)
        const p = ev.object
        if (p?.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready))
          onReady(p.metadata.name, performance.now())
      }
    })
  })
  req.end()
  return () => req.destroy()
}

/** CPU time of a process, its threads included, in ms (/proc: Linux only; NaN elsewhere) */
const cpuMs = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((+fields[11] + +fields[12]) * 1000) / 100 // utime + stime, in USER_HZ (100)
  } catch {
    return NaN
  }
}
const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

const pod = (name, node, image = 'hello-wat:1') =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'main',
          image,
          ...(image.startsWith('hello-http') ? { ports: [{ containerPort: 8080 }] } : {}),
        },
      ],
    },
  })

async function podsOn(node) {
  const r = JSON.parse((await https('GET', '/api/v1/namespaces/default/pods')).text)
  return r.items.filter((p) => p.spec.nodeName === node)
}

/** create pods `name(i)` on `node` (10 in flight) and wait until all are Running and ready */
async function fill(node, names, image) {
  let next = 0
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < names.length) {
        const r = await https(
          'POST',
          '/api/v1/namespaces/default/pods',
          pod(names[next++], node, image),
        )
        if (r.status !== 201) throw new Error(r.text)
      }
    }),
  )
  await waitFor(
    `${names.length} pods Running on ${node}`,
    async () => {
      const mine = new Set(names)
      const up = (await podsOn(node)).filter(
        (p) =>
          mine.has(p.metadata.name) &&
          p.status?.phase === 'Running' &&
          p.status.containerStatuses?.every((c) => c.ready),
      )
      return up.length === names.length
    },
    300_000,
  )
}

async function upload(image) {
  const meta = JSON.parse(readFileSync(join(build, `${image}.json`), 'utf8'))
  await https('PUT', `/images/blobs/${meta.digest}`, readFileSync(join(build, `${image}.wasm`)))
  await https('PUT', `/images/tags/${image}/1`, JSON.stringify({ digest: meta.digest }))
}

async function runtimeWarmStart() {
  const { createRuntime } = await import('../src/wasm-runtime/index.ts')
  const meta = JSON.parse(readFileSync(join(build, 'hello-wat.json'), 'utf8'))
  const rt = await createRuntime({ cacheDir: join(tmp, 'rt-cache'), logDir: join(tmp, 'rt-logs') })
  const spec = (id) => ({
    id,
    image: { digest: meta.digest, path: join(build, 'hello-wat.wasm') },
    kind: 'handler',
    env: {},
    args: [],
    volumes: [],
    network: false,
    limits: { memoryBytes: 64 << 20 },
  })
  await rt.start(spec('cold'))
  const ms = []
  for (let i = 0; i < WARM_N; i++) {
    const t0 = performance.now()
    await rt.start(spec(`w${i}`))
    await waitFor('ready', async () => rt.status(`w${i}`)?.ready, 10_000)
    ms.push(performance.now() - t0)
  }
  await rt.close()
  return ms.sort((a, b) => a - b)
}

async function bench() {
  const planeDir = join(tmp, 'plane')
  const port = await freePort()
  const plane = spawnShoal(
    [
      'plane',
      '--data-dir',
      planeDir,
      '--listen',
      `127.0.0.1:${port}`,
      '--mqtt-listen',
      `127.0.0.1:${await freePort()}`,
    ],
    'plane',
  )
  planeUrl = await waitFor(
    'the plane',
    async () => /shoal plane: serving (\S+)/.exec(plane.output())?.[1],
    30_000,
  )
  ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
  admin = cli('token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'bench')
    .trim()
    .split('\n')
    .at(-1)
    .trim()
  await upload('hello-wat')
  await upload('hello-http')
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'])
  children.push(bare)
  const nodes = ['pi-1', 'pi-2', 'pi-3']
  const agents = nodes.map((name) => {
    const line = cli('token', 'issue', '--data-dir', planeDir, '--role', 'join')
      .split('\n')
      .find((l) => l.includes('--join'))
    const token = /--token (\S+)/.exec(line)[1]
    const hash = /--ca-cert-hash (\S+)/.exec(line)[1]
    const args = [
      'agent',
      '--join',
      planeUrl,
      '--token',
      token,
      '--ca-cert-hash',
      hash,
      '--name',
      name,
      '--data-dir',
      join(tmp, name),
      ...meshTestArgs(), // three agents on one host: each mesh on ports of its own
    ]
    return spawnShoal(args, name)
  })
  progress('waiting for 3 nodes Ready')
  await waitFor('nodes Ready', async () => {
    const r = JSON.parse((await https('GET', '/api/v1/nodes')).text)
    return (
      r.items?.filter((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length === 3
    )
  })
  await new Promise((r) => setTimeout(r, 2000))
  const idle = agents.map((a) => rssMb(a.child.pid))
  const bareIdle = rssMb(bare.pid)
  progress('warm-up: one pod per node (image pulled and compiled there)')
  for (const n of nodes) await https('POST', '/api/v1/namespaces/default/pods', pod(`warm-${n}`, n))
  await waitFor('warm-up Running', async () => {
    const r = JSON.parse((await https('GET', '/api/v1/namespaces/default/pods')).text)
    return r.items.filter((p) => p.status?.phase === 'Running').length === 3
  })
  const list = JSON.parse((await https('GET', '/api/v1/namespaces/default/pods')).text)
  const answered = new Map()
  const ready = new Map()
  const stop = watchReady(list.metadata.resourceVersion, (name, t) => {
    if (!ready.has(name)) ready.set(name, t)
  })
  progress(`creating ${PODS} pods, ${INFLIGHT} in flight`)
  const cpuBefore = [plane, ...agents].map((x) => cpuMs(x.child.pid))
  const benchCpuBefore = cpuMs(process.pid)
  const burstStart = performance.now()
  const hrStart = process.hrtime.bigint() / 1000n
  let next = 0
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < PODS) {
        const i = next++
        const name = `p-${i}`
        const r = await https('POST', '/api/v1/namespaces/default/pods', pod(name, nodes[i % 3]))
        if (r.status !== 201) throw new Error(r.text)
        answered.set(name, performance.now())
      }
    }),
  )
  await waitFor(
    'all Running',
    async () => ready.size >= PODS + 0 && [...answered.keys()].every((n) => ready.has(n)),
    180_000,
  )
  stop()
  const cpuBurst = [plane, ...agents].map((x, i) => cpuMs(x.child.pid) - cpuBefore[i])
  const benchCpu = cpuMs(process.pid) - benchCpuBefore
  const burstMs = performance.now() - burstStart
  if (CPU_PROF)
    progress(`burst window (µs, monotonic): ${hrStart} ${process.hrtime.bigint() / 1000n}`)
  const startup = [...answered].map(([n, t]) => ready.get(n) - t).sort((a, b) => a - b)
  if (STARTUP_ONLY || CPU_PROF) {
    if (CPU_PROF) {
      for (const x of [...agents, plane]) x.child.kill('SIGTERM')
      await Promise.all(
        [...agents, plane].map(
          (x) => x.child.exitCode ?? new Promise((r) => x.child.once('exit', r)),
        ),
      )
    }
    return {
      startup,
      cpuBurst,
      benchCpu,
      burstMs,
      warm: [NaN],
      idle,
      loaded: idle,
      hundred: NaN,
      js: NaN,
      bare: rssMb(bare.pid),
      planeRss: NaN,
    }
  }
  await new Promise((r) => setTimeout(r, 2000))
  const loaded = agents.map((a) => rssMb(a.child.pid))
  const bareLoaded = rssMb(bare.pid)
  progress('100 small pods on pi-1')
  const onOne = (await podsOn('pi-1')).length
  await fill(
    'pi-1',
    Array.from({ length: 100 - onOne }, (_, i) => `one-${i}`),
    'hello-wat:1',
  )
  await new Promise((r) => setTimeout(r, 2000))
  const hundred = rssMb(agents[0].child.pid)
  progress('10 JS pods on pi-2 (its small pods deleted first)')
  for (const p of await podsOn('pi-2'))
    await https('DELETE', `/api/v1/namespaces/default/pods/${p.metadata.name}?gracePeriodSeconds=0`)
  await waitFor('pi-2 empty', async () => (await podsOn('pi-2')).length === 0, 120_000)
  await fill(
    'pi-2',
    Array.from({ length: 10 }, (_, i) => `js-${i}`),
    'hello-http:1',
  )
  await new Promise((r) => setTimeout(r, 2000))
  const js = rssMb(agents[1].child.pid)
  progress('runtime warm start in this process')
  const warm = await runtimeWarmStart()
  return {
    startup,
    cpuBurst,
    benchCpu,
    burstMs,
    warm,
    idle,
    loaded,
    hundred,
    js,
    bare: Math.max(bareIdle, bareLoaded, rssMb(bare.pid)),
    planeRss: rssMb(plane.child.pid),
  }
}

let r
try {
  r = await bench()
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  rmSync(tmp, { recursive: true, force: true })
}
const p = (xs, q) => percentile(xs, q * 100)
const f = (x) => `${x.toFixed(1)}`
const perAgent = PODS / 3
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const out = {
  date: new Date().toISOString(),
  shoal: useBundle ? 'bundle' : 'tsx',
  pods: PODS,
  inflight: INFLIGHT,
  startup_p50_ms: +f(p(r.startup, 0.5)),
  startup_p99_ms: +f(p(r.startup, 0.99)),
  // CPU time over the burst (first create → last pod Running), per pod: the plane's per pod,
  // each agent's per pod of its own (PODS / 3)
  plane_cpu_per_pod_ms: +f(r.cpuBurst[0] / PODS),
  agent_cpu_per_pod_ms: r.cpuBurst.slice(1).map((x) => +f(x / (PODS / 3))),
  // this process (creates over HTTPS, the watch) per pod, and the burst's length
  bench_cpu_per_pod_ms: +f(r.benchCpu / PODS),
  burst_ms: Math.round(r.burstMs),
  runtime_warm_p50_ms: +f(p(r.warm, 0.5)),
  runtime_warm_p99_ms: +f(p(r.warm, 0.99)),
  agent_idle_rss_mb: r.idle.map((x) => +f(x)),
  agent_loaded_rss_mb: r.loaded.map((x) => +f(x)),
  agent_100_small_pods_rss_mb: +f(r.hundred),
  agent_10_js_pods_rss_mb: +f(r.js),
  bare_node_rss_mb: +f(r.bare),
  plane_rss_mb: +f(r.planeRss),
}
console.log(
  `agent bench ${out.date} · ${os.cpus().length} CPU · Node ${process.version} · ${PODS} pods of hello-wat over 3 agents, ${INFLIGHT} creates in flight`,
)
console.log(
  `pod startup (create answered → Running+ready in a watch): p50 ${out.startup_p50_ms} ms · p99 ${out.startup_p99_ms} ms`,
)
console.log(
  `CPU per pod over the burst (${out.burst_ms} ms): plane ${out.plane_cpu_per_pod_ms} ms · agents ${out.agent_cpu_per_pod_ms.join(' / ')} ms · this bench ${out.bench_cpu_per_pod_ms} ms`,
)
console.log(
  `runtime warm start of the same image, in process:        p50 ${out.runtime_warm_p50_ms} ms · p99 ${out.runtime_warm_p99_ms} ms`,
)
console.log(
  `agent RSS idle: ${out.agent_idle_rss_mb.join(' / ')} MB · with ≈ ${Math.round(perAgent)} pods: ${out.agent_loaded_rss_mb.join(' / ')} MB · bare node: ${out.bare_node_rss_mb} MB`,
)
const idleOver = median(r.idle) - r.bare
const loadedOver = median(r.loaded) - r.bare
console.log(
  ` ${out.startup_p99_ms <= 100 ? 'PASS' : 'FAIL'}  pod startup p99 ≤ 100 ms       ${out.startup_p99_ms} ms`,
)
console.log(
  ` ${idleOver <= 25 ? 'PASS' : 'FAIL'}  agent idle ≤ bare + 25 MB       +${f(idleOver)} MB`,
)
console.log(`agent RSS with ${Math.round(perAgent)} small pods: +${f(loadedOver)} MB over bare`)
console.log(
  ` ${r.hundred - r.bare <= 100 ? 'PASS' : 'FAIL'}  100 small pods ≤ bare + 100 MB  +${f(r.hundred - r.bare)} MB`,
)
console.log(
  ` ${r.js - r.bare <= 150 ? 'PASS' : 'FAIL'}  10 JS pods ≤ bare + 150 MB     +${f(r.js - r.bare)} MB`,
)
console.log(JSON.stringify(out))
