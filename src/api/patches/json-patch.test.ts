import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyJsonPatch, parsePointer } from './json-patch.ts'

const doc = () => ({ metadata: { name: 'x', labels: { 'a/b': '1' } }, spec: { args: ['a', 'b'] } })

test('pointers unescape ~1 and ~0', () => {
  assert.equal(parsePointer('/metadata/labels/a~1b'), ['metadata', 'labels', 'a/b'])
  assert.equal(parsePointer('/x~0y'), ['x~y'])
  assert.equal(parsePointer(''), [])
  assert.is(parsePointer('metadata'), undefined)
})

test('add, remove, replace, move, copy and test apply in order', () => {
  const original = doc()
  const r = applyJsonPatch(original, [
    { op: 'add', path: '/spec/args/1', value: 'mid' },
    { op: 'add', path: '/spec/args/-', value: 'end' },
    { op: 'remove', path: '/metadata/labels/a~1b' },
    { op: 'replace', path: '/metadata/name', value: 'y' },
    { op: 'copy', from: '/metadata/name', path: '/metadata/generateName' },
    { op: 'move', from: '/spec/args/0', path: '/spec/first' },
    { op: 'test', path: '/spec/args', value: ['mid', 'b', 'end'] },
  ])
  assert.equal(r, {
    ok: true,
    value: {
      metadata: { name: 'y', labels: {}, generateName: 'y' },
      spec: { args: ['mid', 'b', 'end'], first: 'a' },
    },
  })
  assert.equal(original, doc(), 'the input is untouched')
})

test('a failing test or a missing path fails the whole patch', () => {
  assert.equal(applyJsonPatch(doc(), [{ op: 'test', path: '/metadata/name', value: 'z' }]), {
    ok: false,
    error: 'operation 0: testing value "/metadata/name" failed: test failed',
  })
  assert.equal(applyJsonPatch(doc(), [{ op: 'remove', path: '/spec/nope' }]), {
    ok: false,
    error: 'operation 0: remove operation does not apply: doc is missing path: "/spec/nope"',
  })
  assert.not.ok(applyJsonPatch(doc(), [{ op: 'replace', path: '/spec/args/5', value: 1 }]).ok)
  assert.not.ok(applyJsonPatch(doc(), [{ op: 'add', path: '/no/such/parent', value: 1 }]).ok)
  assert.not.ok(applyJsonPatch(doc(), [{ op: 'add', path: '/spec/args/3', value: 1 }]).ok)
  assert.not.ok(applyJsonPatch(doc(), [{ op: 'move', from: '/spec', path: '/spec/inner' }]).ok)
  assert.not.ok(applyJsonPatch(doc(), [{ op: 'frob', path: '/x' }]).ok)
  assert.not.ok(applyJsonPatch(doc(), { op: 'add' }).ok)
})

test('the whole document can be replaced', () => {
  assert.equal(applyJsonPatch(doc(), [{ op: 'replace', path: '', value: { a: 1 } }]), {
    ok: true,
    value: { a: 1 },
  })
})

test.run()
