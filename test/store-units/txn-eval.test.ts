// The pure pieces of a txn (src/plane/store/txn-eval.ts): key selectors as ranges, etcd's
// compare semantics against the latest state, and the checks a txn passes before it runs.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../../src/core/index.ts'
import { KeyIndex } from '../../src/plane/store/mvcc/index.ts'
import {
  checkOps,
  checkTxn,
  evalCompare,
  hasWrites,
  toRange,
} from '../../src/plane/store/txn-eval.ts'
import type { Compare, Txn, TxnOp } from '../../src/plane/store/types.ts'

const bytes = (s: string) => new TextEncoder().encode(s)

/** the message of the InvalidError `fn` throws */
function invalid(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    assert.ok(isShoalError(e, 'Invalid'), String(e))
    return (e as Error).message
  }
  throw new Error('expected an InvalidError')
}

test('selectors: one key, a prefix, a half-open range', () => {
  assert.equal(toRange({ key: 'a/b' }), { from: 'a/b', to: 'a/b\0' })
  assert.equal(toRange({ prefix: 'pods/' }), { from: 'pods/', to: 'pods0' })
  assert.equal(toRange({ from: 'a', to: 'm' }), { from: 'a', to: 'm' })
  assert.equal(toRange({ from: 'a' }), { from: 'a', to: undefined })
})

/** `k` created at 2 ('x'), changed at 4 ('y', lease 7); `gone` created at 3, deleted at 5 */
function index(): KeyIndex {
  const ix = new KeyIndex()
  ix.put('k', 2, bytes('x'), 0)
  ix.put('gone', 3, bytes('z'), 0)
  ix.put('k', 4, bytes('y'), 7)
  ix.delete('gone', 5)
  return ix
}

const cmp = (
  key: string,
  target: Compare['target'],
  result: Compare['result'],
  value: Compare['value'],
) => evalCompare(index(), { key, target, result, value })

test('compares read the latest version: version, create and mod revision, lease', () => {
  assert.ok(cmp('k', 'version', 'equal', 2))
  assert.ok(cmp('k', 'createRevision', 'equal', 2))
  assert.ok(cmp('k', 'modRevision', 'equal', 4))
  assert.ok(cmp('k', 'lease', 'equal', 7))
  assert.not.ok(cmp('k', 'modRevision', 'equal', 2), 'not an older version')
})

test('the four results: equal, notEqual, greater (actual > value), less', () => {
  assert.equal(
    [3, 4, 5].map((v) => [
      cmp('k', 'modRevision', 'equal', v),
      cmp('k', 'modRevision', 'notEqual', v),
      cmp('k', 'modRevision', 'greater', v),
      cmp('k', 'modRevision', 'less', v),
    ]),
    [
      [false, true, true, false],
      [true, false, false, false],
      [false, true, false, true],
    ],
  )
})

test('values compare as bytes, in byte order', () => {
  assert.ok(cmp('k', 'value', 'equal', bytes('y')))
  assert.ok(cmp('k', 'value', 'greater', bytes('x')))
  assert.ok(cmp('k', 'value', 'less', bytes('yy')), 'a prefix sorts first')
  assert.ok(cmp('k', 'value', 'notEqual', bytes('x')))
})

test('a missing or deleted key: numbers compare as 0, any value compare is false', () => {
  for (const key of ['never', 'gone']) {
    assert.ok(cmp(key, 'version', 'equal', 0), `${key}: version 0`)
    assert.ok(cmp(key, 'createRevision', 'equal', 0))
    assert.ok(cmp(key, 'modRevision', 'less', 1))
    assert.ok(cmp(key, 'lease', 'equal', 0))
    assert.not.ok(cmp(key, 'value', 'equal', bytes('')), `${key}: value equal`)
    assert.not.ok(cmp(key, 'value', 'notEqual', bytes('z')), `${key}: even notEqual`)
  }
})

test('a compare with the wrong kind of value fails as Invalid', () => {
  assert.is(
    invalid(() => cmp('k', 'value', 'equal', 1)),
    'store: compare on value of "k" needs a byte value',
  )
  assert.is(
    invalid(() => cmp('k', 'version', 'equal', bytes('2'))),
    'store: compare on version of "k" needs a number value',
  )
})

const put = (key: string, value: unknown = bytes('v')) => ({ type: 'put', key, value }) as TxnOp

test('checkTxn: well-formed txns pass, whatever their reads and deletes', () => {
  const txn: Txn = {
    compare: [{ key: 'a', target: 'version', result: 'equal', value: 0 }],
    success: [
      put('a'),
      put('b'),
      { type: 'delete', select: { prefix: 'c/' } },
      { type: 'range', select: { from: 'a' } },
    ],
    failure: [{ type: 'range', select: { key: 'a' } }],
  }
  assert.is(checkTxn(txn), undefined)
  assert.is(checkTxn({ compare: [], success: [] }), undefined)
})

test('checkTxn: each malformed part is named by its path', () => {
  const ok = { compare: [], success: [] }
  assert.is(
    invalid(() => checkTxn({ compare: [] } as unknown as Txn)),
    'store: txn needs compare and success lists',
  )
  assert.is(
    invalid(() =>
      checkTxn({ ...ok, compare: [{ key: '', target: 'version', result: 'equal', value: 0 }] }),
    ),
    'store: compare[0].key must be a non-empty string',
  )
  assert.is(
    invalid(() => checkTxn({ ...ok, success: [put('a'), put('')] })),
    'store: success[1].key must be a non-empty string',
  )
  assert.is(
    invalid(() => checkTxn({ ...ok, success: [put('a', 'text')] })),
    'store: success[0].value must be bytes',
  )
  assert.is(
    invalid(() => checkTxn({ ...ok, failure: [{ type: 'delete', select: { prefix: '' } }] })),
    'store: failure[0].select.prefix must be a non-empty string',
  )
  assert.is(
    invalid(() =>
      checkTxn({ ...ok, success: [{ type: 'range', select: { from: 3 } } as unknown as TxnOp] }),
    ),
    'store: success[0].select.from must be a string',
  )
  assert.is(
    invalid(() => checkTxn({ ...ok, success: [{ type: 'get' } as unknown as TxnOp] })),
    'store: success[0] has unknown op type',
  )
})

test('two puts to one key in one op list fail, as in etcd; the same key in success and failure is fine', () => {
  assert.is(
    invalid(() => checkOps([put('a'), put('b'), put('a')], 'success')),
    'store: duplicate key "a" in txn',
  )
  assert.is(checkTxn({ compare: [], success: [put('a')], failure: [put('a')] }), undefined)
})

test('hasWrites: any put or delete; reads alone are not writes', () => {
  assert.is(hasWrites([]), false)
  assert.is(hasWrites([{ type: 'range', select: { key: 'a' } }]), false)
  assert.is(hasWrites([{ type: 'range', select: { key: 'a' } }, put('a')]), true)
  assert.is(hasWrites([{ type: 'delete', select: { key: 'a' } }]), true)
})

test.run()
