// The request rate reaches the autoscaler: a HorizontalPodAutoscaler with a Pods metric
// http_requests_per_second (target averageValue 5) on the real plane (in process, its embedded
// MQTT broker; scheduler off) scales its Deployment by the requests its pods served, as pi-1
// reports them over MQTT with its own credentials — each container's cumulative `requests`, the
// agent's stats — through the transport's NodeStats. Also the Service's figure (type Object).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encode } from 'cbor-x'
import type { MqttClient } from 'mqtt'
import {
  resourceByKind,
  type Deployment,
  type HorizontalPodAutoscaler,
  type KubeObject,
} from '../../src/api/index.ts'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { freePort } from '../e2e/plane-process.ts'
import { until as poll } from './harness.ts'
import { joinNode, runPods } from './node-player.ts'

const DEPLOYMENTS = resourceByKind('Deployment')!
const HPAS = resourceByKind('HorizontalPodAutoscaler')!
const SERVICES = resourceByKind('Service')!
const dir = mkdtempSync(join(tmpdir(), 'shoal-hpa-rps-'))
const dataDir = join(dir, 'data')
let plane: Plane
let agent: MqttClient
let timer: NodeJS.Timeout | undefined
/** requests per second the whole Deployment serves, spread over its Ready pods */
const RATE = 12
const counters = new Map<string, { requests: number; startTime: number }>()
let lastSample = Date.now()

const until = <T>(what: string, fn: () => Promise<T | undefined | false>) =>
  poll(what, fn, { ms: 60_000, everyMs: 200 })

/** pi-1's part: pods Running and Ready; a stats sample with each one's cumulative requests */
async function playAgent(): Promise<void> {
  const ready = await runPods(plane, 'pi-1')
  const time = Date.now()
  const elapsed = time - lastSample
  lastSample = time
  for (const p of ready) {
    let c = counters.get(p.metadata.uid!)
    if (!c) counters.set(p.metadata.uid!, (c = { requests: 0, startTime: time - elapsed }))
    c.requests += ((RATE / ready.length) * elapsed) / 1000
  }
  const usage = { cpuNanos: 0, memoryBytes: 200e6 }
  const sample = {
    type: 'stats',
    time,
    node: { ...usage, agent: usage },
    pods: ready.map((p) => {
      const c = counters.get(p.metadata.uid!)!
      const requests = Math.floor(c.requests)
      const container = { name: 'api', memoryBytes: 8e6, cpuNanos: 0, startTime: c.startTime }
      return {
        uid: p.metadata.uid,
        namespace: 'default',
        name: p.metadata.name,
        containers: [{ ...container, requests }],
      }
    }),
  }
  await agent.publishAsync('shoal/v1/nodes/pi-1/stats', encode(sample), { qos: 1 })
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'default' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'hello:1' }] },
    },
  },
} as unknown as Deployment

const autoscaler = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'api', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
    minReplicas: 1,
    maxReplicas: 6,
    metrics: [
      {
        type: 'Pods',
        pods: {
          metric: { name: 'http_requests_per_second' },
          target: { type: 'AverageValue', averageValue: '5' },
        },
      },
    ],
  },
} as unknown as HorizontalPodAutoscaler

test.before(async () => {
  plane = await createPlane({
    dataDir,
    listen: `127.0.0.1:${await freePort()}`,
    mqttListen: '127.0.0.1:0',
    scheduler: false,
    hpa: { syncPeriodMs: 1000 },
    logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
  })
  agent = await joinNode(plane, dataDir, 'pi-1')
  // pi-1's Node, as its agent's first hello makes it (a Service's endpoints name the pods' node)
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  await plane.objects.create(resourceByKind('Node')!, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'pi-1' },
    status: {
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
    },
  } as KubeObject)
  const tick = () => {
    // a sample a second: whole requests per pod over a shorter window would swing the rate
    timer = setTimeout(() => playAgent().then(tick, tick), 1000)
  }
  tick()
})

test.after(async () => {
  clearTimeout(timer)
  await agent?.endAsync()
  await plane?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('a Pods metric http_requests_per_second scales the Deployment by its pods request rate', async () => {
  await plane.objects.create(DEPLOYMENTS, deployment)
  await until('the first pod reporting', async () => counters.size === 1)
  await plane.objects.create(HPAS, autoscaler)
  // one pod at 12 req/s against 5 each: ceil(12 / 5) = 3; then 3 at 4 each is within tolerance
  // of 5 downwards, and scaling down waits out its stabilization window: it stays at 3
  const replicas = async () =>
    ((await plane.objects.get(DEPLOYMENTS, { namespace: 'default', name: 'api' })) as Deployment)
      .spec!.replicas
  await until('the Deployment at 3 replicas', async () => (await replicas()) === 3)
  const hpa = await until('the hpa status at 3 replicas', async () => {
    const h = (await plane.objects.get(HPAS, {
      namespace: 'default',
      name: 'api',
    })) as HorizontalPodAutoscaler
    return h.status?.currentReplicas === 3 && h.status.desiredReplicas === 3 && h
  })
  const [current] = hpa.status!.currentMetrics!
  assert.is(current!.type, 'Pods')
  assert.is(current!.pods!.metric.name, 'http_requests_per_second')
  const active = hpa.status!.conditions!.find((c) => c.type === 'ScalingActive')!
  assert.equal([active.status, active.reason], ['True', 'ValidMetricFound'])
  assert.is(await replicas(), 3)
})

test('a Service: requests_per_second is the sum over its endpoints pods (type Object)', async () => {
  await plane.objects.create(SERVICES, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'default' },
    spec: { selector: { app: 'api' }, ports: [{ port: 80 }] },
  } as KubeObject)
  await plane.objects.create(HPAS, {
    ...autoscaler,
    metadata: { name: 'api-svc', namespace: 'default' },
    spec: {
      ...autoscaler.spec,
      metrics: [
        {
          type: 'Object',
          object: {
            describedObject: { apiVersion: 'v1', kind: 'Service', name: 'api' },
            metric: { name: 'requests_per_second' },
            target: { type: 'Value', value: '100' },
          },
        },
      ],
    },
  } as unknown as HorizontalPodAutoscaler)
  // the whole Service serves about 12 req/s: the figure the autoscaler reads is near that (0 until
  // the EndpointSlice controller has named the Service's pods)
  const value = await until('the Service metric', async () => {
    const h = (await plane.objects.get(HPAS, {
      namespace: 'default',
      name: 'api-svc',
    })) as HorizontalPodAutoscaler
    const v = h.status?.currentMetrics?.[0]?.object?.current.value
    return v !== undefined && String(v) !== '0' && v
  })
  const text = String(value)
  const rps = text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text)
  assert.ok(rps > 6 && rps < 18, `the Service's rate ${value}`)
})

test.run()
