// The plane's broker as Shoal ships it (embedded aedes, TLS) vs Mosquitto 2.0 (`shoal plane
// --mqtt`, config by `shoal broker-config`), same run, same plane data, N simulated agents
// (bench/lib/sim-agents.mjs: mqtt.js clients in CHILDREN forked processes speaking the node
// wire, not real agents) with PODS pods each. Per broker:
// - restart: the plane killed -9 and started again → every agent has its whole desired state
//   (PODS pods), timed from the new plane's spawn (aedes: agents reconnect every 1 s ± 20 %;
//   Mosquitto: agents stay connected, the plane sends on start), and the new plane's CPU by then;
// - broker share of RSS: the embedded broker alone as the plane starts it (bench/lib/broker-
//   alone.mjs), its RSS after a full GC with the N agents connected minus idle (the plane's own
//   RSS, printed too, moves by ±100 MB with its collector at 100k pods); Mosquitto's RSS beside;
// - QoS 1 round trips plane ↔ agent: a status report (no pods) → its status-ack, RT_AGENTS
//   agents one in flight each for DUR s: round trips/s (2 QoS 1 messages each), p50/p99;
// - frozen agent: one agent stops reading and asks for its whole set every 20 ms; the longest
//   gap between two acks of the RT_AGENTS others meanwhile (FREEZE s), beside the gap without it.
// Run: node bench/broker.mjs   (re-executes itself under tsx)
// Env: N=1000 · PODS=100 · CHILDREN=4 · RUNS=1 · DUR=5 · FREEZE=10 · RT_AGENTS=20
//      MOSQUITTO=/usr/sbin/mosquitto · BENCH_TMP=<dir> · SHOAL=tsx|bundle (default tsx)
//      DATA=<dir>: the plane's data dir, kept and reused by the next run with the same DATA
//        (its N × PODS pods and node tokens are made once: ≈ 10 min saved a run)
//      PLANE_LOG=<file>: the planes' output appended there
//      PROF=<dir>: the restarted plane runs with --cpu-prof, its profile written there
// Progress on stderr; stdout: the table, the goals and, last, one JSON line.
import { fork, spawn, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
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
const N = env('N', 1000)
const PODS = env('PODS', 100)
const CHILDREN = env('CHILDREN', 4)
const RUNS = env('RUNS', 1)
const DUR = env('DUR', 5) * 1000
const FREEZE = env('FREEZE', 10) * 1000
const RT_AGENTS = env('RT_AGENTS', 20)
const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto'
const tmp = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-broker-'))
const planeDir = process.env.DATA ?? join(tmp, 'plane')
const PROF = process.env.PROF
const { freePort } = await import('../test/e2e/plane-process.ts')
const { percentile } = await import('./lib/measure.mjs')
const { createTokenStore } = await import('../src/plane/index.ts')
const { writeBrokerConfig } = await import('../src/plane/broker-config.ts')
const { passwordLine } = await import('../src/plane/transport/index.ts')
const progress = (m) => process.stderr.write(`# ${new Date().toISOString().slice(11, 19)} ${m}\n`)
const useBundle = process.env.SHOAL === 'bundle'
if (useBundle) spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
const shoal = useBundle
  ? [join(root, 'dist/shoal.mjs')]
  : ['--import', 'tsx', join(root, 'src/main.ts')]
const apiPort = await freePort()
const mqttPort = await freePort()
const mosqPort = await freePort()
const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 })
let ca
let admin
let plane
let mosquitto

const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
/** CPU seconds (user + system) a process has used so far */
const cpuS = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) / 100 // utime, stime in clock ticks (USER_HZ 100)
}

function https(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(`https://127.0.0.1:${apiPort}${path}`, {
      method,
      ca,
      agent: keepAlive,
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

function startPlane(mode, { prof = false } = {}) {
  const name = `${mode}-${Date.now()}.cpuprofile`
  const cpuProf =
    prof && PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF, '--cpu-prof-name', name] : []
  const args = [...cpuProf, ...shoal, 'plane', '--data-dir', planeDir]
  args.push('--listen', `127.0.0.1:${apiPort}`)
  // the simulated agents send no heartbeats: without these the node lifecycle controller would
  // find their nodes NotReady and evict their pods seconds into a run
  args.push('--node-monitor-grace-period', '24h', '--default-toleration-seconds', '86400')
  args.push(
    ...(mode === 'mosquitto'
      ? ['--mqtt', `mqtts://127.0.0.1:${mosqPort}`]
      : ['--mqtt-listen', `127.0.0.1:${mqttPort}`]),
  )
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const keep = (d) => {
    out += d
    if (process.env.PLANE_LOG) appendFileSync(process.env.PLANE_LOG, d)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const serving = new Promise((resolve, reject) => {
    child.on('exit', (c) => reject(new Error(`plane exited ${c}:\n${out.slice(-3000)}`)))
    const check = () => (/serving/.test(out) ? resolve() : setTimeout(check, 20))
    check()
  })
  return { child, spawnedAt, serving, output: () => out }
}

const stop = (child, signal = 'SIGTERM') =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })

function startMosquitto(conf) {
  // its log is not read: a pipe left full would block Mosquitto at its next log line
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
  return child
}

/** the simulated agents: CHILDREN processes, each with its share of the nodes */
function startChildren() {
  const kids = []
  for (let i = 0; i < CHILDREN; i++) {
    const child = fork(join(root, 'bench/lib/sim-agents.mjs'), [], { execArgv: [] })
    const waiting = []
    const k = { child, have: 0, lastHave: 0, waiting }
    child.on('message', (m) => {
      if (m.ev === 'have') {
        k.have++
        k.lastHave = Math.max(k.lastHave, m.t)
      } else waiting.shift()?.(m)
    })
    kids.push(k)
  }
  return kids
}
const ask = (k, m) =>
  Promise.race([
    new Promise((resolve) => (k.waiting.push(resolve), k.child.send(m))),
    sleep(DUR + FREEZE + 120_000).then(() => {
      throw new Error(`simulated agents gave no answer to ${m.cmd}`)
    }),
  ])

async function allHave(kids, what, ms = 600_000) {
  const end = Date.now() + ms
  while (kids.reduce((s, k) => s + k.have, 0) < N) {
    if (Date.now() > end)
      throw new Error(`timed out: ${what} (${kids.reduce((s, k) => s + k.have, 0)}/${N})`)
    await sleep(20)
  }
  return Math.max(...kids.map((k) => k.lastHave))
}

async function setup(tokens) {
  const saved = join(planeDir, 'bench-tokens.json')
  if (existsSync(saved)) {
    const kept = JSON.parse(readFileSync(saved, 'utf8'))
    if (kept.N !== N || kept.PODS !== PODS)
      throw new Error(`${planeDir} holds N=${kept.N} PODS=${kept.PODS}`)
    tokens.push(...kept.tokens)
    ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
    progress(`setup: reusing ${planeDir} (${N} nodes, ${N * PODS} pods)`)
    return brokerConf(tokens)
  }
  progress(`setup: plane, ${N} node tokens, ${N * PODS} pods`)
  plane = startPlane('aedes')
  await plane.serving
  ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
  const r = spawnSync(
    process.execPath,
    [...shoal, 'token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'bench'],
    { encoding: 'utf8' },
  )
  admin = r.stdout.trim().split('\n').at(-1)
  const store = createTokenStore(planeDir)
  for (let i = 0; i < N; i++)
    tokens.push([`sim-${i}`, store.issue({ role: 'node', node: `sim-${i}` })])
  const meta = JSON.parse(readFileSync(join(root, 'firmware-images/.build/hello-wat.json'), 'utf8'))
  await https(
    'PUT',
    `/images/blobs/${meta.digest}`,
    readFileSync(join(root, 'firmware-images/.build/hello-wat.wasm')),
  )
  await https('PUT', '/images/tags/hello-wat/1', JSON.stringify({ digest: meta.digest }))
  let next = 0
  const t0 = Date.now()
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let i = next++; i < N * PODS; i = next++) {
        const node = `sim-${i % N}`
        const body = JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p-${i}` },
          spec: { nodeName: node, containers: [{ name: 'main', image: 'hello-wat:1' }] },
        })
        const res = await https('POST', '/api/v1/namespaces/default/pods', body)
        if (res.status !== 201) throw new Error(`create p-${i}: ${res.status} ${res.text}`)
        if (i % 10000 === 0) progress(`  ${i} pods`)
      }
    }),
  )
  progress(`  ${N * PODS} pods in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  await stop(plane.child)
  writeFileSync(saved, JSON.stringify({ N, PODS, tokens }))
  return brokerConf(tokens)
}

/** Mosquitto's files for this run's port, with every node's login */
function brokerConf(tokens) {
  const { conf } = writeBrokerConfig({
    dataDir: planeDir,
    listen: { host: '127.0.0.1', port: mosqPort },
    tls: true,
  })
  const passwd = readBrokerLoginFile()
  appendFileSync(passwd, tokens.map(([n, tok]) => passwordLine(n, tok)).join('\n') + '\n')
  return conf
}

function readBrokerLoginFile() {
  return JSON.parse(readFileSync(join(planeDir, 'broker.json'), 'utf8')).passwordFile
}

/** the embedded broker alone (bench/lib/broker-alone.mjs): its RSS after a full GC idle and
 * with the N agents connected and subscribed */
async function brokerShare(tokens) {
  const child = fork(join(root, 'bench/lib/broker-alone.mjs'), [planeDir, String(N)], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
  })
  const next = (pred) =>
    new Promise((resolve) => {
      const on = (m) => pred(m) && (child.off('message', on), resolve(m))
      child.on('message', on)
    })
  const { port, base } = await next((m) => m.ready)
  await sleep(1000)
  child.send({ cmd: 'rss' })
  const idleAt = await next((m) => m.rss !== undefined)
  const idle = idleAt.rss
  const kids = startChildren()
  const all = next((m) => m.connected === N)
  await Promise.all(
    kids.map((k, i) =>
      ask(k, {
        cmd: 'connect',
        url: `mqtts://127.0.0.1:${port}`,
        ...{ ca, pods: PODS, nodes: tokens.filter((_, j) => j % CHILDREN === i) },
      }),
    ),
  )
  await all
  await sleep(3000) // their subscriptions and hellos
  child.send({ cmd: 'rss' })
  const loadedAt = await next((m) => m.rss !== undefined)
  const loaded = loadedAt.rss
  const youngGrowth = loadedAt.young - idleAt.young
  await Promise.all(kids.map((k) => ask(k, { cmd: 'close' })))
  for (const k of kids) k.child.kill()
  child.kill()
  progress(
    `aedes alone: RSS ${base.toFixed(1)} MB before it starts, ${idle.toFixed(1)} idle, ${loaded.toFixed(1)} with ${N} agents`,
  )
  const share = loaded - base
  return {
    brokerRssBase: base,
    brokerRssIdle: idle,
    brokerRss: loaded,
    shareMb: share,
    perAgentKb: ((loaded - idle) * 1024) / N,
    youngGrowthMb: youngGrowth,
    perAgentHeldKb: ((loaded - idle - youngGrowth) * 1024) / N,
  }
}

async function measure(mode, tokens) {
  const r = { mode, ...(mode === 'aedes' ? await brokerShare(tokens) : {}) }
  plane = startPlane(mode)
  await plane.serving
  await sleep(3000)
  r.planeRssIdle = rssMb(plane.child.pid)
  if (mosquitto) r.mosqRssIdle = rssMb(mosquitto.pid)
  const kids = startChildren()
  const url =
    mode === 'mosquitto' ? `mqtts://127.0.0.1:${mosqPort}` : `mqtts://127.0.0.1:${mqttPort}`
  const t0 = Date.now()
  await Promise.all(
    kids.map((k, i) =>
      ask(k, {
        cmd: 'connect',
        url,
        ca,
        pods: PODS,
        nodes: tokens.filter((_, j) => j % CHILDREN === i),
      }),
    ),
  )
  r.firstConnectS = ((await allHave(kids, 'first desired states')) - t0) / 1000
  progress(`${mode}: ${N} agents have their state ${r.firstConnectS.toFixed(2)} s after connecting`)
  await sleep(3000)
  r.planeRss = rssMb(plane.child.pid)
  if (mosquitto) r.mosqRss = rssMb(mosquitto.pid)
  // round trips, no freeze
  const per = Math.ceil(RT_AGENTS / CHILDREN)
  const rts = await Promise.all(kids.map((k) => ask(k, { cmd: 'rt', count: per, ms: DUR })))
  const lat = rts.flatMap((x) => x.lat).sort((a, b) => a - b)
  r.rtPerS = lat.length / (DUR / 1000)
  r.msgsPerS = r.rtPerS * 2
  r.rtP50 = percentile(lat, 50)
  r.rtP99 = percentile(lat, 99)
  r.gapNoFreeze = Math.max(...rts.map((x) => x.maxGap))
  progress(
    `${mode}: ${r.rtPerS.toFixed(0)} round trips/s, p50 ${r.rtP50.toFixed(1)} p99 ${r.rtP99.toFixed(1)} ms`,
  )
  // one frozen agent (the first of child 0), the others' round trips meanwhile
  await ask(kids[0], { cmd: 'freeze', node: tokens[0][0], ms: FREEZE })
  const frozen = await Promise.all(
    kids.map((k, i) => ask(k, { cmd: 'rt', count: per, ms: FREEZE, skip: i === 0 ? 1 : 0 })),
  )
  r.gapFrozen = Math.max(...frozen.map((x) => x.maxGap))
  progress(
    `${mode}: longest gap ${r.gapNoFreeze.toFixed(0)} ms → ${r.gapFrozen.toFixed(0)} ms with one agent frozen`,
  )
  // plane restart: killed -9, started again; the frozen agent's node is not counted
  await sleep(1000)
  for (const k of kids) ((k.have = 0), (k.lastHave = 0))
  await Promise.all(kids.map((k) => ask(k, { cmd: 'reset' })))
  kids[0].have = 1 // the frozen one ended its client
  await stop(plane.child, 'SIGKILL')
  plane = startPlane(mode, { prof: true })
  r.restartS = ((await allHave(kids, 'desired states after the restart')) - plane.spawnedAt) / 1000
  r.restartCpuS = cpuS(plane.child.pid)
  progress(
    `${mode}: after a plane restart, every agent has its state in ${r.restartS.toFixed(2)} s (plane CPU ${r.restartCpuS.toFixed(1)} s)`,
  )
  await Promise.all(kids.map((k) => ask(k, { cmd: 'close' })))
  for (const k of kids) k.child.kill()
  await stop(plane.child)
  return r
}

const tokens = []
const results = []
let conf
try {
  conf = await setup(tokens)
  for (let run = 0; run < RUNS; run++) {
    for (const mode of ['aedes', 'mosquitto']) {
      if (mode === 'mosquitto') {
        mosquitto = startMosquitto(conf)
        await sleep(500)
      }
      results.push({ run, ...(await measure(mode, tokens)) })
      process.stderr.write(`# ${JSON.stringify(results.at(-1))}\n`) // each run's figures as it ends
      if (mosquitto) await stop(mosquitto)
      mosquitto = undefined
    }
  }
} finally {
  if (plane) await stop(plane.child, 'SIGKILL')
  if (mosquitto) await stop(mosquitto, 'SIGKILL')
  rmSync(tmp, { recursive: true, force: true })
}

const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const fig = (mode, k, d = 1) => {
  const xs = results.filter((r) => r.mode === mode && r[k] !== undefined).map((r) => r[k])
  if (!xs.length) return '—'
  const m = med(xs)
  return xs.length > 1
    ? `${m.toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`
    : m.toFixed(d)
}
const rows = [
  ['after a plane restart: every agent has its state (s)', 'restartS', 2],
  ["  the restarted plane's CPU by then (s)", 'restartCpuS', 1],
  ['first connect → every agent has its state (s)', 'firstConnectS', 2],
  ['plane RSS just started (MB)', 'planeRssIdle', 0],
  ['plane RSS with the agents (MB)', 'planeRss', 0],
  ['broker alone after a full GC: before it starts (MB)', 'brokerRssBase', 1],
  ['  idle (MB)', 'brokerRssIdle', 1],
  ['  with the agents connected (MB)', 'brokerRss', 1],
  ['broker share with the agents: with them − before it starts (MB)', 'shareMb', 1],
  ['  per agent: (with them − idle) ÷ N (KB)', 'perAgentKb', 1],
  ["  of which V8's young generation grown, once (MB)", 'youngGrowthMb', 1],
  ['  per agent held: (with them − idle − young growth) ÷ N (KB)', 'perAgentHeldKb', 1],
  ['QoS 1 round trips/s (status → ack)', 'rtPerS', 0],
  ['  QoS 1 messages/s (2 a round trip)', 'msgsPerS', 0],
  ['  p50 (ms)', 'rtP50', 1],
  ['  p99 (ms)', 'rtP99', 1],
  ['longest gap between acks, no agent frozen (ms)', 'gapNoFreeze', 0],
  ['  one agent frozen (ms)', 'gapFrozen', 0],
]
console.log(
  `\nbroker.mjs: N=${N} agents × PODS=${PODS}, ${RUNS} run(s), ${RT_AGENTS} agents in the round trips\n`,
)
console.log('| figure | aedes (embedded) | Mosquitto |\n|---|---|---|')
for (const [label, k, d] of rows)
  if (label) console.log(`| ${label} | ${fig('aedes', k, d)} | ${fig('mosquitto', k, d)} |`)
const ratio =
  med(results.filter((r) => r.mode === 'aedes').map((r) => r.restartS)) /
  med(results.filter((r) => r.mode === 'mosquitto').map((r) => r.restartS))
const mosqRss = med(results.filter((r) => r.mode === 'mosquitto').map((r) => r.mosqRss))
console.log(`\nMosquitto RSS with the agents: ${mosqRss.toFixed(1)} MB`)
console.log(
  `goal: restart ≤ 2× Mosquitto: ${ratio.toFixed(2)}× — ${ratio <= 2 ? 'met' : 'not met'}`,
)
const gap = med(results.filter((r) => r.mode === 'aedes').map((r) => r.gapFrozen))
console.log(
  `goal: a frozen agent delays the others by ≤ 1 s: ${gap.toFixed(0)} ms — ${gap <= 1000 ? 'met' : 'not met'}`,
)
const share = med(results.filter((r) => r.mode === 'aedes').map((r) => r.shareMb))
const bound = 15 + (50 * N) / 1024
console.log(
  `goal: broker share ≤ 15 MB + 50 KB × ${N} = ${bound.toFixed(0)} MB: ${share.toFixed(1)} MB — ${share <= bound ? 'met' : 'not met'}`,
)
console.log(JSON.stringify({ bench: 'broker', N, PODS, RUNS, results, restartRatio: ratio }))
