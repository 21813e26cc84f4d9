import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  fieldValue,
  matchesFields,
  parseFieldSelector,
  type FieldRequirement,
} from './field-selector.ts'

function parse(text: string, kind?: string): FieldRequirement[] {
  const r = parseFieldSelector(text, kind)
  if (!r.ok) throw new Error(r.error)
  return r.value
}

test('parses =, == and != terms, empty values and escapes', () => {
  assert.equal(
    parse('metadata.name=X,metadata.namespace=,status.phase==Running,spec.nodeName!=pi-7'),
    [
      { field: 'metadata.name', operator: '=', value: 'X' },
      { field: 'metadata.namespace', operator: '=', value: '' },
      { field: 'status.phase', operator: '=', value: 'Running' },
      { field: 'spec.nodeName', operator: '!=', value: 'pi-7' },
    ],
  )
  assert.equal(parse('metadata.name=a\\,b\\=c'), [
    { field: 'metadata.name', operator: '=', value: 'a,b=c' },
  ])
  assert.equal(parse(''), [])
})

test("describe's event query parses for Events", () => {
  assert.equal(
    parse('involvedObject.name=x,involvedObject.namespace=default,involvedObject.uid=u1', 'Event')
      .length,
    3,
  )
})

test('bad terms and unsupported fields are errors naming the bad part', () => {
  assert.equal(parseFieldSelector('metadata.name=x,foo'), {
    ok: false,
    error: "invalid selector: 'foo'; can't understand 'foo'",
  })
  assert.equal(parseFieldSelector('=x'), {
    ok: false,
    error: "invalid selector: '=x'; can't understand '=x'",
  })
  assert.equal(parseFieldSelector('metadata.name=a\\b'), {
    ok: false,
    error: "invalid selector: 'metadata.name=a\\b'; can't understand 'metadata.name=a\\b'",
  })
  assert.equal(parseFieldSelector('spec.nodeName=x', 'Service'), {
    ok: false,
    error: 'field label not supported: spec.nodeName',
  })
  assert.ok(parseFieldSelector('spec.nodeName=x', 'Pod').ok)
})

test('matching reads the fields of objects', () => {
  const pod = {
    metadata: { name: 'web', namespace: 'default' },
    spec: {},
    status: { phase: 'Running' },
  }
  assert.ok(matchesFields(parse('metadata.name=web,status.phase=Running'), pod))
  assert.ok(matchesFields(parse('spec.nodeName='), pod), 'unscheduled pods have an empty nodeName')
  assert.not.ok(matchesFields(parse('spec.nodeName!='), pod))
  assert.not.ok(matchesFields(parse('metadata.name!=web'), pod))
  assert.is(fieldValue({ spec: {} }, 'spec.unschedulable'), 'false')
  assert.is(fieldValue({ spec: { unschedulable: true } }, 'spec.unschedulable'), 'true')
  assert.is(fieldValue({ source: { component: 'kubelet' } }, 'source'), 'kubelet')
})

test.run()
