import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  checkRange,
  duplicate,
  invalid,
  invalidMessage,
  notSupported,
  required,
  statusCauses,
} from './field-errors.ts'

test('causes are worded as Kubernetes words them', () => {
  assert.equal(required('spec.containers[0].image'), {
    field: 'spec.containers[0].image',
    message: 'Required value',
  })
  assert.equal(
    invalid('spec.replicas', -1, 'must be greater than or equal to 0').message,
    'Invalid value: -1: must be greater than or equal to 0',
  )
  assert.equal(
    notSupported('spec.restartPolicy', 'x', ['OnFailure', 'Never']).message,
    'Unsupported value: "x": supported values: "OnFailure", "Never"',
  )
  assert.equal(duplicate('spec.containers[1].name', 'web').message, 'Duplicate value: "web"')
  assert.equal(checkRange('p', 0, 1, 65535), [
    { field: 'p', message: 'Invalid value: 0: must be between 1 and 65535, inclusive' },
  ])
  assert.equal(checkRange('p', 1.5, 0), [
    { field: 'p', message: 'Invalid value: 1.5: must be an integer' },
  ])
  assert.equal(checkRange('p', undefined, 0), [])
})

test('Status causes and the Invalid message', () => {
  const causes = [
    required('spec.containers[0].image'),
    invalid('spec.replicas', -1, 'must be greater than or equal to 0'),
  ]
  assert.equal(statusCauses(causes), [
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
    {
      reason: 'FieldValueInvalid',
      message: 'Invalid value: -1: must be greater than or equal to 0',
      field: 'spec.replicas',
    },
  ])
  assert.is(
    invalidMessage({ kind: 'Pod', name: 'p' }, causes.slice(0, 1)),
    'Pod "p" is invalid: spec.containers[0].image: Required value',
  )
  assert.is(
    invalidMessage({ kind: 'Deployment', group: 'apps', name: 'web' }, causes),
    'Deployment.apps "web" is invalid: [spec.containers[0].image: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
  )
})

test.run()
