import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { StatsReport } from '../../api/index.ts'
import { FakeClock } from '../../core/index.ts'
import { bucketQuantile, NodeStats } from './node-stats.ts'

const second = 1e9 // ns of CPU in one second

function report(
  time: number,
  cpu: number,
  containers: StatsReport['pods'][number]['containers'],
): StatsReport {
  return {
    type: 'stats',
    time,
    node: {
      cpuNanos: cpu * second,
      memoryBytes: 500e6,
      agent: { cpuNanos: (cpu / 10) * second, memoryBytes: 40e6 },
    },
    pods: [{ uid: 'u1', namespace: 'default', name: 'web', containers }],
  }
}

test('rates come from two samples: CPU as millicores over the window, requests per second', () => {
  const clock = new FakeClock()
  const stats = new NodeStats({ clock })
  const t0 = clock.now()
  stats.record(
    'pi-1',
    report(t0, 100, [
      {
        name: 'main',
        cpuNanos: 1 * second,
        memoryBytes: 1 << 20,
        requests: 10,
        startTime: t0 - 60_000,
      },
    ]),
  )
  assert.is(stats.node('pi-1'), undefined, 'one sample has no window yet')
  clock.advance(10_000)
  stats.record(
    'pi-1',
    report(t0 + 10_000, 105, [
      {
        name: 'main',
        cpuNanos: 3 * second,
        memoryBytes: 2 << 20,
        requests: 60,
        startTime: t0 - 60_000,
      },
    ]),
  )
  const node = stats.node('pi-1')!
  assert.equal(
    [
      node.cpuMillicores,
      node.memoryBytes,
      node.windowMs,
      node.agent.cpuMillicores,
      node.agent.memoryBytes,
    ],
    [500, 500e6, 10_000, 50, 40e6],
  )
  const pod = stats.pod('default', 'web')!
  assert.is(pod.node, 'pi-1')
  assert.equal(pod.containers, [
    { name: 'main', cpuMillicores: 200, memoryBytes: 2 << 20, requestsPerSecond: 5 },
  ])
  assert.is(stats.nodes().length, 1)
  assert.is(stats.pods('kube-system').length, 0)
})

test('a container that restarted within the window is measured from its start; a late sample is ignored', () => {
  const clock = new FakeClock()
  const stats = new NodeStats({ clock })
  const t0 = clock.now()
  stats.record(
    'pi-1',
    report(t0, 100, [
      { name: 'main', cpuNanos: 9 * second, memoryBytes: 1, requests: 900, startTime: t0 - 60_000 },
    ]),
  )
  clock.advance(10_000)
  const restarted = {
    name: 'main',
    cpuNanos: second / 2,
    memoryBytes: 1,
    requests: 20,
    startTime: t0 + 5_000,
  }
  stats.record('pi-1', report(t0 + 10_000, 101, [restarted]))
  stats.record('pi-1', report(t0 + 1, 100, [])) // a duplicate arriving late
  const c = stats.pod('default', 'web')!.containers[0]
  assert.equal([c.cpuMillicores, c.requestsPerSecond], [100, 4])
  assert.is(stats.node('pi-1')!.cpuMillicores, 100)
})

test("a node's figures go with its connection, and when they are stale", () => {
  const clock = new FakeClock()
  const stats = new NodeStats({ clock, staleMs: 30_000 })
  const t0 = clock.now()
  for (const node of ['a', 'b']) {
    stats.record(node, report(t0, 1, []))
    stats.record(node, report(t0 + 5_000, 2, []))
  }
  stats.forget('a')
  assert.equal(
    stats.nodes().map((n) => n.node),
    ['b'],
  )
  clock.advance(30_001)
  assert.equal(stats.nodes(), [])
  assert.equal(stats.pods(), [])
})

const buckets = (at: Record<number, number>) => Array.from({ length: 14 }, (_, i) => at[i] ?? 0)
const ep = (pod: string, requests: number, errors: number, latency: number[]) => ({
  ...{ namespace: 'default', service: 'web', pod, requests, errors, latency },
})
const withMesh = (time: number, mesh: StatsReport['mesh']): StatsReport => ({
  ...report(time, 1, []),
  mesh,
})

test('quantiles of latency buckets: interpolated within a bucket; none without attempts', () => {
  assert.is(bucketQuantile(buckets({}), 0.5), undefined)
  assert.is(bucketQuantile(buckets({ 3: 10 }), 0.5), 7.5) // bucket 5–10 ms, halfway
  assert.is(bucketQuantile(buckets({ 0: 99, 6: 1 }), 0.5), 50 / 99)
  assert.is(bucketQuantile(buckets({ 0: 98, 6: 2 }), 0.99), 75) // 50–100 ms, halfway
  assert.is(bucketQuantile(buckets({ 13: 4 }), 0.99), 10_000, 'slower than the last bound')
})

test("per pod, the meshes' error rate and latency over the window, summed over the nodes", () => {
  const clock = new FakeClock()
  const stats = new NodeStats({ clock })
  const t0 = clock.now()
  assert.equal(stats.mesh(), [], 'nothing yet')
  stats.record('pi-1', withMesh(t0, [ep('p1', 100, 2, buckets({ 3: 100 }))]))
  stats.record('pi-2', withMesh(t0, [ep('p1', 0, 0, buckets({}))]))
  stats.record('pi-3', report(t0, 1, [])) // an older agent: no mesh field
  assert.equal(stats.mesh(), [], 'one sample is no window')
  clock.advance(10_000)
  // pi-1: 50 more attempts in 10 s, 5 failed, all 5–10 ms; pi-2: 50, none failed, 50–100 ms
  stats.record('pi-1', withMesh(t0 + 10_000, [ep('p1', 150, 7, buckets({ 3: 150 }))]))
  stats.record(
    'pi-2',
    withMesh(t0 + 10_000, [ep('p1', 50, 0, buckets({ 6: 50 })), ep('p2', 1, 0, buckets({ 0: 1 }))]),
  )
  stats.record('pi-3', report(t0 + 10_000, 1, []))
  const [p1, ...rest] = stats.mesh()
  assert.equal(rest, [], 'p2 is new to pi-2: no window yet')
  assert.equal(
    [p1!.namespace, p1!.pod, p1!.requestsPerSecond, p1!.errorsPerSecond],
    ['default', 'p1', 10, 0.5],
  )
  assert.is(p1!.latencyP50Ms, 10, 'half the attempts took at most 10 ms')
  assert.is(p1!.latencyP99Ms, 99) // 50–100 ms bucket, 49 of its 50 in
  assert.equal(stats.mesh('other'), [])
  // pi-1's agent restarted: its counters went back — no window from it this time
  clock.advance(10_000)
  stats.record('pi-1', withMesh(t0 + 20_000, [ep('p1', 3, 0, buckets({ 0: 3 }))]))
  stats.record('pi-2', withMesh(t0 + 20_000, [ep('p1', 50, 0, buckets({ 6: 50 }))]))
  const [idle] = stats.mesh()
  assert.equal(idle, { namespace: 'default', pod: 'p1', requestsPerSecond: 0, errorsPerSecond: 0 })
})

test.run()
