import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Pod } from '../../api/index.ts'
import { PodIndex, slimPod } from './pod-index.ts'

const pod = (name: string, node?: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: {
    containers: [{ name: 'app', image: 'x' }],
    ...(node ? { nodeName: node } : {}),
    ...extra,
  },
})
const key = (name: string) => `/registry/core/pods/default/${name}`
const names = (i: PodIndex, node: string) => {
  const s = i.setOf(node)
  return [s.revision, s.pods.map((e) => e.pod.metadata.name)]
}

test('changes: bound, moved, status-only, deleted — which nodes changed, at which revision', () => {
  const i = new PodIndex()
  assert.equal(i.rebuild([], 10), [])
  assert.equal(i.apply(key('a'), pod('a'), 11), [], 'not bound: nobody')
  assert.equal(i.apply(key('a'), pod('a', 'n1'), 12), ['n1'])
  assert.equal(names(i, 'n1'), [12, ['a']])
  const a = pod('a', 'n1')
  const withStatus = {
    ...a,
    metadata: { ...a.metadata, resourceVersion: '13', labels: { x: 'y' } },
    status: { phase: 'Running' as const },
  }
  assert.equal(i.apply(key('a'), withStatus, 13), [], 'a status write: no change for the node')
  const kept = i.setOf('n1').pods[0].pod
  assert.is(kept.metadata.resourceVersion, '13', 'but the newest resourceVersion is kept')
  assert.equal(kept, { metadata: { ...a.metadata, resourceVersion: '13' }, spec: a.spec })
  assert.is(kept.status, undefined, 'and not what the node is not sent (status, labels)')
  assert.equal(i.apply(key('a'), pod('a', 'n2'), 14), ['n1', 'n2'])
  assert.equal(
    [names(i, 'n1'), names(i, 'n2')],
    [
      [14, []],
      [14, ['a']],
    ],
  )
  assert.equal(i.apply(key('a'), undefined, 15), ['n2'])
  assert.equal(names(i, 'n2'), [15, []])
  assert.equal(names(i, 'never-seen'), [10, []], 'an unknown node: empty as of the last list')
})

test('rebuild: only the nodes whose sets differ change, to the list revision', () => {
  const i = new PodIndex()
  i.rebuild(
    [
      { key: key('a'), pod: pod('a', 'n1') },
      { key: key('b'), pod: pod('b', 'n2') },
    ],
    5,
  )
  i.apply(key('c'), pod('c', 'n3'), 6)
  const changed = i.rebuild(
    [
      { key: key('a'), pod: pod('a', 'n1') },
      { key: key('b'), pod: pod('b', 'n2', { activeDeadlineSeconds: 5 }) },
    ],
    9,
  )
  assert.equal(changed.sort(), ['n2', 'n3'])
  assert.equal(
    [names(i, 'n1'), names(i, 'n2'), names(i, 'n3')],
    [
      [5, ['a']],
      [9, ['b']],
      [9, []],
    ],
  )
})

test('slimPod keeps what a desired pod is made of: identity, resourceVersion, deletion, spec', () => {
  const p = pod('d', 'n1')
  const deleting = {
    ...p,
    metadata: {
      ...p.metadata,
      resourceVersion: '9',
      deletionTimestamp: '2026-12-06T04:00:00Z',
      deletionGracePeriodSeconds: 0,
      labels: { app: 'web' },
      annotations: { a: 'b' },
    },
  }
  assert.equal(slimPod(deleting), {
    metadata: {
      name: 'd',
      namespace: 'default',
      uid: 'uid-d',
      resourceVersion: '9',
      deletionTimestamp: '2026-12-06T04:00:00Z',
      deletionGracePeriodSeconds: 0,
    },
    spec: p.spec,
  })
})

test.run()
