// ReplicaSet (apps/v1) as a served kind: its defaults, validation, immutable selector and
// Table row, as Kubernetes gives them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyDefaults } from '../defaults/index.ts'
import { tableColumns, tableRow } from '../tables/index.ts'
import { validate, validateUpdate } from '../validation/index.ts'
import type { ReplicaSet } from '../types/index.ts'

const rs = (): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-5d4f8', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'hello:1' }] },
    },
  },
})

test('defaults: one replica, the template defaulted as a pod spec', () => {
  const d = applyDefaults(rs())
  assert.is(d.spec.replicas, 1)
  assert.is(d.spec.template!.spec.restartPolicy, 'Always')
})

test('validation names what is wrong', () => {
  assert.equal(validate(applyDefaults(rs())), [])
  const bad = applyDefaults(rs())
  bad.spec.replicas = -1
  bad.spec.template!.metadata!.labels = { app: 'other' }
  const fields = validate(bad).map((c) => c.field)
  assert.ok(fields.includes('spec.replicas'), fields.join())
  assert.ok(fields.includes('spec.template.metadata.labels'), fields.join())
  const noSelector = applyDefaults(rs()) as Partial<ReplicaSet['spec']> & ReplicaSet
  delete (noSelector.spec as Partial<ReplicaSet['spec']>).selector
  assert.ok(validate(noSelector).some((c) => c.field === 'spec.selector'))
})

test('the selector is immutable', () => {
  const old = applyDefaults(rs())
  const next = applyDefaults(rs())
  next.spec.selector = { matchLabels: { app: 'web', tier: 'x' } }
  next.spec.template!.metadata!.labels = { app: 'web', tier: 'x' }
  assert.ok(validateUpdate(old, next).some((c) => c.field === 'spec.selector'))
})

test('Table: NAME DESIRED CURRENT READY AGE', () => {
  const cols = tableColumns('ReplicaSet').filter((c) => !c.priority)
  assert.equal(
    cols.map((c) => c.name),
    ['Name', 'Desired', 'Current', 'Ready', 'Age'],
  )
  const r = {
    ...rs(),
    spec: { ...rs().spec, replicas: 3 },
    status: { replicas: 2, readyReplicas: 1 },
  }
  assert.equal(tableRow(r, Date.parse('2026-01-01T00:05:00Z')).cells.slice(0, 5), [
    'web-5d4f8',
    3,
    2,
    1,
    '5m',
  ])
})

test.run()
