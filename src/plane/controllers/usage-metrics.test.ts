import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseLabelSelector, type KubeObject } from '../../api/index.ts'
import { usageMetrics } from './usage-metrics.ts'

const pod = (name: string, app: string) =>
  ({ metadata: { name, namespace: 'default', labels: { app } } }) as KubeObject
const usage = (name: string, cpu: number) => ({
  namespace: 'default',
  name,
  timestamp: 1000,
  windowMs: 10_000,
  containers: [{ name: 'web', cpuMillicores: cpu, memoryBytes: 5, requestsPerSecond: 3 }],
})

test('the usage of the selected pods from the nodes stats; none without a transport', async () => {
  let stats: { pods(ns?: string): ReturnType<typeof usage>[] } | undefined
  const listed: string[] = []
  const source = usageMetrics({
    usage: () => stats,
    pods: async (ns) => (listed.push(ns), [pod('web-1', 'web'), pod('db-1', 'db')]),
  })
  const parsed = parseLabelSelector('app=web')
  if (!parsed.ok) throw new Error(parsed.error)
  const web = parsed.value
  assert.equal(await source.podMetrics('default', web), [])
  assert.equal(listed, [], 'no figures: the pods are not read')
  stats = { pods: () => [usage('web-1', 90), usage('db-1', 400), usage('gone', 1)] }
  assert.equal(await source.podMetrics('default', web), [
    {
      pod: 'web-1',
      timestamp: 1000,
      windowMs: 10_000,
      containers: [{ name: 'web', cpuMillicores: 90, memoryBytes: 5 }],
    },
  ])
  assert.is(await source.podCustomMetric('http_requests_per_second', {} as never), undefined)
})

test.run()
