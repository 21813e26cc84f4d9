// The scheduler through the real plane (createPlane in process, its store on disk): NODES Node
// objects (no agents; ZONES zones, 4 cpu / 8Gi / 110 pods each) and PODS pending pods (OWNERS
// owners, 100m / 64Mi each), then the scheduler started: pods placed per second (start → every
// binding durable) and spread quality (pods per node max/min/stddev, per zone max/min, and an
// owner's replicas per node at most). Peer in the same run: the same number of bare binding
// writes (bindPod, no scheduling) on the same plane — the ratio is what scheduling costs.
// Run: node bench/scheduler.mjs   (re-executes itself under tsx)
// Env: RUNS=5 · NODES=1000 · PODS=10000 · OWNERS=100 · ZONES=10 · BENCH_TMP=<dir for data> ·
//      SCHEDULED_EVENTS=0 to leave out the Scheduled event of each bound pod
// Progress goes to stderr; stdout gets the table, then one JSON line.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

if (!process.execArgv.join(' ').includes('tsx')) {
  const args = ['--import', 'tsx', ...process.execArgv, fileURLToPath(import.meta.url)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const { createPlane } = await import('../src/plane/index.ts')
const { Scheduler, bindPod } = await import('../src/plane/scheduler/index.ts')
const { resourceByKind } = await import('../src/api/index.ts')
const { memoryLogger } = await import('../src/core/index.ts')

const RUNS = Number(process.env.RUNS ?? 5)
const NODES = Number(process.env.NODES ?? 1000)
const PODS = Number(process.env.PODS ?? 10_000)
const OWNERS = Number(process.env.OWNERS ?? 100)
const ZONES = Number(process.env.ZONES ?? 10)
const GOAL = 2000
const NODE = resourceByKind('Node')
const POD = resourceByKind('Pod')
const log = (m) => process.stderr.write(`# ${m}\n`)

const node = (i) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: `node-${i}`,
    labels: {
      'kubernetes.io/hostname': `node-${i}`,
      'kubernetes.io/arch': 'arm64',
      'topology.kubernetes.io/zone': `zone-${i % ZONES}`,
    },
  },
  spec: {},
  status: {
    allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }],
  },
})

const pod = (i, ns) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `pod-${i}`,
    namespace: ns,
    labels: { app: `app-${i % OWNERS}` },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: `app-${i % OWNERS}`,
        uid: `owner-${i % OWNERS}`,
        controller: true,
      },
    ],
  },
  spec: {
    containers: [
      {
        name: 'main',
        image: 'hello-http:1',
        resources: { requests: { cpu: '100m', memory: '64Mi' } },
      },
    ],
  },
})

/** `count` creates, 256 in flight */
async function createAll(objects, info, count, make) {
  let next = 0
  const worker = async () => {
    while (next < count) await objects.create(info, make(next++))
  }
  await Promise.all(Array.from({ length: 256 }, worker))
}

const cpuSeconds = (u) => (u.user + u.system) / 1e6

const stats = (xs) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length)
  return { max: Math.max(...xs), min: Math.min(...xs), mean, sd }
}

/** the placement's spread, read back from the store */
async function spread(objects) {
  const pods = (await objects.list(POD, {})).items
  const perNode = new Map()
  const perZone = new Map()
  const perOwnerNode = new Map()
  let unbound = 0
  for (const p of pods) {
    const n = p.spec.nodeName
    if (!p.metadata.namespace.startsWith('sched')) continue
    if (!n) {
      unbound++
      continue
    }
    perNode.set(n, (perNode.get(n) ?? 0) + 1)
    const zone = `zone-${Number(n.slice(5)) % ZONES}`
    perZone.set(zone, (perZone.get(zone) ?? 0) + 1)
    const k = `${p.metadata.ownerReferences[0].uid}/${n}`
    perOwnerNode.set(k, (perOwnerNode.get(k) ?? 0) + 1)
  }
  const counts = Array.from({ length: NODES }, (_, i) => perNode.get(`node-${i}`) ?? 0)
  return {
    unbound,
    node: stats(counts),
    zone: stats([...perZone.values()]),
    ownerPerNodeMax: Math.max(...perOwnerNode.values()),
  }
}

async function until(cond) {
  while (!cond()) await new Promise((r) => setTimeout(r, 5))
}

async function oneRun(run) {
  const dir = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-sched-'))
  const plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    scheduler: false,
    logger: memoryLogger(),
  })
  try {
    for (const ns of ['sched', 'bare'])
      await plane.objects.create(resourceByKind('Namespace'), {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      })
    await createAll(plane.objects, NODE, NODES, node)
    await createAll(plane.objects, POD, PODS, (i) => pod(i, 'sched'))
    await createAll(plane.objects, POD, PODS, (i) => pod(i, 'bare'))
    log(`run ${run}: ${NODES} nodes, 2 × ${PODS} pods created`)
    // the peer: bare binding writes, round-robin, 256 in flight (what binding alone costs)
    const bare = (await plane.objects.list(POD, { namespace: 'bare' })).items
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    let next = 0
    const binder = async () => {
      while (next < bare.length) {
        const i = next++
        const p = bare[i]
        const where = { namespace: p.metadata.namespace, name: p.metadata.name }
        await bindPod(plane.objects, where, { target: { node: `node-${i % NODES}` }, current: p })
      }
    }
    await Promise.all(Array.from({ length: 256 }, binder))
    const bareS = (performance.now() - t0) / 1000
    const bareCpu = cpuSeconds(process.cpuUsage(c0))
    // the scheduler over the 'sched' pods (the bound 'bare' ones count on their nodes too)
    const scheduler = new Scheduler(plane.objects, {
      log: memoryLogger(),
      scheduledEvents: process.env.SCHEDULED_EVENTS !== '0',
    })
    const t1 = performance.now()
    const c1 = process.cpuUsage()
    await scheduler.start()
    await until(() => scheduler.pending === 0)
    const schedS = (performance.now() - t1) / 1000
    const schedCpu = cpuSeconds(process.cpuUsage(c1))
    await scheduler.stop()
    const s = await spread(plane.objects)
    const r = {
      podsPerS: PODS / schedS,
      bareBindsPerS: PODS / bareS,
      ratio: bareS / schedS,
      podsPerCpuS: PODS / schedCpu,
      bareBindsPerCpuS: PODS / bareCpu,
      cpuRatio: bareCpu / schedCpu,
      ...s,
    }
    log(
      `run ${run}: ${r.podsPerS.toFixed(0)} pods/s placed (${r.podsPerCpuS.toFixed(0)}/CPU-s), ` +
        `bare bindings ${r.bareBindsPerS.toFixed(0)}/s (${r.bareBindsPerCpuS.toFixed(0)}/CPU-s), ` +
        `per node ${s.node.min}–${s.node.max} (sd ${s.node.sd.toFixed(2)}), unbound ${s.unbound}`,
    )
    return r
  } finally {
    await plane.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const runs = []
for (let i = 1; i <= RUNS; i++) runs.push(await oneRun(i))
const fig = (f, d = 0) => {
  const xs = runs.map(f)
  return `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`
}
const met = runs.filter((r) => r.podsPerS >= GOAL).length
console.log(
  `\nscheduler: ${NODES} nodes, ${PODS} pods, ${OWNERS} owners, ${ZONES} zones — median (min–max) of ${RUNS} runs`,
)
console.log(`| figure | value |`)
console.log(`|---|---|`)
console.log(`| pods placed/s (goal ≥ ${GOAL}) | ${fig((r) => r.podsPerS)} — ${met}/${RUNS} met |`)
console.log(`| bare binding writes/s (peer) | ${fig((r) => r.bareBindsPerS)} |`)
console.log(`| placed ÷ bare | ${fig((r) => r.ratio, 2)}× |`)
console.log(`| pods placed per CPU-second of the plane's process | ${fig((r) => r.podsPerCpuS)} |`)
console.log(`| bare binding writes per CPU-second (peer) | ${fig((r) => r.bareBindsPerCpuS)} |`)
console.log(`| placed ÷ bare, per CPU-second | ${fig((r) => r.cpuRatio, 2)}× |`)
console.log(
  `| pods per node min / max / sd | ${fig((r) => r.node.min)} / ${fig((r) => r.node.max)} / ${fig((r) => r.node.sd, 2)} |`,
)
console.log(`| pods per zone min / max | ${fig((r) => r.zone.min)} / ${fig((r) => r.zone.max)} |`)
console.log(`| one owner's pods on one node, max | ${fig((r) => r.ownerPerNodeMax)} |`)
console.log(`| pods left unbound | ${fig((r) => r.unbound)} |`)
console.log(JSON.stringify({ bench: 'scheduler', nodes: NODES, pods: PODS, runs }))
