import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { KubeObject } from '../types/index.ts'
import { deletionFinalizers, hasPendingFinalizers } from './deletion.ts'

const apps = { group: 'apps', kind: 'Deployment' }
const job = { group: 'batch', kind: 'Job' }
const obj = (finalizers?: string[]): KubeObject => ({ metadata: { name: 'x', finalizers } })

test('the policy asked for adds its finalizer and drops the other, keeping anyone else’s', () => {
  const held = obj(['example.com/hold', 'orphan'])
  assert.equal(deletionFinalizers(held, { policy: 'Foreground', kind: apps }), [
    'example.com/hold',
    'foregroundDeletion',
  ])
  assert.equal(deletionFinalizers(held, { policy: 'Background', kind: apps }), ['example.com/hold'])
  assert.equal(deletionFinalizers(obj(), { policy: 'Orphan', kind: apps }), ['orphan'])
})

test('without a policy: a pending one is kept, else the kind’s default (batch/v1 Job orphans)', () => {
  const pending = obj(['foregroundDeletion'])
  assert.is(deletionFinalizers(pending, { kind: apps }), pending.metadata.finalizers, 'unchanged')
  assert.equal(deletionFinalizers(obj(), { kind: apps }), [])
  assert.equal(deletionFinalizers(obj(), { kind: job }), ['orphan'])
  assert.equal(deletionFinalizers(obj(), { policy: 'Background', kind: job }), [])
})

test('a Namespace waits for its spec.finalizers too', () => {
  const ns = { metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] } } as KubeObject
  assert.ok(hasPendingFinalizers(ns, 'Namespace'))
  assert.not.ok(hasPendingFinalizers(ns, 'ConfigMap'))
  assert.not.ok(
    hasPendingFinalizers({ ...ns, spec: { finalizers: [] } } as KubeObject, 'Namespace'),
  )
  assert.ok(hasPendingFinalizers(obj(['orphan']), 'Pod'))
})

test.run()
