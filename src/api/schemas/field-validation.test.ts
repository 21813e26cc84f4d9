// fieldValidation's wording and order, as kube-apiserver's (test/integration/apiserver/
// field_validation_test.go): create/update in document order (JSON) or duplicate lines first
// (YAML); patches list the patch's duplicates, then the result's unknown fields sorted.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { scanJsonKeys } from '../json/index.ts'
import {
  appliedUnknownError,
  applyProblems,
  objectProblems,
  parseFieldValidation,
  patchProblems,
  warningHeader,
} from './field-validation.ts'

test('parseFieldValidation: absent or empty is Warn; the three values; anything else is named', () => {
  assert.equal(
    [null, undefined, ''].map((v) => parseFieldValidation(v)),
    Array(3).fill({ ok: true, value: 'Warn' }),
  )
  for (const v of ['Strict', 'Warn', 'Ignore'])
    assert.equal(parseFieldValidation(v), { ok: true, value: v })
  assert.equal(parseFieldValidation('strict'), {
    ok: false,
    error: 'Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
  })
})

const invalidJson = `{"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"dupename","name":"x","labels":{"app":"nginx"},"unknownMeta":"metaVal"},
  "spec":{"unknown1":"val1","unknownDupe":"valDupe","unknownDupe":"valDupe2","paused":true,"paused":false,
    "selector":{"matchLabels":{"app":"nginx"}},
    "template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:latest",
      "unknownNested":"val1","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}`

test('JSON body: duplicate and unknown fields in document order, as Kubernetes lists them', () => {
  const p = objectProblems('Deployment', {
    value: JSON.parse(invalidJson),
    source: { json: scanJsonKeys(invalidJson) },
  })
  assert.is(
    p.strict,
    'strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
  )
  assert.is(p.warnings.length, 7)
  assert.is(p.warnings[0], 'duplicate field "metadata.name"')
})

test("YAML body: the decoder's duplicate lines, then unknown fields sorted", () => {
  const dups = [
    { line: 5, key: 'name' },
    { line: 12, key: 'unknownDupe' },
  ]
  const obj = {
    metadata: { unknownMeta: 1 },
    spec: {
      unknown1: 1,
      unknownDupe: 2,
      template: { spec: { containers: [{ unknownNested: 1 }] } },
    },
  }
  const p = objectProblems('Deployment', { value: obj, source: { yaml: dups } })
  assert.is(
    p.strict,
    'strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map\n  line 12: key "unknownDupe" already set in map, unknown field "metadata.unknownMeta", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"',
  )
  assert.equal(p.warnings.slice(0, 3), [
    'line 5: key "name" already set in map',
    'line 12: key "unknownDupe" already set in map',
    'unknown field "metadata.unknownMeta"',
  ])
  assert.equal(objectProblems('Deployment', { value: { spec: {} }, source: { yaml: [] } }), {
    warnings: [],
    strict: '',
  })
})

test('other bodies (CBOR, protobuf): unknown fields in object order', () => {
  assert.equal(
    objectProblems('ConfigMap', {
      value: { dta: 1, data: { a: 'b' }, b: 2 },
      source: { other: true },
    }).warnings,
    ['unknown field "dta"', 'unknown field "b"'],
  )
})

test("patches: the patch's duplicates first, then the patched object's unknown fields sorted", () => {
  const patch =
    '{"spec":{"unknown1":"v","unknownDupe":"a","unknownDupe":"b","paused":true,"paused":false,"template":{"spec":{"containers":[{"name":"n","unknownNested":"v","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}'
  const patched = {
    spec: {
      unknown1: 'v',
      unknownDupe: 'b',
      paused: false,
      template: { spec: { containers: [{ name: 'n', unknownNested: 'v' }] } },
    },
  }
  assert.is(
    patchProblems('Deployment', { patch: JSON.parse(patch), patched, keys: scanJsonKeys(patch) })
      .strict,
    'strict decoding error: duplicate field "spec.unknownDupe", duplicate field "spec.paused", duplicate field "spec.template.spec.containers[0].imagePullPolicy", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"',
  )
})

test("JSON patches: the operations' own unknown and duplicate keys, then the result's unknown fields", () => {
  const ops =
    '[{"op":"add","path":"/spec/unknown1","value":"v","foo":"bar"},{"op":"add","path":"/spec/unknown2","path":"/spec/unknown3","value":{"a":1,"a":2}}]'
  const patched = { spec: { unknown1: 'v', unknown3: { a: 2 } } }
  assert.is(
    patchProblems('Deployment', { patch: JSON.parse(ops), patched, keys: scanJsonKeys(ops) })
      .strict,
    'strict decoding error: json patch unknown field "[0].foo", json patch duplicate field "[1].path", unknown field "spec.unknown1", unknown field "spec.unknown3"',
  )
})

test('server-side apply: duplicate lines as a YAML conversion error; unknown fields as a typed-object failure', () => {
  const d = applyProblems([
    { line: 10, key: 'paused' },
    { line: 27, key: 'imagePullPolicy' },
  ])
  assert.is(
    d.strict,
    'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 10: key "paused" already set in map\n  line 27: key "imagePullPolicy" already set in map',
  )
  assert.equal(d.warnings, [
    'line 10: key "paused" already set in map',
    'line 27: key "imagePullPolicy" already set in map',
  ])
  assert.is(
    appliedUnknownError(
      { spec: { topologyKeys: [] } },
      { kind: 'Service', apiVersion: 'v1', namespace: 'general', name: 'admin-api' },
    ),
    'failed to create typed patch object (general/admin-api; /v1, Kind=Service): .spec.topologyKeys: field not declared in schema',
  )
  assert.is(
    appliedUnknownError({ spec: {} }, { kind: 'Namespace', apiVersion: 'v1', name: 'n' }),
    undefined,
  )
})

test('warningHeader: code 299, quoted, ASCII only', () => {
  assert.is(
    warningHeader('unknown field "spec.replicass"'),
    '299 - "unknown field \\"spec.replicass\\""',
  )
  assert.is(
    warningHeader('unknown field "spec.größe"\n'),
    '299 - "unknown field \\"spec.gr\\u00f6\\u00dfe\\"\\n"',
  )
})

test.run()
