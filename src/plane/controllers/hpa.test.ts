import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Deployment, HorizontalPodAutoscaler, Pod } from '../../api/index.ts'
import { deployment, DEPLOYS, EVENTS, fixture, PODS, T0 } from './controller-fixture.ts'
import type { MetricsSource, PodMetricValue } from './hpa-metrics.ts'
import { HPAS, hpaController, type HpaOptions } from './hpa.ts'

/** a metrics source the test sets: cpu millicores per pod, custom metrics per pod and object */
class FakeMetrics implements MetricsSource {
  cpu = new Map<string, number>()
  custom = new Map<string, Map<string, number>>()
  objects = new Map<string, number>()
  asked: string[] = []
  async podMetrics(namespace: string) {
    this.asked.push(`podMetrics ${namespace}`)
    return [...this.cpu].map(([pod, cpuMillicores]) => ({
      pod,
      timestamp: T0,
      windowMs: 15_000,
      containers: [{ name: 'web', cpuMillicores, memoryBytes: 1 << 20 }],
    }))
  }
  async podCustomMetric(name: string) {
    const m = this.custom.get(name)
    if (!m) return undefined
    return [...m].map(([pod, value]): PodMetricValue => ({
      pod,
      value,
      timestamp: T0,
      windowMs: 0,
    }))
  }
  async objectMetric(name: string, o: { object: { kind: string; name: string } }) {
    const v = this.objects.get(`${o.object.kind}/${o.object.name}/${name}`)
    return v === undefined ? undefined : { value: v, timestamp: T0 }
  }
}

const LONG_AGO = new Date(T0 - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')

function pod(name: string, o: { cpu?: string; phase?: 'Running' | 'Pending' } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: {
      nodeName: 'pi-1',
      containers: [
        {
          name: 'web',
          image: 'hello:1',
          ...(o.cpu === '' ? {} : { resources: { requests: { cpu: o.cpu ?? '100m' } } }),
        },
      ],
    },
    status: {
      phase: o.phase ?? 'Running',
      startTime: LONG_AGO,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: LONG_AGO }],
    },
  }
}

const cpuTarget = (averageUtilization: number) => ({
  type: 'Resource' as const,
  resource: { name: 'cpu', target: { type: 'Utilization' as const, averageUtilization } },
})

function autoscaler(spec: Partial<HorizontalPodAutoscaler['spec']> = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-hpa', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [cpuTarget(50)],
      ...spec,
    },
  }
}

async function started(o: {
  replicas: number
  pods: Pod[]
  hpa?: HorizontalPodAutoscaler
  options?: HpaOptions
}) {
  const f = fixture()
  const metrics = new FakeMetrics()
  f.fake.seed(DEPLOYS, deployment('web', o.replicas))
  f.fake.seed(PODS, ...o.pods)
  f.fake.seed(HPAS, o.hpa ?? autoscaler())
  const c = hpaController(f.ctx, { metrics, hpa: o.options })
  await f.ctx.informers.start()
  const sync = () => c.reconcile('default/web')
  const replicas = () => (f.fake.get(DEPLOYS, 'default/web') as Deployment).spec.replicas
  const status = () => (f.fake.get(HPAS, 'default/web') as HorizontalPodAutoscaler).status!
  const condition = (type: string) => {
    const c = status().conditions!.find((x) => x.type === type)!
    return `${c.status} ${c.reason}: ${c.message}`
  }
  const told = () =>
    f.fake
      .all(EVENTS)
      .map((e) => e as unknown as { type: string; reason: string; message: string })
      .map((e) => `${e.type} ${e.reason}: ${e.message}`)
  return { ...f, c, metrics, sync, replicas, status, condition, told }
}

const podsAt = (n: number, o: { cpu?: string } = {}) =>
  Array.from({ length: n }, (_, i) => pod(`web-${i + 1}`, o))
const setCpu = (m: FakeMetrics, n: number, millicores: number) => {
  m.cpu.clear()
  for (let i = 1; i <= n; i++) m.cpu.set(`web-${i}`, millicores)
}

test('high cpu scales the Deployment up through its scale, with the status and Event Kubernetes writes', async () => {
  const f = await started({ replicas: 2, pods: podsAt(2) })
  setCpu(f.metrics, 2, 90) // 90% of a 100m request against a 50% target: 1.8 × 2 pods → 4
  assert.equal(await f.sync(), { requeueAfter: 15_000 })
  assert.equal(f.writes(), [
    'update Deployment default/web',
    'update HorizontalPodAutoscaler default/web',
  ])
  const d = f.fake.get(DEPLOYS, 'default/web') as Deployment
  assert.is(d.spec.replicas, 4)
  assert.is(d.metadata.generation, 2)
  const { conditions, ...status } = f.status()
  assert.equal(status, {
    currentReplicas: 2,
    desiredReplicas: 4,
    lastScaleTime: '2026-01-01T00:00:00Z',
    currentMetrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '90m' } },
      },
    ],
  })
  assert.equal(
    conditions!.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]),
    [
      ['AbleToScale', 'True', 'SucceededRescale', '2026-01-01T00:00:00Z'],
      ['ScalingActive', 'True', 'ValidMetricFound', '2026-01-01T00:00:00Z'],
      ['ScalingLimited', 'False', 'DesiredWithinRange', '2026-01-01T00:00:00Z'],
    ],
  )
  assert.is(
    f.condition('ScalingActive'),
    'True ValidMetricFound: the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
  )
  assert.equal(f.told(), [
    'Normal SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target',
  ])
})

test('clamped at maxReplicas: ScalingLimited TooManyReplicas', async () => {
  const f = await started({ replicas: 2, pods: podsAt(2), hpa: autoscaler({ maxReplicas: 3 }) })
  setCpu(f.metrics, 2, 400)
  await f.sync()
  assert.is(f.replicas(), 3)
  assert.is(
    f.condition('ScalingLimited'),
    'True TooManyReplicas: the desired replica count is more than the maximum replica count',
  )
  assert.is(f.status().desiredReplicas, 3)
})

test('without behavior a scale up is at most max(2 × current, 4): ScaleUpLimit', async () => {
  const f = await started({ replicas: 3, pods: podsAt(3) })
  setCpu(f.metrics, 3, 500) // asks for 30, clamped to 10 by max, then to 6 by the rate
  await f.sync()
  assert.is(f.replicas(), 6)
  assert.match(f.condition('ScalingLimited'), /^True ScaleUpLimit:/)
})

test('within the 10% tolerance nothing is scaled; a sync that sees nothing new writes nothing', async () => {
  const f = await started({ replicas: 2, pods: podsAt(2) })
  setCpu(f.metrics, 2, 54) // 54% against 50%: ratio 1.08
  await f.sync()
  assert.equal(f.writes(), ['update HorizontalPodAutoscaler default/web'])
  assert.is(f.replicas(), 2)
  assert.equal([f.status().currentReplicas, f.status().desiredReplicas], [2, 2])
  assert.not.ok('lastScaleTime' in f.status())
  f.clock.advance(15_000)
  await f.sync()
  assert.equal(f.writes(), [])
  assert.equal(f.told(), [])
})

test('an oscillating metric does not flap: a scale down waits out the 300 s window', async () => {
  const f = await started({ replicas: 4, pods: podsAt(4) })
  for (let i = 0; i < 30; i++) {
    setCpu(f.metrics, 4, i % 2 ? 20 : 50) // 100% (keep 4) and 40% (asks for 2) in turn
    await f.sync()
    f.clock.advance(15_000)
  }
  assert.is(f.replicas(), 4, 'never scaled while the metric swings')
  assert.equal(
    f.writes().filter((w) => w.startsWith('update Deployment')),
    [],
  )
  assert.is(
    f.condition('AbleToScale'),
    'True ScaleDownStabilized: recent recommendations were higher than current one, applying the highest recent recommendation',
  )
  // low from now on: the last high recommendation leaves the window 300 s after it was made
  setCpu(f.metrics, 4, 20)
  let syncs = 0
  while (f.replicas() === 4) {
    await f.sync()
    f.clock.advance(15_000)
    syncs++
  }
  assert.is(f.replicas(), 2)
  assert.is(
    syncs,
    20,
    'the 20th sync after the last high one (285 s later: 300 s since the one before)',
  )
  assert.equal(f.told(), [
    'Normal SuccessfulRescale: New size: 2; reason: All metrics below target',
  ])
})

test('pods without a cpu request: ScalingActive False FailedGetResourceMetric, Events once', async () => {
  const f = await started({ replicas: 2, pods: podsAt(2, { cpu: '' }) })
  setCpu(f.metrics, 2, 90)
  await f.sync()
  assert.equal(f.writes(), ['update HorizontalPodAutoscaler default/web'])
  assert.is(f.replicas(), 2)
  assert.is(
    f.condition('ScalingActive'),
    'False FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container web of Pod web-1',
  )
  assert.is(
    f.condition('AbleToScale'),
    "True SucceededGetScale: the HPA controller was able to get the target's current scale",
  )
  const expected = [
    'Warning FailedGetResourceMetric: failed to get cpu utilization: missing request for cpu in container web of Pod web-1',
    'Warning FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: missing request for cpu in container web of Pod web-1',
  ]
  assert.equal(f.told(), expected)
  f.clock.advance(15_000)
  await f.sync()
  assert.equal(f.writes(), [])
  assert.equal(f.told(), expected, 'the same warnings are not told again')
})

test('no metrics yet: FailedGetResourceMetric, nothing scaled', async () => {
  const f = await started({ replicas: 2, pods: podsAt(2) })
  await f.sync()
  assert.is(f.replicas(), 2)
  assert.is(
    f.condition('ScalingActive'),
    'False FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
  )
})

test('a pod without a sample counts as 0% on the way up, and a Pending one too: conservative', async () => {
  const pods = [...podsAt(3), pod('web-4', { phase: 'Pending' })]
  const f = await started({ replicas: 4, pods })
  setCpu(f.metrics, 2, 60) // web-1, web-2 at 60%; web-3 has no sample; web-4 is Pending
  // alone they would ask for ceil(1.2 × 2) = 3, fewer pods while over the target; with web-3 and
  // web-4 at 0 it is 30%, a way down: the assumptions turn the direction around, the count stays
  await f.sync()
  assert.is(f.replicas(), 4)
  assert.is(f.status().currentMetrics![0].resource!.current.averageUtilization, 60)
  // on the way down the missing pod counts at 100% of its request: 10% + 10% + 100% → 40%
  const g = await started({ replicas: 3, pods: podsAt(3) })
  setCpu(g.metrics, 2, 10)
  await g.sync()
  assert.is(g.replicas(), 3, 'would be 1 without web-3; 40% of 50 asks for ceil(0.8 × 3) = 3')
})

test('behavior: a Pods policy limits each period; the scale-up window stabilizes', async () => {
  const behavior = {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max' as const,
      policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }],
    },
    scaleDown: {
      stabilizationWindowSeconds: 30,
      selectPolicy: 'Max' as const,
      policies: [{ type: 'Percent' as const, value: 50, periodSeconds: 60 }],
    },
  }
  const f = await started({ replicas: 2, pods: podsAt(2), hpa: autoscaler({ behavior }) })
  setCpu(f.metrics, 2, 200) // asks for 8
  const seen: number[] = []
  for (let i = 0; i < 9; i++) {
    await f.sync()
    seen.push(f.replicas()!)
    f.clock.advance(15_000)
  }
  assert.equal(seen, [3, 3, 3, 3, 4, 4, 4, 4, 5], 'one pod a minute')
  assert.is(
    f.condition('ScalingLimited'),
    'True ScaleUpLimit: the desired replica count is increasing faster than the maximum scale rate',
  )
  // down: once the high recommendations are 30 s old; at most half of the count the period
  // (60 s) started with — 4, since one pod was added within it
  f.fake.seed(PODS, ...podsAt(5))
  setCpu(f.metrics, 5, 5)
  const down: number[] = []
  for (let i = 0; i < 4; i++) {
    await f.sync()
    down.push(f.replicas()!)
    f.clock.advance(15_000)
  }
  assert.equal(down, [5, 2, 2, 2])
  assert.equal(
    f.told().filter((e) => e.includes('below target')),
    ['Normal SuccessfulRescale: New size: 2; reason: All metrics below target'],
  )
})

test('behavior selectPolicy Disabled on scale down: never scales down', async () => {
  const behavior = {
    scaleDown: {
      selectPolicy: 'Disabled' as const,
      policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }],
    },
    scaleUp: { policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] },
  }
  const f = await started({
    replicas: 4,
    pods: podsAt(4),
    hpa: autoscaler({ behavior }),
    options: { downscaleStabilizationMs: 0 },
  })
  setCpu(f.metrics, 4, 5)
  await f.sync()
  assert.is(f.replicas(), 4)
  assert.match(f.condition('ScalingLimited'), /^True ScaleDownLimit:/)
})

test('a Pods metric (request rate) and an Object metric from a source that has them: the larger wins', async () => {
  const rps = { metric: { name: 'http_requests_per_second' } }
  const hpa = autoscaler({
    metrics: [
      { type: 'Pods', pods: { ...rps, target: { type: 'AverageValue', averageValue: '10' } } },
      {
        type: 'Object',
        object: {
          ...rps,
          describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' },
          target: { type: 'Value', value: '100' },
        },
      },
    ],
  })
  const f = await started({ replicas: 2, pods: podsAt(2), hpa })
  f.metrics.custom.set(
    'http_requests_per_second',
    new Map([
      ['web-1', 15],
      ['web-2', 20],
    ]),
  )
  f.metrics.objects.set('Service/web/http_requests_per_second', 150)
  await f.sync()
  // Pods: average 17.5 against 10 → ceil(1.75 × 2) = 4; Object: 150 / 100 × 2 ready → 3
  assert.is(f.replicas(), 4)
  assert.equal(f.status().currentMetrics, [
    { type: 'Pods', pods: { ...rps, current: { averageValue: '17500m' } } },
    {
      type: 'Object',
      object: {
        ...rps,
        describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' },
        current: { value: '150' },
      },
    },
  ])
  assert.equal(f.told(), [
    'Normal SuccessfulRescale: New size: 4; reason: pods metric http_requests_per_second above target',
  ])
})

test('a Pods metric no source has: FailedGetPodsMetric', async () => {
  const hpa = autoscaler({
    metrics: [
      {
        type: 'Pods',
        pods: {
          metric: { name: 'http_requests_per_second' },
          target: { type: 'AverageValue', averageValue: '10' },
        },
      },
    ],
  })
  const f = await started({ replicas: 2, pods: podsAt(2), hpa })
  await f.sync()
  assert.is(
    f.condition('ScalingActive'),
    'False FailedGetPodsMetric: the HPA was unable to compute the replica count: unable to get metric http_requests_per_second: unable to fetch metrics from custom metrics API: the server could not find the metric http_requests_per_second for pods',
  )
})

test('outside min/max: set to the bound without metrics; a target at 0 is left alone; a missing target', async () => {
  const f = await started({ replicas: 12, pods: podsAt(2) })
  await f.sync()
  assert.is(f.replicas(), 10)
  assert.equal(f.told(), [
    'Normal SuccessfulRescale: New size: 10; reason: Current number of replicas above Spec.MaxReplicas',
  ])
  const z = await started({ replicas: 0, pods: [] })
  await z.sync()
  assert.equal(z.writes(), ['update HorizontalPodAutoscaler default/web'])
  assert.is(
    z.condition('ScalingActive'),
    'False ScalingDisabled: scaling is disabled since the replica count of the target is zero',
  )
  const gone = await started({ replicas: 1, pods: [] })
  gone.fake.delete(DEPLOYS, 'default/web')
  await gone.sync()
  assert.is(
    gone.condition('AbleToScale'),
    `False FailedGetScale: the HPA controller was unable to get the target's current scale: deployments.apps "web" not found`,
  )
  assert.equal(gone.told(), ['Warning FailedGetScale: deployments.apps "web" not found'])
})

test('a deleted autoscaler is forgotten; its key is not looked at again', async () => {
  const f = await started({ replicas: 2, pods: podsAt(2) })
  f.fake.delete(HPAS, 'default/web')
  assert.is(await f.sync(), undefined)
  assert.equal(f.writes(), [])
})

test.run()
