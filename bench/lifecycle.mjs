// Node loss on a fleet of real processes: one `shoal plane` (embedded broker) and three
// `shoal agent`s, a Deployment of REPLICAS small pods (hello-wat). Each round takes the agent
// with the most pods away and times, from that moment: the node NotReady (its Ready condition
// no longer True) and its pods replaced (REPLICAS pods Ready again, none on the lost node, the
// lost ones gone). Two ways to lose a node, each ROUNDS times:
//   kill   kill -9 of the agent: the broker sees the socket close and sends the node's Last Will
//   freeze SIGSTOP: the socket stays open, heartbeats stop; only the Lease's grace period tells
// Then the agent is started again (kill) or continued (freeze) and must be Ready before the next
// round. Goals (issue 14, the plane's defaults: grace 5 s, toleration 5 s): NotReady ≤ 5 s,
// replacements Running ≤ 10 s. The floor: the configured grace (freeze) and toleration
// (both), printed beside the figures.
// Run: node bench/lifecycle.mjs   (re-executes itself under tsx)
// Env: ROUNDS=5 · REPLICAS=6 · MODES=kill,freeze · BENCH_TMP=<dir>
//      SHOAL=bundle (default: node dist/shoal.mjs, built first — what a Pi runs) | tsx
// Progress goes to stderr; stdout gets the table, the goals and, last, one JSON line.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
if (!process.execArgv.join(' ').includes('tsx')) {
  const args = ['--import', 'tsx', ...process.execArgv, self, ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const root = join(self, '../..')
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const REPLICAS = Number(process.env.REPLICAS ?? 6)
const MODES = (process.env.MODES ?? 'kill,freeze').split(',')
const GRACE_S = 5
const TOLERATION_S = 5
const { startFleet } = await import('../test/e2e/fleet.ts')
const { pushImage } = await import('../test/e2e/plane-process.ts')
const { percentile } = await import('./lib/measure.mjs')
const progress = (m) => process.stderr.write(`# ${m}\n`)

const useBundle = (process.env.SHOAL ?? 'bundle') === 'bundle'
if (useBundle) spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
const shoal = useBundle ? [join(root, 'dist/shoal.mjs')] : undefined

const NODES = ['pi-1', 'pi-2', 'pi-3']
progress(`starting a plane and ${NODES.length} agents`)
const fleet = await startFleet(NODES, {
  shoal,
  tmp: process.env.BENCH_TMP,
  planeArgs: [
    `--node-monitor-grace-period=${GRACE_S}s`,
    `--default-toleration-seconds=${TOLERATION_S}`,
  ],
})
const results = { kill: { notReady: [], replaced: [] }, freeze: { notReady: [], replaced: [] } }

async function pods() {
  const list = await fleet.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dlife')
  return (list?.items ?? []).map((p) => ({
    name: p.metadata.name,
    node: p.spec.nodeName,
    ready:
      !p.metadata.deletionTimestamp &&
      !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  }))
}

const allReady = async () => {
  const all = await pods()
  return all.length === REPLICAS && all.every((p) => p.ready) && all
}

try {
  await pushImage(fleet.call, 'hello-wat', '1')
  fleet.kubectl(['apply', '-f', '-'], {
    input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: life}
spec:
  replicas: ${REPLICAS}
  selector: {matchLabels: {app: life}}
  template:
    metadata: {labels: {app: life}}
    spec:
      containers: [{name: main, image: "hello-wat:1"}]
`,
  })
  await fleet.waitFor(`${REPLICAS} pods ready`, allReady)

  for (const mode of MODES) {
    for (let round = 1; round <= ROUNDS; round++) {
      const before = await fleet.waitFor(`${REPLICAS} pods ready`, allReady)
      const counts = new Map()
      for (const p of before) counts.set(p.node, (counts.get(p.node) ?? 0) + 1)
      const victim = [...counts].sort((a, b) => b[1] - a[1])[0][0]
      const lost = new Set(before.filter((p) => p.node === victim).map((p) => p.name))
      const agent = fleet.agents.get(victim)
      const t0 = performance.now()
      if (mode === 'kill') await agent.stop('SIGKILL')
      else agent.child.kill('SIGSTOP')
      let notReady
      let replaced
      while (notReady === undefined || replaced === undefined) {
        if (performance.now() - t0 > 120_000) throw new Error(`${mode}: no recovery in 120 s`)
        const ready = await fleet.nodeReady(victim)
        if (notReady === undefined && ready !== 'True') notReady = performance.now() - t0
        if (replaced === undefined) {
          const all = await pods()
          const live = all.filter((p) => p.ready && p.node !== victim)
          if (live.length === REPLICAS && !all.some((p) => lost.has(p.name)))
            replaced = performance.now() - t0
        }
        await new Promise((r) => setTimeout(r, 25))
      }
      results[mode].notReady.push(notReady)
      results[mode].replaced.push(replaced)
      progress(
        `${mode} ${round}/${ROUNDS}: ${victim} (${lost.size} pods) NotReady ${(notReady / 1000).toFixed(2)} s, replaced ${(replaced / 1000).toFixed(2)} s`,
      )
      if (mode === 'kill') fleet.startAgent(victim)
      else agent.child.kill('SIGCONT')
      await fleet.waitFor(
        `${victim} Ready again`,
        async () => (await fleet.nodeReady(victim)) === 'True',
      )
    }
  }
} finally {
  await fleet.stop()
}

const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return { median: percentile(s, 50) / 1000, min: s[0] / 1000, max: s.at(-1) / 1000 }
}
const fmt = (s) => `${s.median.toFixed(2)} s (${s.min.toFixed(2)}–${s.max.toFixed(2)})`
const out = {}
console.log(
  `\nnode loss, ${REPLICAS} pods over ${NODES.length} agents, ${ROUNDS} rounds each (median (range))`,
)
console.log(`grace ${GRACE_S} s, toleration ${TOLERATION_S} s\n`)
console.log('| loss | → NotReady | → replacements Running | goal |')
console.log('|---|---|---|---|')
for (const mode of MODES) {
  const nr = stat(results[mode].notReady)
  const rp = stat(results[mode].replaced)
  out[mode] = { notReady_s: nr, replaced_s: rp }
  const met = nr.median <= 5 && rp.median <= 10 ? 'met' : 'NOT met'
  console.log(
    `| ${mode === 'kill' ? 'kill -9 (Last Will)' : 'SIGSTOP (heartbeats stop)'} | ${fmt(nr)} | ${fmt(rp)} | ≤ 5 s / ≤ 10 s: ${met} |`,
  )
}
console.log(
  JSON.stringify({
    bench: 'lifecycle',
    rounds: ROUNDS,
    replicas: REPLICAS,
    graceS: GRACE_S,
    tolerationS: TOLERATION_S,
    ...out,
  }),
)
