import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyMergePatch } from './merge-patch.ts'

test('RFC 7386 examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]
  for (const [target, patch, want] of cases)
    assert.equal(applyMergePatch(target, patch), { ok: true, value: want })
})

test('kubectl label and scale patches', () => {
  const deploy = {
    metadata: { name: 'web', labels: { app: 'web', old: 'x' } },
    spec: { replicas: 1 },
  }
  assert.equal(applyMergePatch(deploy, { metadata: { labels: { k: 'v', old: null } } }), {
    ok: true,
    value: { metadata: { name: 'web', labels: { app: 'web', k: 'v' } }, spec: { replicas: 1 } },
  })
  assert.equal(applyMergePatch(deploy, { spec: { replicas: 3 } }).ok, true)
  assert.equal(deploy.spec.replicas, 1, 'the target is untouched')
})

test.run()
