import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SortedKeys, prefixEnd } from './sorted-keys.ts'

test('keeps keys ordered across chunk splits, deletes, and ranges', () => {
  const s = new SortedKeys()
  const keys = Array.from({ length: 5000 }, (_, i) => `/k/${(i * 7919) % 5000}`)
  for (const k of keys) s.add(k)
  s.add(keys[0])
  assert.is(s.size, 5000)
  const all = [...s.range('')]
  assert.equal(all, [...keys].sort())
  for (const k of keys.slice(0, 2500)) s.delete(k)
  assert.is(s.size, 2500)
  assert.equal([...s.range('')], keys.slice(2500).sort())
  assert.equal(
    [...s.range('/k/10', '/k/11')],
    keys
      .slice(2500)
      .filter((k) => k >= '/k/10' && k < '/k/11')
      .sort(),
  )
})

test('prefixEnd is the first key after every key with the prefix', () => {
  assert.is(prefixEnd('/a/'), '/a0')
  assert.is(prefixEnd('a\uffff'), 'b')
  assert.is(prefixEnd(''), undefined)
})

test.run()
