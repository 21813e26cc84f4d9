// The JSON duplicate-key scanner: paths as Kubernetes prints them, offsets for ordering, and
// no crash on any text JSON.parse accepts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { lazyJsonKeys, scanJsonKeys } from './json-duplicates.ts'

test('repeated keys are found at every depth, in arrays too, with the offset of the repeat', () => {
  const text =
    '{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x"},{"name":"y","image":"i","image":"j"}]},"spec":{}}'
  const { duplicates } = scanJsonKeys(text)
  assert.equal(
    duplicates.map((d) => d.path),
    ['metadata.name', 'spec.containers[1].image', 'spec'],
  )
  assert.is(text.slice(duplicates[0].at, duplicates[0].at + 6), '"name"')
  assert.is(duplicates[0].at, text.lastIndexOf('"name":"b"'))
})

test('firstSeen has every key path at its first offset', () => {
  const text = '{"a":{"b":1},"c":[{"d":2}],"a":{"e":3}}'
  const { firstSeen, duplicates } = scanJsonKeys(text)
  assert.equal([...firstSeen.keys()], ['a', 'a.b', 'c', 'c[0].d', 'a.e'])
  assert.is(firstSeen.get('a'), 1)
  assert.equal(
    duplicates.map((d) => d.path),
    ['a'],
  )
})

test('escaped keys, strings with braces and whitespace are read right', () => {
  const text = ' { "a\\"b" : "}{][,", "a\\u0022b" : [ 1 , true , null , -2.5e3 ] , "x": {} } '
  assert.equal(
    scanJsonKeys(text).duplicates.map((d) => d.path),
    ['a"b'],
  )
  assert.equal(
    scanJsonKeys('[{"op":"add","path":"/a","path":"/b"}]').duplicates.map((d) => d.path),
    ['[0].path'],
  )
  assert.equal(scanJsonKeys('"just a string"').duplicates, [])
  assert.equal(scanJsonKeys('{}').duplicates, [])
})

test('very deep nesting is not scanned past a bound, and does not throw', () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000)
  JSON.parse(deep)
  assert.equal(scanJsonKeys(deep).duplicates, [])
})

test('the lazy keys find the same duplicates, and skip the scan only when key counts agree', () => {
  const texts = [
    '{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x"},{"name":"y","image":"i","image":"j"}]},"spec":{}}',
    ' { "a\\"b" : "}{][,\\\\", "a\\u0022b" : [ 1 , true , null , -2.5e3 ] , "x": {"k:": ":"} } ',
    '{"a":{"b":1},"c":[{"d":2}],"a":{"e":3}}',
    '{"__proto__":{"x":1},"__proto__":{"y":2}}',
    '{"a":"\\"","b":"x\\\\","c":{"d":[{"e":1}]}}',
    '[{"op":"add","path":"/a","path":"/b"}]',
    '{}',
    '[]',
    '"s"',
    '3',
  ]
  for (const text of texts) {
    const value = JSON.parse(text)
    const want = scanJsonKeys(text)
    const lazy = lazyJsonKeys(text, value)
    assert.equal(lazy.duplicates, want.duplicates, text)
    assert.equal([...lazy.firstSeen], [...want.firstSeen], text)
  }
})

test.run()
