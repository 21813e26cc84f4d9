import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerV1,
  KubeObject,
} from '../types/index.ts'
import { tableRow } from '../tables/index.ts'
import {
  CONDITIONS_ANNOTATION,
  CURRENT_METRICS_ANNOTATION,
  METRICS_ANNOTATION,
  hpaFromV1,
  hpaToV1,
} from './hpa-conversion.ts'
import { resourceFor } from './registry.ts'
import { schemaName, toServedVersion, toStorageVersion } from './served-versions.ts'

const meta = { name: 'web', namespace: 'default' }
const ref = { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }
const cpu = (n: number) => ({
  type: 'Resource' as const,
  resource: {
    name: 'cpu' as const,
    target: { type: 'Utilization' as const, averageUtilization: n },
  },
})
const memory = {
  type: 'Resource' as const,
  resource: {
    name: 'memory' as const,
    target: { type: 'AverageValue' as const, averageValue: '100Mi' },
  },
}

const v1 = (
  spec: Partial<HorizontalPodAutoscalerV1['spec']>,
  extra: Partial<HorizontalPodAutoscalerV1> = {},
): HorizontalPodAutoscalerV1 => ({
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { ...meta },
  spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec },
  ...extra,
})
const v2 = (
  spec: Partial<HorizontalPodAutoscaler['spec']>,
  extra: Partial<HorizontalPodAutoscaler> = {},
): HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { ...meta },
  spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec },
  ...extra,
})

const fromV1 = (o: HorizontalPodAutoscalerV1) => {
  const r = hpaFromV1(o)
  if (!r.ok) throw new Error(r.error)
  return r.value
}

test('targetCPUUtilizationPercentage is the cpu Utilization metric, both ways', () => {
  assert.equal(
    fromV1(v1({ minReplicas: 2, targetCPUUtilizationPercentage: 80 })),
    v2({ minReplicas: 2, metrics: [cpu(80)] }),
  )
  assert.equal(
    hpaToV1(v2({ minReplicas: 2, metrics: [cpu(80)] })),
    v1({ minReplicas: 2, targetCPUUtilizationPercentage: 80 }),
  )
})

test('a cpu AverageValue metric before the Utilization one does not hide it', () => {
  const cpuValue = {
    type: 'Resource' as const,
    resource: {
      name: 'cpu' as const,
      target: { type: 'AverageValue' as const, averageValue: '500m' },
    },
  }
  const served = hpaToV1(v2({ metrics: [cpuValue, cpu(70)] }))
  assert.is(served.spec.targetCPUUtilizationPercentage, 70)
  assert.equal(fromV1(served).spec.metrics, [cpuValue, cpu(70)])
})

test('a v1 HPA without a target gets CPU at 80 % (the old controller default, made explicit)', () => {
  assert.equal(fromV1(v1({})).spec.metrics, [cpu(80)])
})

test('other metrics ride in the metrics annotation in v1 MetricSpec form, and come back before the cpu metric', () => {
  const stored = v2({ metrics: [cpu(60), memory] })
  const served = hpaToV1(stored)
  assert.is(served.spec.targetCPUUtilizationPercentage, 60)
  assert.equal(JSON.parse(served.metadata.annotations![METRICS_ANNOTATION]), [
    { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
  ])
  assert.equal(fromV1(served).spec.metrics, [memory, cpu(60)])
  // a memory metric alone: no target in v1, and no 80 % cpu default on the way back
  const memOnly = hpaToV1(v2({ metrics: [memory] }))
  assert.is(memOnly.spec.targetCPUUtilizationPercentage, undefined)
  assert.equal(fromV1(memOnly), v2({ metrics: [memory] }))
})

test('status: the cpu current metric is currentCPUUtilizationPercentage; all current metrics and conditions in annotations', () => {
  const conditions = [{ type: 'AbleToScale', status: 'True' as const, reason: 'ReadyForNewScale' }]
  const currentMetrics = [
    {
      type: 'Resource' as const,
      resource: { name: 'cpu' as const, current: { averageUtilization: 42, averageValue: '210m' } },
    },
    {
      type: 'Resource' as const,
      resource: { name: 'memory' as const, current: { averageValue: '80Mi' } },
    },
  ]
  const stored = v2(
    { metrics: [cpu(80)] },
    {
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        observedGeneration: 4,
        lastScaleTime: '2026-11-29T09:00:00Z',
        currentMetrics,
        conditions,
      },
    },
  )
  const served = hpaToV1(stored)
  assert.equal(served.status, {
    observedGeneration: 4,
    lastScaleTime: '2026-11-29T09:00:00Z',
    currentReplicas: 2,
    desiredReplicas: 3,
    currentCPUUtilizationPercentage: 42,
  })
  assert.equal(JSON.parse(served.metadata.annotations![CURRENT_METRICS_ANNOTATION])[0], {
    type: 'Resource',
    resource: { name: 'cpu', currentAverageUtilization: 42, currentAverageValue: '210m' },
  })
  assert.equal(JSON.parse(served.metadata.annotations![CONDITIONS_ANNOTATION]), conditions)
  assert.equal(fromV1(served), stored)
  // a v1 status alone (a v1 client writing status): the cpu utilization becomes the one current metric
  const written = fromV1(
    v1(
      { targetCPUUtilizationPercentage: 80 },
      { status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 95 } },
    ),
  )
  assert.equal(written.status, {
    currentReplicas: 1,
    desiredReplicas: 1,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 95 } } },
    ],
  })
})

test('round trips: v2 → v1 → v2 keeps everything, user annotations included; v2 never shows the round-trip annotations', () => {
  const stored = v2(
    {
      minReplicas: 1,
      metrics: [memory, cpu(70)],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    } as never,
    { metadata: { ...meta, annotations: { team: 'a' } } },
  )
  const back = fromV1(hpaToV1(stored))
  assert.equal(back, stored)
  assert.equal(back.metadata.annotations, { team: 'a' })
  const plain = v1({ minReplicas: 2, targetCPUUtilizationPercentage: 50 })
  assert.equal(hpaToV1(fromV1(plain)), plain)
})

test('malformed round-trip annotation JSON is an error value; malformed specs are left for validation', () => {
  const r = hpaFromV1(
    v1({}, { metadata: { ...meta, annotations: { [METRICS_ANNOTATION]: '[{' } } }),
  )
  assert.not.ok(r.ok)
  assert.match(!r.ok ? r.error : '', METRICS_ANNOTATION)
  const odd = hpaFromV1({ ...v1({}), spec: 'x' } as never)
  assert.equal(odd.ok && odd.value.spec, 'x' as never)
})

test('the served-version hook: identity at the storage version, conversion at v1; v1 has its own schema name', () => {
  const atV2 = resourceFor({
    group: 'autoscaling',
    version: 'v2',
    resource: 'horizontalpodautoscalers',
  })!
  const atV1 = resourceFor({
    group: 'autoscaling',
    version: 'v1',
    resource: 'horizontalpodautoscalers',
  })!
  const stored = v2({ metrics: [cpu(80)] })
  assert.is(toServedVersion(atV2, stored), stored)
  assert.is(
    (toServedVersion(atV1, stored) as KubeObject as HorizontalPodAutoscalerV1).spec
      .targetCPUUtilizationPercentage,
    80,
  )
  const back = toStorageVersion(atV1, toServedVersion(atV1, stored))
  assert.equal(back.ok && back.value, stored)
  assert.is(schemaName(atV2), 'HorizontalPodAutoscaler')
  assert.is(schemaName(atV1), 'autoscaling/v1/HorizontalPodAutoscaler')
})

test('table rows read a v1 object through v2: TARGETS shows the cpu target', () => {
  const served = hpaToV1(
    v2(
      { minReplicas: 2, metrics: [cpu(80)] },
      { metadata: { ...meta, creationTimestamp: new Date().toISOString() } },
    ),
  )
  assert.equal(tableRow(served, Date.now(), 'HorizontalPodAutoscaler').cells.slice(0, 5), [
    'web',
    'Deployment/web',
    'cpu: <unknown>/80%',
    '2',
    5,
  ])
})

test.run()
