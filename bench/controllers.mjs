// The Deployment and ReplicaSet controllers through the real plane (createPlane in process,
// its store on disk, no scheduler, no agents): a Deployment of REPLICAS created, timed until
// its status counts every pod (Deployment → ReplicaSet → pods, each write durable, Events
// included). Peer in the same run: the same number of bare pod creates on the same plane, 500
// at a time as the ReplicaSet controller issues them — the ratio is what the controllers cost.
// Run: node bench/controllers.mjs   (re-executes itself under tsx)
// Env: RUNS=3 · REPLICAS=1000 · BENCH_TMP=<dir for data>
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
const { resourceByKind, applyDefaults } = await import('../src/api/index.ts')
const { memoryLogger } = await import('../src/core/index.ts')

const RUNS = Number(process.env.RUNS ?? 3)
const REPLICAS = Number(process.env.REPLICAS ?? 1000)
const DEPLOY = resourceByKind('Deployment')
const POD = resourceByKind('Pod')
const log = (m) => process.stderr.write(`# ${m}\n`)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const template = (app) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'main', image: 'hello-http:1' }] },
})

async function viaDeployment(plane, run) {
  const d = applyDefaults({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${run}`, namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: `web-${run}` } },
      template: template(`web-${run}`),
    },
  })
  const t0 = performance.now()
  await plane.objects.create(DEPLOY, d)
  for (;;) {
    const now = await plane.objects.get(DEPLOY, { namespace: 'default', name: d.metadata.name })
    if (now?.status?.replicas === REPLICAS) return performance.now() - t0
    await new Promise((r) => setTimeout(r, 5))
  }
}

async function bare(plane, run) {
  const t0 = performance.now()
  for (let i = 0; i < REPLICAS; i += 500) {
    const n = Math.min(500, REPLICAS - i)
    await Promise.all(
      Array.from({ length: n }, (_, j) =>
        plane.objects.create(POD, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `bare-${run}-${i + j}`, namespace: 'default', labels: { app: 'bare' } },
          spec: applyDefaults({ kind: 'Pod', metadata: {}, spec: template('bare').spec }).spec,
          status: { phase: 'Pending' },
        }),
      ),
    )
  }
  return performance.now() - t0
}

const rows = []
for (let run = 0; run < RUNS; run++) {
  const dir = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-ctl-'))
  const plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    scheduler: false,
    logger: memoryLogger(),
  })
  const peer = await bare(plane, run)
  const ctl = await viaDeployment(plane, run)
  await plane.close()
  rmSync(dir, { recursive: true, force: true })
  rows.push({ ctl, peer })
  log(`run ${run + 1}/${RUNS}: deployment ${ctl.toFixed(0)} ms, bare creates ${peer.toFixed(0)} ms`)
}
const ctl = median(rows.map((r) => r.ctl))
const peer = median(rows.map((r) => r.peer))
console.log(`| ${REPLICAS} replicas | via Deployment | bare pod creates | ratio |`)
console.log('|---|---|---|---|')
console.log(
  `| median of ${RUNS} | ${ctl.toFixed(0)} ms (${((REPLICAS / ctl) * 1000).toFixed(0)} pods/s) | ${peer.toFixed(0)} ms (${((REPLICAS / peer) * 1000).toFixed(0)} pods/s) | ${(ctl / peer).toFixed(2)}× |`,
)
console.log(
  JSON.stringify({
    replicas: REPLICAS,
    runs: RUNS,
    deploymentMs: ctl,
    bareMs: peer,
    ratio: ctl / peer,
  }),
)
