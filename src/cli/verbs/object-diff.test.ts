import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { holds, threeWayPatch } from './object-diff.ts'

const live = {
  metadata: { name: 'w', labels: { a: '1', b: '2' }, uid: 'u', resourceVersion: '7' },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [{ name: 'c', image: 'i:1', imagePullPolicy: 'IfNotPresent' }],
      },
    },
  },
}

test('the live object holding more than the manifest (defaults, server fields) is no change', () => {
  const manifest = {
    metadata: { name: 'w', labels: { a: '1', b: '2' } },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'i:1' }] } } },
  }
  assert.ok(holds(live, manifest))
  assert.is(threeWayPatch(manifest, manifest, live), undefined)
})

test('a changed list is sent whole; a field the last apply had and this one drops is null', () => {
  const last = { metadata: { name: 'w', labels: { a: '1', b: '2' } }, spec: { replicas: 2 } }
  const manifest = {
    metadata: { name: 'w', labels: { a: '1' } },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'i:2' }] } } },
  }
  assert.equal(threeWayPatch(last, manifest, live), {
    metadata: { labels: { b: null } },
    spec: { replicas: null, template: { spec: { containers: [{ name: 'c', image: 'i:2' }] } } },
  })
})

test('a field another writer added (not in the last apply) is kept', () => {
  const manifest = { metadata: { name: 'w', labels: { a: '1' } } }
  assert.is(threeWayPatch(manifest, manifest, live), undefined)
})

test.run()
