// The instruction walker against modules that use each proposal: the instrumented module must
// validate and compute exactly what the original computes (with plenty of fuel), and trap with
// little. Features this Node cannot run are checked with wabt's wasm-validate instead.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { wasm, type WasmGlobal } from './fixtures/wasm-api.ts'
import {
  instantiate,
  objdumpInstructions,
  skipWithoutWabt,
  wabtValidate,
  wat,
} from './fixtures/wat.ts'
import { instrumentModule } from './index.ts'

skipWithoutWabt(import.meta.url)

type Fn = (...args: unknown[]) => unknown

/** Same result from plain and metered instances for each argument; then with 100 fuel it traps. */
function sameBehaviour(bytes: Uint8Array, fn: string, args: unknown[][]): void {
  const { bytes: metered, stats } = instrumentModule(bytes, { fuel: true })
  assert.ok(wasm.validate(metered), 'instrumented module validates')
  assert.ok(stats.loops > 0)
  assert.is(
    stats.instructions,
    objdumpInstructions(bytes),
    'the walker sees every instruction wabt sees',
  )
  for (const a of args) {
    const plain = instantiate(bytes)
    const inst = instantiate(metered)
    ;(inst.__shoal_fuel as WasmGlobal).value = 10n ** 12n
    assert.equal((inst[fn] as Fn)(...a), (plain[fn] as Fn)(...a), `${fn}(${a.join(', ')})`)
  }
  const starved = instantiate(metered)
  ;(starved.__shoal_fuel as WasmGlobal).value = 100n
  assert.throws(() => (starved[fn] as Fn)(...args[args.length - 1]!), /unreachable/)
}

const loopTail = `(br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))`

test('SIMD: v128.const, shuffle, lanes, lane loads, load_zero, splat', () => {
  const m = wat(`(module (memory 1)
    (func (export "simd") (param $n i32) (result i32) (local $v v128) (local $i i32)
      (local.set $v (v128.const i32x4 1 2 3 4))
      (loop $l
        (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $i))))
        (local.set $v (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v)))
        (local.set $v (i32x4.replace_lane 3 (local.get $v) (i32.add (i32x4.extract_lane 3 (local.get $v)) (i32.const 1))))
        (v128.store offset=16 (i32.const 0) (local.get $v))
        (local.set $v (v128.load32_lane offset=16 1 (i32.const 4) (local.get $v)))
        (local.set $v (i32x4.add (v128.load offset=16 (i32.const 0)) (v128.load32_zero (i32.const 20))))
        (local.set $v (i16x8.add_sat_s (local.get $v) (f32x4.convert_i32x4_s (local.get $v))))
        ${loopTail})
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32.add (i32x4.extract_lane 2 (local.get $v))
        (i32.add (i8x16.extract_lane_u 5 (local.get $v)) (v128.any_true (local.get $v)))))))`)
  sameBehaviour(m, 'simd', [[1], [10], [1000]])
})

test('bulk memory, reference types, tables, saturating truncation, sign extension, br_table, select t', () => {
  const m = wat(`(module
    (type $t (func (param i32) (result i32)))
    (memory 1) (table $tab 4 funcref) (table $ext 2 externref)
    (data $d "\\01\\02\\03\\04\\05\\06\\07\\08") (elem $e func $double $inc)
    (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
    (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
    (func (export "bulk") (param $n i32) (result i32) (local $i i32) (local $acc i32)
      (memory.fill (i32.const 100) (i32.const 7) (i32.const 50))
      (memory.init $d (i32.const 200) (i32.const 0) (i32.const 8))
      (memory.copy (i32.const 300) (i32.const 200) (i32.const 8))
      (data.drop $d)
      (table.init $tab $e (i32.const 0) (i32.const 0) (i32.const 2))
      (elem.drop $e)
      (table.copy $tab $tab (i32.const 2) (i32.const 0) (i32.const 2))
      (drop (table.grow $tab (ref.func $inc) (i32.const 1)))
      (table.fill $ext (i32.const 0) (ref.null extern) (i32.const 2))
      (table.set $tab (i32.const 4) (table.get $tab (i32.const 0)))
      (local.set $acc (table.size $tab))
      (loop $l
        (local.set $acc (i32.add (local.get $acc)
          (call_indirect (type $t) (local.get $i) (i32.rem_u (local.get $i) (i32.const 5)))))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u offset=300 (i32.rem_u (local.get $i) (i32.const 8)))))
        (local.set $acc (i32.xor (local.get $acc) (i32.trunc_sat_f64_s (f64.const 1e300))))
        (local.set $acc (i32.add (local.get $acc) (i32.extend8_s (i32.const 0xff))))
        (local.set $acc (select (result i32) (local.get $acc) (i32.const 0) (ref.is_null (ref.null func))))
        (block $b (block $a (br_table $a $b (i32.and (local.get $i) (i32.const 1))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 3))))
        (local.set $acc (i32.add (local.get $acc) (i32.trunc_f32_s (f32.const 2.5))))
        ${loopTail})
      (local.get $acc)))`)
  sameBehaviour(m, 'bulk', [[1], [17], [1000]])
})

test('tail calls: return_call and return_call_indirect recurse a million times', () => {
  const m = wat(
    `(module
    (type $t (func (param i64 i64) (result i64)))
    (table 1 funcref) (elem (i32.const 0) $step)
    (func $fact (export "fact") (type $t)
      (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
        (else (return_call $step (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (local.get 0))))))
    (func $step (type $t) (return_call_indirect $t2 (type $t) (local.get 0) (local.get 1) (i32.const 1)))
    (table $t2 2 funcref) (elem (table $t2) (i32.const 1) func $fact)
    (func (export "loop") (param $n i32) (result i64) (local $i i32) (local $s i64)
      (loop $l (local.set $s (i64.add (local.get $s) (call $fact (i64.extend_i32_u (local.get $i)) (i64.const 0)))) ${loopTail})
      (local.get $s)))`,
    ['--enable-tail-call'],
  )
  sameBehaviour(m, 'loop', [[3], [300]])
  const inst = instantiate(instrumentModule(m, { fuel: true }).bytes)
  assert.is((inst.fact as Fn)(1_000_000n, 0n), 500000500000n)
})

test('exceptions: try, catch, catch_all, throw, rethrow, delegate', () => {
  const m = wat(
    `(module
    (tag $e (param i32))
    (func $thrower (param i32) (if (i32.and (local.get 0) (i32.const 1)) (then (throw $e (local.get 0)))))
    (func (export "exc") (param $n i32) (result i32) (local $i i32) (local $acc i32)
      (loop $l
        (try (do (try (do (call $thrower (local.get $i))) (delegate 0)))
          (catch $e (local.set $acc (i32.add (local.get $acc))))
          (catch_all))
        (try (do (try (do (throw $e (i32.const 1))) (catch $e (drop) (rethrow 0))))
          (catch_all (local.set $acc (i32.add (local.get $acc) (i32.const 1)))))
        ${loopTail})
      (local.get $acc)))`,
    ['--enable-exceptions'],
  )
  sameBehaviour(m, 'exc', [[1], [10], [501]])
})

test('atomics: rmw, cmpxchg, notify, fence on a shared memory', () => {
  const m = wat(
    `(module (memory 1 1 shared)
    (func (export "atom") (param $n i32) (result i32) (local $i i32)
      (loop $l
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 2)))
        (i64.atomic.store offset=8 (i32.const 0) (i64.extend_i32_u (local.get $i)))
        (atomic.fence)
        (drop (memory.atomic.notify (i32.const 0) (i32.const 0)))
        (drop (i32.atomic.rmw.cmpxchg (i32.const 4) (local.get $i) (i32.add (local.get $i) (i32.const 1))))
        ${loopTail})
      (i32.add (i32.atomic.load (i32.const 0))
        (i32.add (i32.atomic.load (i32.const 4)) (i32.wrap_i64 (i64.atomic.load offset=8 (i32.const 0)))))))`,
    ['--enable-threads'],
  )
  sameBehaviour(m, 'atom', [[1], [100]])
})

test('relaxed SIMD and multi-memory memargs (checked with wasm-validate)', () => {
  const m = wat(
    `(module (memory $a 1) (memory $b 1)
    (func (export "x") (param i32) (result i32) (local v128)
      (local.set 1 (f32x4.relaxed_madd (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))
      (local.set 1 (i8x16.relaxed_swizzle (local.get 1) (local.get 1)))
      (i32.store $b offset=4 (i32.const 0) (i32.load $a (i32.const 8)))
      (loop (br_if 0 (i32.eqz (i32.load $b (i32.const 0)))))
      (i32.const 0)))`,
    ['--enable-all'],
  )
  const { bytes, stats } = instrumentModule(m, { fuel: true, maxMemoryPages: 2 })
  assert.equal(stats, { functions: 1, loops: 1, instructions: objdumpInstructions(m), memories: 2 })
  assert.is(wabtValidate(bytes), undefined)
})

test.run()
