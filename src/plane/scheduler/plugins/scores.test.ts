// The score plugins, each a pure function over a pod view, a node view and the pod's context.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SchedulerCache } from '../cache.ts'
import type { ScoreContext } from '../types.ts'
import { leastAllocated } from './least-allocated.ts'
import { ownerSpread } from './owner-spread.ts'
import { imageLocality } from './image-locality.ts'
import { preferNoSchedule } from './taint-toleration.ts'
import { testNode, testPod } from './view-fixture.ts'

const none: ScoreContext = { ownerNodes: undefined, ownerMaxPerNode: 0, ownerByLabel: [] }

test('least allocated: more room left scores higher; a pod without requests counts 100m/200Mi', () => {
  const cache = new SchedulerCache()
  const idle = testNode({
    name: 'idle',
    cache,
    status: { allocatable: { cpu: '1', memory: '1000Mi', pods: '10' } },
  })
  const busy = testNode({
    name: 'busy',
    cache,
    status: { allocatable: { cpu: '1', memory: '1000Mi', pods: '10' } },
  })
  cache.addPod('default/x', { node: 'busy', requests: { cpu: 500, memory: 500 * 2 ** 20 } })
  const pod = testPod()
  // idle after the pod: cpu 900/1000 free, memory 800/1000 → (90 + 80) / 2
  assert.is(leastAllocated.score(pod, idle, none), 85)
  assert.is(leastAllocated.score(pod, busy, none), 35)
})

test('owner spread: fewer of the owner on the node and in its zone scores higher', () => {
  const cache = new SchedulerCache()
  const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z })
  const a1 = testNode({ name: 'a1', labels: zone('a'), cache })
  const a2 = testNode({ name: 'a2', labels: zone('a'), cache })
  const b1 = testNode({ name: 'b1', labels: zone('b'), cache })
  const owned = {
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-1', controller: true },
    ],
  }
  cache.addPod('default/r0', { node: 'a1', requests: { cpu: 0, memory: 0 }, owner: 'rs-1' })
  const pod = testPod({}, owned)
  const ctx: ScoreContext = {
    ownerNodes: cache.ownerNodes('rs-1'),
    ownerMaxPerNode: 1,
    ownerByLabel: pod.spreadKeys.map((k) => cache.ownerByLabel('rs-1', k)),
  }
  const s = (n: typeof a1) => ownerSpread.score(pod, n, ctx)
  assert.is(s(a1), 0) // the crowded node in the crowded zone
  assert.is(s(a2), 100 / 3) // an empty node in the crowded zone
  assert.is(s(b1), 100) // an empty zone
  assert.is(ownerSpread.score(testPod(), a1, none), 100) // no owner: every node alike
  // the zone's count follows pods as they are bound and removed
  cache.addPod('default/r1', { node: 'b1', requests: { cpu: 0, memory: 0 }, owner: 'rs-1' })
  assert.equal(
    [...cache.ownerByLabel('rs-1', 'topology.kubernetes.io/zone').counts],
    [
      ['a', 1],
      ['b', 1],
    ],
  )
  cache.removePod('default/r0')
  assert.equal([...cache.ownerByLabel('rs-1', 'topology.kubernetes.io/zone').counts], [['b', 1]])
})

test('owner spread: the topologySpreadConstraints name the labels spread across', () => {
  const pod = testPod({
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'site', whenUnsatisfiable: 'ScheduleAnyway' },
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' },
    ],
  })
  assert.equal(pod.spreadKeys, ['site'])
  assert.equal(testPod().spreadKeys, ['topology.kubernetes.io/zone'])
})

test('image locality: a node holding the component digest scores higher', () => {
  const digest = 'sha256:' + 'a'.repeat(64)
  const pod = testPod({ containers: [{ name: 'm', image: `registry.local/hello@${digest}` }] })
  const has = testNode({ status: { images: [{ names: [digest] }] } })
  assert.is(imageLocality.score(pod, has, none), 100)
  assert.is(imageLocality.score(pod, testNode(), none), 0)
  const byName = testPod({ containers: [{ name: 'm', image: 'hello:1' }] })
  assert.is(
    imageLocality.score(byName, testNode({ status: { images: [{ names: ['hello:1'] }] } }), none),
    100,
  )
})

test('PreferNoSchedule: each untolerated taint costs a quarter', () => {
  const node = testNode({
    node: {
      taints: [
        { key: 'a', effect: 'PreferNoSchedule' },
        { key: 'b', effect: 'PreferNoSchedule' },
      ],
    },
  })
  assert.is(preferNoSchedule.score(testPod(), node, none), 50)
  assert.is(
    preferNoSchedule.score(
      testPod({ tolerations: [{ key: 'a', operator: 'Exists' }] }),
      node,
      none,
    ),
    75,
  )
  assert.is(preferNoSchedule.score(testPod(), testNode(), none), 100)
})

test.run()
