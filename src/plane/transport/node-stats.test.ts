import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { StatsReport } from '../../api/index.ts'
import { FakeClock } from '../../core/index.ts'
import { NodeStats } from './node-stats.ts'

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

test.run()
