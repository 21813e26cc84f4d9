// A scheduling cycle over a cache of nodes: the best node wins, and a pod that fits nowhere
// gets kube-scheduler's message, reasons counted over every node and sorted.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Node } from '../../api/index.ts'
import { SchedulerCache } from './cache.ts'
import { Framework, nodesToFind, unschedulableMessage } from './framework.ts'
import { DEFAULT_FILTERS, DEFAULT_SCORES } from './plugins.ts'
import { testPod } from './plugins/view-fixture.ts'

function node(
  name: string,
  o: { memory?: string; ready?: 'True' | 'False'; taint?: string } = {},
): Node {
  return {
    metadata: { name },
    spec: o.taint ? { taints: [{ key: o.taint, value: 'v', effect: 'NoSchedule' }] } : {},
    status: {
      allocatable: { cpu: '2', memory: o.memory ?? '1Gi', pods: '10' },
      conditions: [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  }
}

const framework = () =>
  new Framework({ filters: [...DEFAULT_FILTERS], scores: [...DEFAULT_SCORES] })

test('the node with the most room left wins', () => {
  const cache = new SchedulerCache()
  cache.setNode(node('small', { memory: '1Gi' }))
  cache.setNode(node('large', { memory: '4Gi' }))
  const p = framework().schedule(testPod(), cache)
  assert.ok('node' in p && p.node.name === 'large')
})

test("a pod that fits nowhere: kube-scheduler's message", () => {
  const cache = new SchedulerCache()
  cache.setNode(node('a'))
  cache.setNode(node('b'))
  cache.setNode(node('c', { taint: 'k' }))
  cache.setNode(node('d', { taint: 'k' }))
  cache.setNode(node('e', { ready: 'False' }))
  const big = testPod({
    containers: [{ name: 'm', image: 'x', resources: { requests: { memory: '2Gi' } } }],
  })
  assert.equal(framework().schedule(big, cache), {
    unschedulable:
      '0/5 nodes are available: 1 node(s) were not ready, 2 Insufficient memory, 2 node(s) had untolerated taint {k: v}.',
  })
  assert.is(unschedulableMessage(0, new Map()), 'no nodes available to schedule pods')
})

test('nodes searched: all below 100, then the adaptive share with at least 100', () => {
  assert.is(nodesToFind(50), 50)
  assert.is(nodesToFind(1000), 420)
  assert.is(nodesToFind(150), 100)
  assert.is(nodesToFind(5000), 500)
  assert.is(nodesToFind(1000, 100), 1000)
})

test.run()
