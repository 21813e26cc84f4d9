import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { offsetOf, rawModule } from './fixtures/raw-module.ts'
import type { WasmGlobal } from './fixtures/wasm-api.ts'
import { instantiate, skipWithoutWabt, wat } from './fixtures/wat.ts'
import { encodeFuelCheck } from './fuel-meter.ts'
import { instrumentModule } from './index.ts'

skipWithoutWabt(import.meta.url)

const check = (global: number, weight: number) => [...encodeFuelCheck(global, weight)]

test('the check: charge the weight, trap with unreachable when fuel is below zero', () => {
  assert.equal(
    check(3, 5),
    [0x23, 3, 0x42, 5, 0x7d, 0x24, 3, 0x23, 3, 0x42, 0, 0x53, 0x04, 0x40, 0x00, 0x0b],
  )
  assert.equal(
    check(200, 0).slice(0, 5),
    [0x23, 0xc8, 0x01, 0x42, 1],
    'LEB128 index, weight at least 1',
  )
})

/** The code section of a module that has only types, functions and code (as rawModule builds). */
function codeOf(module: Uint8Array): number[] {
  const at = offsetOf(module, [0x0a]) // section ids 1 and 3 come first and are short
  return [...module.subarray(at + 2)]
}

test('checks go after the locals and right after each loop block type, weighted per body', () => {
  // loop (empty) br 0 end end
  const out = instrumentModule(rawModule([[0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b]]), { fuel: true })
  assert.equal(out.stats, { functions: 1, loops: 1, instructions: 4, memories: 0 })
  const body = [0x00, ...check(0, 2), 0x03, 0x40, ...check(0, 2), 0x0c, 0x00, 0x0b, 0x0b]
  assert.equal(codeOf(out.bytes), [0x01, body.length, ...body])
})

test('try_table catch clauses and throw_ref are stepped over', () => {
  // try_table (empty) [catch_all 0, catch_ref tag 0 label 0] loop (empty) ref.null exn throw_ref end end end
  const tryTable = [0x1f, 0x40, 0x02, 0x02, 0x00, 0x01, 0x00, 0x00]
  const out = instrumentModule(
    rawModule([[...tryTable, 0x03, 0x40, 0xd0, 0x69, 0x0a, 0x0b, 0x0b, 0x0b]]),
    { fuel: true },
  )
  assert.equal(out.stats.loops, 1)
  const body = [
    0x00,
    ...check(0, 4),
    ...tryTable,
    0x03,
    0x40,
    ...check(0, 3),
    0xd0,
    0x69,
    0x0a,
    0x0b,
    0x0b,
    0x0b,
  ]
  assert.equal(codeOf(out.bytes), [0x01, body.length, ...body])
})

test('an unknown opcode is refused, naming the opcode, the byte offset and the function', () => {
  const cases: [number[], RegExp][] = [
    [[0x17], /wasm: unknown opcode 0x17 at byte (\d+) \(function body 1\)/],
    [[0xfd, 0x9a, 0x01], /wasm: unknown opcode 0xfd 154 at byte (\d+)/],
    [[0xfc, 0x20], /wasm: unknown opcode 0xfc 32 at byte (\d+)/],
    [[0xfb, 0x00], /wasm: unknown opcode 0xfb at byte (\d+)/],
  ]
  for (const [bad, message] of cases) {
    const module = rawModule([
      [0x01, 0x0b],
      [0x01, 0x01, ...bad, 0x0b],
    ])
    const error = (() => {
      try {
        instrumentModule(module, { fuel: true })
      } catch (e) {
        return e as Error
      }
      return undefined
    })()
    assert.ok(error, `${bad} must be refused`)
    const match = message.exec(error.message)
    assert.ok(match, error.message)
    assert.is(
      Number(match[1]),
      offsetOf(module, [0x01, 0x01, ...bad]) + 2,
      'offset of the opcode in the module',
    )
  }
})

test('a body that ends inside a block, or has bytes after its end, is refused', () => {
  assert.throws(
    () => instrumentModule(rawModule([[0x02, 0x40, 0x01, 0x0b]]), { fuel: true }),
    /function body ends inside a block/,
  )
  assert.throws(
    () => instrumentModule(rawModule([[0x0b, 0x01]]), { fuel: true }),
    /bytes after its final end/,
  )
})

test('benchmark: a tight loop with and without fuel checks (printed, not asserted)', () => {
  const loop =
    wat(`(module (func (export "count") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.xor (local.get $i) (i32.const 0x55))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc)))`)
  const plain = instantiate(loop).count as (n: number) => number
  const metered = instantiate(instrumentModule(loop, { fuel: true }).bytes)
  ;(metered.__shoal_fuel as WasmGlobal).value = 1n << 62n
  const count = metered.count as (n: number) => number
  assert.is(count(1000), plain(1000))
  plain(1e6) // warm up (tier-up)
  count(1e6)
  const best = [Infinity, Infinity]
  for (let round = 0; round < 7; round++) {
    ;[plain, count].forEach((fn, i) => {
      const started = performance.now()
      fn(1e8)
      best[i] = Math.min(best[i]!, performance.now() - started)
    })
  }
  const [a, b] = best as [number, number]
  console.log(
    `  1e8 iterations: ${a.toFixed(0)} ms plain, ${b.toFixed(0)} ms metered (×${(b / a).toFixed(2)}; ${(((b - a) / 1e8) * 1e6).toFixed(2)} ns per check)`,
  )
})

test.run()
