import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseLabelSelector, type KubeObject, type Requirement } from '../../api/index.ts'
import { FakeClock } from '../../core/index.ts'
import { requestMetrics, type PodRequestSource } from './request-metrics.ts'

const selector = (s: string): Requirement[] => {
  const parsed = parseLabelSelector(s)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}
const pod = (name: string, app: string) =>
  ({ metadata: { name, namespace: 'default', labels: { app } } }) as KubeObject
const rate = (name: string, ...perContainer: number[]) => ({
  name,
  timestamp: 5000 + perContainer.length,
  windowMs: 10_000,
  containers: perContainer.map((requestsPerSecond) => ({ requestsPerSecond })),
})
const objects: Record<string, KubeObject[]> = {
  Pod: [pod('web-1', 'web'), pod('web-2', 'web'), pod('web-3', 'web'), pod('db-1', 'db')],
  Service: [
    { metadata: { name: 'web' } } as KubeObject,
    { metadata: { name: 'idle' } } as KubeObject,
  ],
  EndpointSlice: [
    slice('web-abc', 'web', ['web-1', 'web-2']),
    slice('web-def', 'web', ['web-3']),
    slice('db-abc', 'db', ['db-1']),
  ],
}
function slice(name: string, service: string, pods: string[]): KubeObject {
  return {
    metadata: { name, labels: { 'kubernetes.io/service-name': service } },
    endpoints: pods.map((p) => ({ addresses: [], targetRef: { kind: 'Pod', name: p } })),
  } as unknown as KubeObject
}

let stats: PodRequestSource | undefined = {
  pods: () => [rate('web-1', 4, 2), rate('web-2', 9), rate('db-1', 100), rate('gone', 7)],
}
const listed: string[] = []
const source = requestMetrics({
  usage: () => stats,
  list: async (kind, ns) => (listed.push(`${kind} ${ns}`), objects[kind]!),
  clock: new FakeClock(777),
})
const q = { namespace: 'default', selector: selector('app=web'), metricSelector: [] }

test('type Pods: each selected reporting pod, its containers summed; both names', async () => {
  const want = [
    { pod: 'web-1', value: 6, timestamp: 5002, windowMs: 10_000 },
    { pod: 'web-2', value: 9, timestamp: 5001, windowMs: 10_000 },
  ]
  assert.equal(await source.podCustomMetric('http_requests_per_second', q), want)
  assert.equal(await source.podCustomMetric('requests_per_second', q), want)
  assert.is(await source.podCustomMetric('queue_length', q), undefined)
  const labelled = { ...q, metricSelector: selector('verb=GET') }
  assert.equal(await source.podCustomMetric('http_requests_per_second', labelled), [])
})

test('type Object: a Service is the sum over its endpoints pods; a pod its own', async () => {
  const web = { kind: 'Service', name: 'web', apiVersion: 'v1' }
  const on = (object: typeof web) => ({ namespace: 'default', object, metricSelector: [] })
  assert.equal(await source.objectMetric('requests_per_second', on(web)), {
    value: 15,
    timestamp: 5002,
  })
  const idle = { ...web, name: 'idle' }
  assert.equal(await source.objectMetric('requests_per_second', on(idle)), {
    value: 0,
    timestamp: 777,
  })
  assert.is(
    await source.objectMetric('requests_per_second', on({ ...web, name: 'nope' })),
    undefined,
  )
  const db1 = { kind: 'Pod', name: 'db-1', apiVersion: 'v1' }
  assert.equal((await source.objectMetric('http_requests_per_second', on(db1)))?.value, 100)
  const deployment = { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }
  assert.is(await source.objectMetric('requests_per_second', on(deployment)), undefined)
  assert.is(await source.objectMetric('latency', on(web)), undefined)
})

test('no transport: no such metric, and nothing is read', async () => {
  stats = undefined
  listed.length = 0
  assert.is(await source.podCustomMetric('http_requests_per_second', q), undefined)
  const web = { kind: 'Service', name: 'web', apiVersion: 'v1' }
  assert.is(await source.objectMetric('requests_per_second', { ...q, object: web }), undefined)
  assert.equal(listed, [])
})

test.run()
