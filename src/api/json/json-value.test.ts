import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { clone } from './json-value.ts'

test('clone makes what a JSON round trip makes, and shares nothing with the original', () => {
  const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')
  const cases: unknown[] = [
    null,
    0,
    'x',
    true,
    [],
    {},
    { a: 1, b: undefined, c: [1, undefined, { d: null }], e: { f: { g: 'h' } } },
    hostile,
    {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
    },
    { metadata: { creationTimestamp: new Date('2026-11-29T10:00:00Z') } }, // CBOR bodies decode timestamps as Dates
  ]
  for (const v of cases) assert.equal(clone(v), JSON.parse(JSON.stringify(v)))
  const copy = clone(hostile) as Record<string, unknown>
  assert.is(Object.getPrototypeOf(copy), Object.prototype, 'a "__proto__" key stays a plain key')
  assert.ok(Object.hasOwn(copy, '__proto__'))
  assert.is(({} as Record<string, unknown>).polluted, undefined)
  const obj = { spec: { list: [{ x: 1 }] } }
  const c = clone(obj)
  c.spec.list[0].x = 2
  assert.is(obj.spec.list[0].x, 1)
})

test.run()
