// A fleet against one plane (issue 17): NODES simulated agents (bench/lib/fleet-agents.mjs: light
// mqtt.js clients in CHILDREN forked processes answering like agents — hello, desired → applied,
// each pod reported Running, heartbeats every 2 s, stats every 10 s, mesh-applied; they run
// nothing) against one real `shoal plane` process, per variant: the embedded broker (aedes) or
// Mosquitto (`--mqtt`, its files by writeBrokerConfig as `shoal broker-config` writes them), on
// the CBOR log store (etcd: when `shoal plane --store etcd://…` exists). Per run, a fresh data dir:
// - join: the NODES agents connect (their node tokens issued beforehand in this process through
//   the token store `shoal token issue` uses: the join's HTTP round trips are not what is
//   measured) → every Node Ready (API list polled every 0.5 s);
// - heartbeat cost: plane CPU over HB s with the fleet idle minus the plane's CPU alone before the
//   agents came (same length), ÷ the heartbeats in the window (stats every 10 s included), also
//   with the pods;
// - pods: DEPLOYS Deployments of PODS ÷ DEPLOYS replicas created over HTTPS at once → every pod in
//   some agent's desired state (scheduled and sent) → every pod's Running status acknowledged by
//   the plane (written to the store); checked after with one list (phase Running);
// - RSS: plane (and Mosquitto) after the join, peak during the pods, after a 5 s settle;
// - restart: the plane killed -9 and started again: from its spawn until every node's Lease is
//   renewed by the new plane and every Node is Ready (and, per broker, every agent back online
//   and said hello — aedes — or had its desired state sent again — Mosquitto keeps them connected).
// The plane runs with Kubernetes' defaults --node-monitor-grace-period 40s and
// --default-toleration-seconds 300 (Shoal's 5 s / 5 s are for small fleets: a 1,000-node plane
// restart would otherwise evict pods it has not yet heard about).
// Run: node bench/fleet.mjs   (re-executes itself under tsx)
// Env: NODES=1000 · PODS=10000 · DEPLOYS=10 · CHILDREN=4 · RUNS=1 · HB=10 (s) ·
//      VARIANTS=aedes,mosquitto (etcd-aedes, etcd-mosquitto when the plane has --store) ·
//      MOSQUITTO=/usr/sbin/mosquitto · ETCD=/usr/bin/etcd · BENCH_TMP=<dir> · PLANE_LOG=<file> ·
//      PROF=<dir> (the measured plane with --cpu-prof, then stopped with SIGTERM, not -9) · SHOAL=tsx|bundle (npm run build first) ·
//      PLANE_NODE_ARGS='--max-old-space-size=128' (node flags for the plane) ·
//      SHOAL_JS=<a built shoal.mjs> (RSS goals: judge them on a bundle, tsx adds ≈ 60 MB)
// Progress on stderr; stdout: the table, the goals and, last, one JSON line.
import { fork, spawn, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs'
import { Agent, request } from 'node:https'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
if (!process.execArgv.join(' ').includes('tsx')) {
  const args = ['--import', 'tsx', ...process.execArgv, self, ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const root = join(self, '../..')
const env = (k, d) => Number(process.env[k] ?? d)
const NODES = env('NODES', 1000)
const PODS = env('PODS', 10_000)
const DEPLOYS = env('DEPLOYS', 10)
const CHILDREN = env('CHILDREN', 4)
const RUNS = env('RUNS', 1)
const HB = env('HB', 10) * 1000
const HEARTBEAT_MS = 2000
const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto'
const ETCD = process.env.ETCD ?? '/usr/bin/etcd'
const PROF = process.env.PROF
const tmp = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-fleet-'))
const { freePort } = await import('../test/e2e/plane-process.ts')
const { createTokenStore } = await import('../src/plane/index.ts')
const { writeBrokerConfig } = await import('../src/plane/broker-config.ts')
const { passwordLine } = await import('../src/plane/transport/index.ts')
const progress = (m) => process.stderr.write(`# ${new Date().toISOString().slice(11, 19)} ${m}\n`)
const useBundle = process.env.SHOAL === 'bundle'
if (useBundle) spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
// SHOAL_JS: a bundle built before (e.g. a copy of dist/ that another build will not replace
// mid-run); tsx adds ≈ 60 MB to a plane's RSS, so RSS goals are judged on a bundle
const shoal = process.env.SHOAL_JS
  ? [process.env.SHOAL_JS]
  : useBundle
    ? [join(root, 'dist/shoal.mjs')]
    : ['--import', 'tsx', join(root, 'src/main.ts')]
const how = process.env.SHOAL_JS || useBundle ? 'bundle' : 'tsx'
const planeHelp = spawnSync(process.execPath, [...shoal, 'plane', '--help'], { encoding: 'utf8' })
const hasEtcd = /--store/.test(planeHelp.stdout + planeHelp.stderr)
const VARIANTS = (process.env.VARIANTS ?? 'aedes,mosquitto').split(',')
const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 })
const TICK = 1000 / 100 // clock ticks in /proc/<pid>/stat (USER_HZ 100 on Linux)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const rssMb = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
  } catch {
    return NaN
  }
}
/** CPU time (user + system) of a process so far, ms */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) * TICK
}
const load = () => os.loadavg()[0]

/** one run's plane, its ports, CA and admin token */
function api(ctx, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(`https://127.0.0.1:${ctx.apiPort}${path}`, {
      method,
      ca: ctx.ca,
      agent: keepAlive,
      headers: { authorization: `Bearer ${ctx.admin}`, 'content-type': 'application/json' },
    })
    req.on('response', (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}
/** GETs that failed (e.g. 503: the store did not answer in time) while polling; polled again */
let apiErrors = []
async function apiJson(ctx, path) {
  const r = await api(ctx, 'GET', path)
  if (r.status === 503 || r.status === 504) {
    apiErrors.push(`${new Date().toISOString().slice(11, 19)} ${path}: ${r.status}`)
    progress(`GET ${path}: ${r.status} ${r.text.toString().slice(0, 200)}`)
    return { items: [] }
  }
  if (r.status !== 200)
    throw new Error(`GET ${path}: ${r.status} ${r.text.toString().slice(0, 300)}`)
  return JSON.parse(r.text.toString())
}

function startPlane(ctx, { prof = false, init = false } = {}) {
  const name = `${ctx.variant}-${Date.now()}.cpuprofile`
  const cpuProf =
    prof && PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF, '--cpu-prof-name', name] : []
  const nodeArgs = (process.env.PLANE_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const args = [...nodeArgs, ...cpuProf, ...shoal, 'plane', '--data-dir', ctx.dir]
  args.push('--listen', `127.0.0.1:${ctx.apiPort}`)
  args.push('--node-monitor-grace-period', '40s', '--default-toleration-seconds', '300')
  if (ctx.etcdUrl) args.push('--store', ctx.etcdUrl)
  args.push(
    ...(ctx.broker === 'mosquitto' && !init
      ? ['--mqtt', `mqtts://127.0.0.1:${ctx.mosqPort}`]
      : ['--mqtt-listen', `127.0.0.1:${ctx.mqttPort}`]),
  )
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const keep = (d) => {
    out = (out + d).slice(-20_000)
    if (process.env.PLANE_LOG) appendFileSync(process.env.PLANE_LOG, d)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const serving = new Promise((resolve, reject) => {
    child.on('exit', (c, s) => reject(new Error(`plane exited ${c ?? s}:\n${out.slice(-3000)}`)))
    const check = () => (/serving/.test(out) ? resolve(Date.now()) : setTimeout(check, 20))
    check()
  })
  serving.catch(() => undefined)
  return { child, spawnedAt, serving }
}

/** the plane's own account of its memory (/metrics), MB: V8 heap committed and used, external */
async function memoryGauges(ctx) {
  const r = await api(ctx, 'GET', '/metrics')
  const text = r.text.toString()
  const g = (name) => Number(new RegExp(`\\n${name} (\\d+)`).exec(text)?.[1] ?? NaN) / 2 ** 20
  return {
    heapTotal: g('nodejs_heap_size_total_bytes'),
    heapUsed: g('nodejs_heap_size_used_bytes'),
    external: g('nodejs_external_memory_bytes'),
  }
}

// HEAPSNAP=<dir> (with PLANE_NODE_ARGS='--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=<dir>'):
// the settled plane writes a heap snapshot there; waits until the file stops growing
async function heapSnapshot(pid, dir) {
  const before = new Set(readdirSync(dir))
  process.kill(pid, 'SIGUSR2')
  let file
  let size = -1
  for (;;) {
    await sleep(1000)
    file ??= readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'))
    if (!file) continue
    const now = statSync(join(dir, file)).size
    if (now === size && now > 0) break
    size = now
  }
  progress(`heap snapshot: ${join(dir, file)} (${(size / 1e6).toFixed(0)} MB)`)
}

const stop = (child, signal = 'SIGTERM') =>
  new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })

/** the simulated agents: CHILDREN processes, each with its share of the nodes */
function startChildren() {
  const kids = []
  for (let i = 0; i < CHILDREN; i++) {
    const child = fork(join(root, 'bench/lib/fleet-agents.mjs'), [], { execArgv: [] })
    const k = { child, waiting: [], c: {} }
    child.on('message', (m) => {
      if (m.ev === 'counts') k.c = m
      else k.waiting.shift()?.(m)
    })
    kids.push(k)
  }
  return kids
}
const ask = (k, m) =>
  Promise.race([
    new Promise((resolve) => (k.waiting.push(resolve), k.child.send(m))),
    sleep(60_000).then(() => {
      throw new Error(`simulated agents gave no answer to ${m.cmd}`)
    }),
  ])
const total = (kids, key) => kids.reduce((s, k) => s + (k.c[key] ?? 0), 0)

/** the measured plane's process: a wait ends when it exits */
let watched
/** waits for cond() (polled every `every` ms, may be async); the time it first held */
async function until(what, cond, { ms = 600_000, every = 50, status = () => '' } = {}) {
  const end = Date.now() + ms
  for (;;) {
    const gone = watched && (watched.exitCode ?? watched.signalCode)
    if (gone !== null && gone !== undefined)
      throw new Error(`the plane exited (${gone}) while waiting: ${what} ${status()}`)
    if (await cond()) return Date.now()
    if (Date.now() > end) throw new Error(`timed out: ${what} ${status()}`)
    await sleep(every)
  }
}

/** plane CPU (ms of CPU per s of wall time) over `ms` */
async function cpuRate(pid, ms) {
  const c0 = cpuMs(pid)
  const t0 = performance.now()
  await sleep(ms)
  return (cpuMs(pid) - c0) / ((performance.now() - t0) / 1000)
}

const readyNodes = async (ctx) => {
  const list = await apiJson(ctx, '/api/v1/nodes')
  return list.items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length
}
const renewedLeases = async (ctx, since) => {
  const list = await apiJson(ctx, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases')
  return list.items.filter((l) => Date.parse(l.spec?.renewTime ?? 0) >= since).length
}

function deployment(i, replicas) {
  const labels = { app: `fleet-${i}` }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `fleet-${i}`, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'main', image: 'hello-wat:1' }] },
      },
    },
  }
}

async function oneRun(variant, run) {
  const [store, broker] = variant.includes('-') ? variant.split('-') : ['cbor', variant]
  const dir = mkdtempSync(join(tmp, `${variant}-`))
  const ctx = {
    variant,
    broker,
    dir,
    apiPort: await freePort(),
    mqttPort: await freePort(),
    mosqPort: await freePort(),
  }
  const r = { variant, store, broker, run, load1Start: load() }
  apiErrors = []
  let plane
  let mosquitto
  let etcd
  let kids = []
  try {
    if (store === 'etcd') {
      const { startEtcd } = await import('./lib/etcd-server.mjs')
      mkdirSync(join(dir, 'etcd'))
      etcd = await startEtcd({
        bin: ETCD,
        dir: join(dir, 'etcd'),
        clientPort: await freePort(),
        peerPort: await freePort(),
      })
      ctx.etcdUrl = etcd.url.replace(/^http:/, 'etcd:')
    }
    // the data dir's keys and CA, made by a plane once
    plane = startPlane(ctx, { init: true })
    await plane.serving
    await stop(plane.child)
    ctx.ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8')
    const tokens = createTokenStore(dir)
    ctx.admin = tokens.issue({ role: 'admin', user: 'bench' })
    const nodes = Array.from({ length: NODES }, (_, i) => {
      const node = `sim-${i}`
      return [node, tokens.issue({ role: 'node', node })]
    })
    if (broker === 'mosquitto') {
      const { conf } = writeBrokerConfig({
        dataDir: dir,
        listen: { host: '127.0.0.1', port: ctx.mosqPort },
        tls: true,
      })
      const passwd = JSON.parse(readFileSync(join(dir, 'broker.json'), 'utf8')).passwordFile
      appendFileSync(passwd, nodes.map(([n, tok]) => passwordLine(n, tok)).join('\n') + '\n')
      // its log is not read: a pipe left full would block Mosquitto at its next log line
      mosquitto = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
      await sleep(500)
      if (mosquitto.exitCode !== null) throw new Error(`mosquitto exited ${mosquitto.exitCode}`)
    }
    plane = startPlane(ctx, { prof: true })
    watched = plane.child
    await plane.serving
    const pid = plane.child.pid
    const meta = JSON.parse(
      readFileSync(join(root, 'firmware-images/.build/hello-wat.json'), 'utf8'),
    )
    const wasm = readFileSync(join(root, 'firmware-images/.build/hello-wat.wasm'))
    await api(ctx, 'PUT', `/images/blobs/${meta.digest}`, wasm)
    await api(ctx, 'PUT', '/images/tags/hello-wat/1', JSON.stringify({ digest: meta.digest }))
    await sleep(2000)
    r.planeRssIdle = rssMb(pid)
    r.cpuIdle = await cpuRate(pid, HB)

    // join
    kids = startChildren()
    const url =
      broker === 'mosquitto'
        ? `mqtts://127.0.0.1:${ctx.mosqPort}`
        : `mqtts://127.0.0.1:${ctx.mqttPort}`
    const t0 = Date.now()
    await Promise.all(
      kids.map((k, i) =>
        ask(k, {
          cmd: 'connect',
          url,
          ca: ctx.ca,
          heartbeatMs: HEARTBEAT_MS,
          nodes: nodes.filter((_, j) => j % CHILDREN === i),
        }),
      ),
    )
    r.connectedS =
      ((await until('agents connected', () => total(kids, 'connected') >= NODES, {
        status: () => `${total(kids, 'connected')}/${NODES}`,
      })) -
        t0) /
      1000
    let ready = 0
    r.joinS =
      ((await until('nodes Ready', async () => (ready = await readyNodes(ctx)) >= NODES, {
        every: 500,
        status: () => `${ready}/${NODES}`,
      })) -
        t0) /
      1000
    progress(
      `${variant} #${run}: ${NODES} agents connected ${r.connectedS.toFixed(1)} s, Nodes Ready ${r.joinS.toFixed(1)} s`,
    )
    await sleep(5000)
    r.planeRssJoined = rssMb(pid)
    if (mosquitto) r.mosqRssJoined = rssMb(mosquitto.pid)
    r.cpuFleet = await cpuRate(pid, HB)
    const beatsPerS = NODES / (HEARTBEAT_MS / 1000)
    r.hbCpuMsPerBeat = (r.cpuFleet - r.cpuIdle) / beatsPerS
    progress(
      `${variant} #${run}: plane CPU ${r.cpuIdle.toFixed(0)} ms/s alone → ${r.cpuFleet.toFixed(0)} ms/s with the fleet: ${(r.hbCpuMsPerBeat * 1000).toFixed(0)} µs a heartbeat`,
    )

    // pods
    const cpu0 = cpuMs(pid)
    let peak = 0
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250)
    const p0 = Date.now()
    const each = Math.floor(PODS / DEPLOYS)
    await Promise.all(
      Array.from({ length: DEPLOYS }, async (_, i) => {
        const replicas = i === DEPLOYS - 1 ? PODS - each * (DEPLOYS - 1) : each
        const res = await api(
          ctx,
          'POST',
          '/apis/apps/v1/namespaces/default/deployments',
          JSON.stringify(deployment(i, replicas)),
        )
        if (res.status !== 201) throw new Error(`deployment ${i}: ${res.status} ${res.text}`)
      }),
    )
    const st = () =>
      `received ${total(kids, 'received')}, Running acked ${total(kids, 'acked')}/${PODS}`
    r.scheduledS =
      ((await until('pods in desired states', () => total(kids, 'received') >= PODS, {
        status: st,
      })) -
        p0) /
      1000
    r.runningS =
      ((await until('pods Running', () => total(kids, 'acked') >= PODS, { status: st })) - p0) /
      1000
    r.cpuPodsS = (cpuMs(pid) - cpu0) / 1000
    clearInterval(sampler)
    r.planeRssPeak = Math.max(peak, rssMb(pid))
    progress(
      `${variant} #${run}: ${PODS} pods in desired states ${r.scheduledS.toFixed(1)} s, Running ${r.runningS.toFixed(1)} s (plane CPU ${r.cpuPodsS.toFixed(1)} s)`,
    )
    const pods = await apiJson(ctx, '/api/v1/namespaces/default/pods')
    r.podsListed = pods.items.length
    r.podsRunning = pods.items.filter((p) => p.status?.phase === 'Running').length
    await sleep(5000)
    r.planeRss = rssMb(pid)
    if (mosquitto) r.mosqRss = rssMb(mosquitto.pid)
    Object.assign(r, await memoryGauges(ctx))
    if (process.env.HEAPSNAP) await heapSnapshot(pid, process.env.HEAPSNAP)
    r.cpuFleetPods = await cpuRate(pid, HB)
    r.hbCpuMsPerBeatPods = (r.cpuFleetPods - r.cpuIdle) / beatsPerS
    progress(
      `${variant} #${run}: plane RSS ${r.planeRss.toFixed(0)} MB (peak ${r.planeRssPeak.toFixed(0)})${mosquitto ? `, Mosquitto ${r.mosqRss.toFixed(0)} MB` : ''}; ${r.podsRunning}/${r.podsListed} Running listed; ${(r.hbCpuMsPerBeatPods * 1000).toFixed(0)} µs a heartbeat with the pods`,
    )

    // restart
    await Promise.all(kids.map((k) => ask(k, { cmd: 'mark' })))
    // a profiled plane is stopped with SIGTERM: -9 would leave no profile
    await stop(plane.child, PROF ? 'SIGTERM' : 'SIGKILL')
    plane = startPlane(ctx)
    watched = plane.child
    const spawnedAt = plane.spawnedAt
    r.restartServingS = ((await plane.serving) - spawnedAt) / 1000
    let leases = 0
    const settled = async () => {
      leases = await renewedLeases(ctx, spawnedAt)
      if (leases < NODES) return false
      return (ready = await readyNodes(ctx)) >= NODES
    }
    r.restartSettledS =
      ((await until('leases renewed after the restart', settled, {
        every: 250,
        status: () => `${leases} leases renewed, ${ready} Ready`,
      })) -
        spawnedAt) /
      1000
    const again = broker === 'mosquitto' ? 'desired' : 'hellos'
    r.restartAgentsS =
      ((await until(`agents: ${again} after the restart`, () => total(kids, again) >= NODES, {
        ms: 60_000,
        status: () => `${total(kids, again)}/${NODES}`,
      }).catch(() => NaN)) -
        spawnedAt) /
      1000
    r.restartRss = rssMb(plane.child.pid)
    progress(
      `${variant} #${run}: restart: serving ${r.restartServingS.toFixed(1)} s, every Lease renewed and Node Ready ${r.restartSettledS.toFixed(1)} s, agents ${again} ${r.restartAgentsS.toFixed(1)} s`,
    )
    r.load1End = load()
    r.apiErrors = apiErrors
    return r
  } finally {
    watched = undefined
    await Promise.all(kids.map((k) => ask(k, { cmd: 'close' }).catch(() => undefined)))
    for (const k of kids) k.child.kill()
    if (plane) await stop(plane.child, 'SIGKILL')
    if (mosquitto) await stop(mosquitto, 'SIGKILL')
    if (etcd) await etcd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const results = []
const skipped = {}
try {
  for (let run = 0; run < RUNS; run++)
    for (const variant of VARIANTS) {
      if (variant.startsWith('etcd') && !hasEtcd) {
        skipped[variant] = 'shoal plane has no --store (etcd) yet'
        continue
      }
      results.push(await oneRun(variant, run))
      process.stderr.write(`# ${JSON.stringify(results.at(-1))}\n`)
    }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const of = (v, k) =>
  results.filter((r) => r.variant === v && Number.isFinite(r[k])).map((r) => r[k])
const fig = (v, k, d = 1, scale = 1) => {
  if (skipped[v]) return 'n/a'
  const xs = of(v, k).map((x) => x * scale)
  if (!xs.length) return '—'
  const m = med(xs)
  return xs.length > 1
    ? `${m.toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`
    : m.toFixed(d)
}
const rows = [
  ['agents connected (s)', 'connectedS', 1],
  ['every Node Ready (s)', 'joinS', 1],
  [`${PODS} pods: in the agents' desired states (s)`, 'scheduledS', 1],
  [`  Running, acknowledged by the plane (s)`, 'runningS', 1],
  ['  plane CPU meanwhile (s)', 'cpuPodsS', 1],
  ['  listed Running after', 'podsRunning', 0],
  ['plane CPU alone (ms/s)', 'cpuIdle', 0],
  ['  with the fleet heartbeating (ms/s)', 'cpuFleet', 0],
  ['  a heartbeat, no pods (µs of plane CPU)', 'hbCpuMsPerBeat', 0, 1000],
  ['  a heartbeat, with the pods (µs of plane CPU)', 'hbCpuMsPerBeatPods', 0, 1000],
  ['plane RSS just started (MB)', 'planeRssIdle', 0],
  ['  with the fleet joined (MB)', 'planeRssJoined', 0],
  ['  peak while the pods came (MB)', 'planeRssPeak', 0],
  ['  with the fleet and the pods, settled (MB)', 'planeRss', 0],
  ['  of it V8 heap committed (MB)', 'heapTotal', 0],
  ['    used (MB)', 'heapUsed', 0],
  ['    external (MB)', 'external', 0],
  ['Mosquitto RSS with the fleet and the pods (MB)', 'mosqRss', 1],
  ['restart: plane serving (s)', 'restartServingS', 1],
  ['  every Lease renewed and Node Ready (s)', 'restartSettledS', 1],
  ['  every agent hello (aedes) / desired sent again (Mosquitto) (s)', 'restartAgentsS', 1],
  ['  plane RSS then (MB)', 'restartRss', 0],
  ['load average (1 min) at the start', 'load1Start', 1],
]
const shown = VARIANTS
console.log(
  `\nfleet.mjs: ${NODES} simulated agents, ${PODS} pods in ${DEPLOYS} Deployments, ${RUNS} run(s) a variant, the plane from ${how}${process.env.PLANE_NODE_ARGS ? ` (${process.env.PLANE_NODE_ARGS})` : ''}, ${os.cpus().length} cores\n`,
)
console.log(`| figure | ${shown.join(' | ')} |\n|---|${shown.map(() => '---|').join('')}`)
for (const [label, k, d, scale] of rows)
  console.log(`| ${label} | ${shown.map((v) => fig(v, k, d, scale)).join(' | ')} |`)
for (const [v, why] of Object.entries(skipped)) console.log(`\n${v}: n/a — ${why}`)
const m = (v, k) => (of(v, k).length ? med(of(v, k)) : NaN)
const perConn = ((m('aedes', 'planeRssJoined') - m('mosquitto', 'planeRssJoined')) * 1024) / NODES
if (Number.isFinite(perConn))
  console.log(
    `\nembedded broker: plane RSS with the fleet joined, aedes − Mosquitto: ${perConn.toFixed(0)} KiB a connection`,
  )
const goal = (label, v, ok) => console.log(`goal: ${label}: ${v} — ${ok ? 'met' : 'not met'}`)
for (const v of shown.filter((v) => of(v, 'planeRss').length)) {
  if (v.endsWith('mosquitto'))
    goal(`${v}: plane RSS ≤ 150 MB`, `${m(v, 'planeRss').toFixed(0)} MB`, m(v, 'planeRss') <= 150)
  goal(`${v}: all Running ≤ 30 s`, `${m(v, 'runningS').toFixed(1)} s`, m(v, 'runningS') <= 30)
  goal(
    `${v}: reconnect after a plane restart settles ≤ 10 s`,
    `${m(v, 'restartSettledS').toFixed(1)} s`,
    m(v, 'restartSettledS') <= 10,
  )
}
console.log(
  JSON.stringify({
    bench: 'fleet',
    shoal: how,
    NODES,
    PODS,
    DEPLOYS,
    CHILDREN,
    RUNS,
    skipped,
    results,
  }),
)
