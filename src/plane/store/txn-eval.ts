// Pure pieces of a txn: checking its input, evaluating compares against the latest state,
// and turning key selectors into index ranges.
import { InvalidError } from '../../core/index.ts'
import { prefixEnd, type KeyIndex, type KeyRange } from './mvcc/index.ts'
import type { Compare, KeySelector, Txn, TxnOp } from './types.ts'

export function toRange(s: KeySelector): KeyRange {
  if ('key' in s) return { from: s.key, to: s.key + '\0' }
  if ('prefix' in s) return { from: s.prefix, to: prefixEnd(s.prefix) }
  return { from: s.from, to: s.to }
}

function cmp(a: number | Uint8Array, b: number | Uint8Array): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b)
  return NaN
}

/** etcd's rule: a value compare against a missing key is false; numbers compare as 0 */
export function evalCompare(index: KeyIndex, c: Compare): boolean {
  const kv = index.latest(c.key)
  let actual: number | Uint8Array
  switch (c.target) {
    case 'value':
      if (!kv?.value) return false
      actual = kv.value
      break
    case 'version':
      actual = kv?.version ?? 0
      break
    case 'createRevision':
      actual = kv?.create ?? 0
      break
    case 'modRevision':
      actual = kv?.rev ?? 0
      break
    case 'lease':
      actual = kv?.lease ?? 0
      break
  }
  const d = cmp(actual, c.value)
  if (Number.isNaN(d))
    throw new InvalidError(
      `store: compare on ${c.target} of "${c.key}" needs a ${c.target === 'value' ? 'byte' : 'number'} value`,
    )
  switch (c.result) {
    case 'equal':
      return d === 0
    case 'notEqual':
      return d !== 0
    case 'greater':
      return d > 0
    case 'less':
      return d < 0
  }
}

function checkKey(key: unknown, field: string): void {
  if (typeof key !== 'string' || key.length === 0)
    throw new InvalidError(`store: ${field} must be a non-empty string`)
}

function checkSelector(s: KeySelector, field: string): void {
  if ('key' in s) checkKey(s.key, `${field}.key`)
  else if ('prefix' in s) checkKey(s.prefix, `${field}.prefix`)
  else if (typeof s.from !== 'string')
    throw new InvalidError(`store: ${field}.from must be a string`)
}

/** rejects malformed ops and, as etcd, two writes to one key in the same txn */
export function checkOps(ops: TxnOp[], field: string): void {
  const written = new Set<string>()
  ops.forEach((op, i) => {
    const f = `${field}[${i}]`
    if (op.type === 'put') {
      checkKey(op.key, `${f}.key`)
      if (!(op.value instanceof Uint8Array))
        throw new InvalidError(`store: ${f}.value must be bytes`)
      if (written.has(op.key)) throw new InvalidError(`store: duplicate key "${op.key}" in txn`)
      written.add(op.key)
    } else if (op.type === 'delete' || op.type === 'range') checkSelector(op.select, `${f}.select`)
    else throw new InvalidError(`store: ${f} has unknown op type`)
  })
}

export function checkTxn(t: Txn): void {
  if (!t || !Array.isArray(t.compare) || !Array.isArray(t.success))
    throw new InvalidError('store: txn needs compare and success lists')
  t.compare.forEach((c, i) => checkKey(c?.key, `compare[${i}].key`))
  checkOps(t.success, 'success')
  checkOps(t.failure ?? [], 'failure')
}

export const hasWrites = (ops: TxnOp[]) => ops.some((o) => o.type !== 'range')
