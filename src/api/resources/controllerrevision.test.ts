// ControllerRevision (apps/v1) as a served kind: what the DaemonSet controller writes and
// kubectl rollout history/undo daemonset read — validation, immutable data, its Table row.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyDefaults } from '../defaults/index.ts'
import { tableColumns, tableRow } from '../tables/index.ts'
import { validate, validateUpdate } from '../validation/index.ts'
import type { ControllerRevision } from '../types/index.ts'
import { resourceByKind } from './registry.ts'

const cr = (): ControllerRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: {
    name: 'agent-5d4f8',
    namespace: 'default',
    creationTimestamp: '2026-01-01T00:00:00Z',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u1', controller: true },
    ],
  },
  data: { spec: { template: { $patch: 'replace', spec: { containers: [] } } } },
  revision: 2,
})

test('served as apps/v1 controllerrevisions, namespaced, no short name', () => {
  const info = resourceByKind('ControllerRevision')!
  assert.equal(
    [info.group, info.version, info.resource, info.namespaced, info.shortNames, info.subresources],
    ['apps', 'v1', 'controllerrevisions', true, [], []],
  )
})

test('validation: data is required, revision not negative; data is immutable', () => {
  assert.equal(validate(applyDefaults(cr())), [])
  const bad = { ...cr(), data: undefined, revision: -1 }
  assert.equal(
    validate(bad).map((c) => c.field),
    ['data', 'revision'],
  )
  const next = { ...cr(), revision: 3 }
  assert.equal(validateUpdate(cr(), next), [])
  const changed = { ...cr(), data: { spec: {} } }
  assert.equal(
    validateUpdate(cr(), changed).map((c) => `${c.field}: ${c.message}`),
    ['data: Invalid value: {"spec":{}}: field is immutable'],
  )
})

test('Table: NAME CONTROLLER REVISION AGE, the controller as daemonset.apps/<name>', () => {
  assert.equal(
    tableColumns('ControllerRevision').map((c) => c.name),
    ['Name', 'Controller', 'Revision', 'Age'],
  )
  assert.equal(tableRow(cr(), Date.parse('2026-01-01T00:05:00Z')).cells, [
    'agent-5d4f8',
    'daemonset.apps/agent',
    2,
    '5m',
  ])
  const orphan = { ...cr(), metadata: { ...cr().metadata, ownerReferences: [] } }
  assert.is(tableRow(orphan, 0).cells[1], '<none>')
})

test.run()
