import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { scaleOf } from '../resources/index.ts'
import { applyPatch, patchTypeFor } from './patch.ts'

test('content types name patch types', () => {
  assert.is(patchTypeFor('application/strategic-merge-patch+json'), 'strategic')
  assert.is(patchTypeFor('application/merge-patch+json; charset=utf-8'), 'merge')
  assert.is(patchTypeFor('application/json-patch+json'), 'json')
  assert.is(patchTypeFor('application/apply-patch+yaml'), 'apply')
  assert.is(patchTypeFor('text/plain'), undefined)
  assert.is(patchTypeFor(undefined), undefined)
})

test('applyPatch dispatches on the type', () => {
  const pod = {
    spec: {
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
    },
  }
  const smp = applyPatch<any>(pod, {
    type: 'strategic',
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
    kind: 'Pod',
  })
  assert.equal(smp.ok && smp.value.spec.containers.length, 2)
  const merge = applyPatch<any>(pod, {
    type: 'merge',
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
    kind: 'Pod',
  })
  assert.equal(merge.ok && merge.value.spec.containers.length, 1)
  const json = applyPatch<any>(pod, {
    type: 'json',
    patch: [{ op: 'remove', path: '/spec/containers/0' }],
    kind: 'Pod',
  })
  assert.equal(json.ok && json.value.spec.containers, [{ name: 'b', image: 'b:1' }])
})

test('scaleOf gives the Scale kubectl scale reads', () => {
  const d = {
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '7' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [] } },
    },
    status: { replicas: 2 },
  }
  assert.equal(scaleOf(d as any), {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '7' },
    spec: { replicas: 3 },
    status: { replicas: 2, selector: 'app=web' },
  })
})

test.run()
