import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { contentRange, parseRange } from './range.ts'

test('resume forms: bytes=N-, bytes=N-M, suffix bytes=-N', () => {
  assert.equal(parseRange('bytes=100-', 1000), { kind: 'partial', start: 100, end: 999 })
  assert.equal(parseRange('bytes=0-9', 1000), { kind: 'partial', start: 0, end: 9 })
  assert.equal(parseRange('bytes=990-5000', 1000), { kind: 'partial', start: 990, end: 999 })
  assert.equal(parseRange('bytes=-10', 1000), { kind: 'partial', start: 990, end: 999 })
  assert.is(contentRange(parseRange('bytes=100-', 1000), 1000), 'bytes 100-999/1000')
})

test('past the end is unsatisfiable; nonsense and several ranges are ignored', () => {
  assert.equal(parseRange('bytes=1000-', 1000), { kind: 'unsatisfiable' })
  assert.equal(parseRange('bytes=-0', 1000), { kind: 'unsatisfiable' })
  assert.is(contentRange({ kind: 'unsatisfiable' }, 1000), 'bytes */1000')
  for (const h of [undefined, '', 'bytes=5-3', 'items=0-1', 'bytes=0-1,5-6', 'bytes=-'])
    assert.equal(parseRange(h, 1000), { kind: 'whole' }, String(h))
})

test.run()
