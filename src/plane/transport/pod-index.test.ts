import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Pod } from '../../api/index.ts'
import { PodIndex } from './pod-index.ts'

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
  const withStatus = { ...pod('a', 'n1'), status: { phase: 'Running' as const } }
  assert.equal(i.apply(key('a'), withStatus, 13), [], 'a status write: no change for the node')
  assert.is(i.setOf('n1').pods[0].pod.status?.phase, 'Running', 'but the newest object is kept')
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

test.run()
