// The HorizontalPodAutoscaler in the real plane (in process, HTTPS with the admin kubeconfig, its
// embedded MQTT broker; scheduler off) driven by the stock kubectl: kubectl autoscale deployment,
// kubectl get hpa with its TARGETS, the Deployment scaled up by the controller from the pods'
// cpu. The agent's part is played here: pods made Running and Ready on pi-1 by writing their
// status, and pi-1's stats — cumulative CPU time per container — published over MQTT with the
// node's own credentials as an agent sends them, so the figures reach the autoscaler through the
// transport's NodeStats as they reach kubectl top.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encode } from 'cbor-x'
import type { MqttClient } from 'mqtt'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { freePort } from '../e2e/plane-process.ts'
import { asyncKubectl, until as poll } from './harness.ts'
import { joinNode, runPods } from './node-player.ts'

const haveKubectl = spawnSync('kubectl', ['version', '--client']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'shoal-hpa-'))
const { kubectl } = asyncKubectl(dir, { kubeconfig: () => plane.adminKubeconfig! })
const dataDir = join(dir, 'data')
let plane: Plane
let agent: MqttClient
let timer: NodeJS.Timeout | undefined
/** the cpu the whole Deployment uses, spread over its Ready pods (millicores) */
const LOAD = 180
/** cumulative counters per pod uid, as the runtime keeps them */
const counters = new Map<string, { cpuNanos: number; startTime: number }>()
let lastSample = Date.now()

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) =>
  poll(what, fn, { ms, everyMs: 200 })

/** the agent's part: pods become Running and Ready on pi-1; a stats sample of the Ready ones */
async function playAgent(): Promise<void> {
  const ready = await runPods(plane, 'pi-1')
  const time = Date.now()
  const elapsed = time - lastSample
  lastSample = time
  for (const p of ready) {
    let c = counters.get(p.metadata.uid!)
    if (!c) counters.set(p.metadata.uid!, (c = { cpuNanos: 0, startTime: time - elapsed }))
    c.cpuNanos += (LOAD / ready.length) * 1e3 * elapsed // a millicore is 1000 ns of CPU per ms
  }
  const usage = { cpuNanos: 0, memoryBytes: 200e6 }
  const sample = {
    type: 'stats',
    time,
    node: { ...usage, agent: usage },
    pods: ready.map((p) => ({
      uid: p.metadata.uid,
      namespace: 'default',
      name: p.metadata.name,
      containers: [
        { name: 'web', memoryBytes: 8e6, requests: 0, ...counters.get(p.metadata.uid!)! },
      ],
    })),
  }
  await agent.publishAsync('shoal/v1/nodes/pi-1/stats', encode(sample), { qos: 1 })
}

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: "hello:1"
        resources: {requests: {cpu: 100m}}
`

if (!haveKubectl) test('hpa e2e', () => console.log('SKIPPED: no kubectl on PATH'))
else {
  test.before(async () => {
    plane = await createPlane({
      dataDir,
      listen: `127.0.0.1:${await freePort()}`, // the kubeconfig names the port: not 0
      mqttListen: '127.0.0.1:0',
      scheduler: false,
      hpa: { syncPeriodMs: 1000 },
      logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
    })
    agent = await joinNode(plane, dataDir, 'pi-1')
    const tick = () => {
      timer = setTimeout(() => playAgent().then(tick, tick), 250)
    }
    tick()
  })

  test.after(async () => {
    clearTimeout(timer)
    timer = undefined
    await agent?.endAsync()
    await plane?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('kubectl autoscale: the Deployment grows with its pods cpu, kubectl get hpa shows it', async () => {
    writeFileSync(join(dir, 'web.yaml'), manifest)
    await kubectl('apply', '-f', join(dir, 'web.yaml'))
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')
    // kubectl top reads the same figures: 180m over two pods
    await until('kubectl top', async () =>
      /web-\S+\s+90m/.test(await kubectl('top', 'pod').catch(() => '')) ? true : undefined,
    )
    assert.match(
      await kubectl('autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5'),
      /horizontalpodautoscaler.autoscaling\/web autoscaled/,
    )
    // 2 pods at 90% of their request against 50%: 1.8 × 2 → 4; then 4 × 45% stays within tolerance
    const replicas = () => kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}')
    await until('the Deployment at 4 replicas', async () =>
      (await replicas()) === '4' ? true : undefined,
    )
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')
    const table = await until('the hpa at 4 replicas', async () => {
      const t = await kubectl('get', 'hpa', 'web')
      return /web\s+Deployment\/web\s+cpu: \d+%\/50%\s+1\s+5\s+4\s/.test(t) ? t : undefined
    })
    assert.match(table, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/)
    const hpa = JSON.parse(await kubectl('get', 'hpa', 'web', '-o', 'json'))
    assert.is(hpa.spec.minReplicas, 1)
    assert.equal(hpa.spec.metrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ])
    assert.equal(
      hpa.status.conditions.map((c: { type: string }) => c.type),
      ['AbleToScale', 'ScalingActive', 'ScalingLimited'],
    )
    assert.ok(hpa.status.lastScaleTime)
    const events = await kubectl('get', 'events', '--field-selector', 'involvedObject.name=web')
    assert.match(
      events,
      /SuccessfulRescale\s+horizontalpodautoscaler\/web\s+New size: 4; reason: cpu resource utilization \(percentage of request\) above target/,
    )
    assert.match(await kubectl('describe', 'hpa', 'web'), /ScalingActive\s+True\s+ValidMetricFound/)
    // the v1 view kubectl autoscale may read: the cpu target and the current figure
    const v1 = JSON.parse(
      await kubectl('get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json'),
    )
    assert.is(v1.spec.targetCPUUtilizationPercentage, 50)
    assert.is(typeof v1.status.currentCPUUtilizationPercentage, 'number')
  })
}

test.run()
