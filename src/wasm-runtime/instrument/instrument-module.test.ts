import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../../core/index.ts'
import { wasm, type WasmExports, type WasmGlobal, type WasmMemory } from './fixtures/wasm-api.ts'
import { instantiate, skipWithoutWabt, wat } from './fixtures/wat.ts'
import { inspectModule, instrumentModule } from './index.ts'

skipWithoutWabt(import.meta.url)

type Fn = (...args: number[]) => number
const fuelOf = (exports: WasmExports, name = '__shoal_fuel') => exports[name] as WasmGlobal

const loops = wat(`(module
  (func (export "spin") (loop $l (br $l)))
  (func (export "sum") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc))
  (func $pair (param i32) (result i32 i32) (local.get 0) (i32.const 10))
  (func (export "nested") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (i32.const 0)
      (loop $inner (param i32) (result i32)
        (block (param i32) (result i32 i32) (call $pair))
        (i32.add)
        (i32.add (local.get $j))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 3))))
      (local.set $acc (i32.add (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`)

test('a metered module validates, compiles and gives the same results with plenty of fuel', () => {
  const { bytes, fuelExport, stats } = instrumentModule(loops, { fuel: true })
  assert.is(fuelExport, '__shoal_fuel')
  assert.equal([stats.functions, stats.loops, stats.memories], [4, 4, 0])
  assert.ok(wasm.validate(bytes))
  const plain = instantiate(loops)
  const metered = instantiate(bytes)
  fuelOf(metered).value = 10n ** 9n
  for (const n of [0, 1, 7, 1000]) {
    assert.is((metered.sum as Fn)(n), (plain.sum as Fn)(n))
    assert.is((metered.nested as Fn)(n), (plain.nested as Fn)(n))
  }
  assert.ok((fuelOf(metered).value as bigint) < 10n ** 9n, 'fuel was charged')
})

test('with little fuel an infinite loop traps with unreachable and returns control quickly', () => {
  const metered = instantiate(instrumentModule(loops, { fuel: true }).bytes)
  fuelOf(metered).value = 5_000_000n
  const started = performance.now()
  assert.throws(
    () => (metered.spin as Fn)(),
    (e: unknown) => e instanceof wasm.RuntimeError && /unreachable/.test(String(e)),
  )
  console.log(`  spin with 5e6 fuel trapped after ${(performance.now() - started).toFixed(1)} ms`)
  assert.ok((fuelOf(metered).value as bigint) < 0n)
  assert.throws(
    () => (metered.sum as Fn)(1),
    /unreachable/,
    'an exhausted instance traps at the next call',
  )
  fuelOf(metered).value = 1000n
  assert.is((metered.sum as Fn)(3), 6, 'refuelled, it runs again')
})

test('a loop costs its instructions: sum(n) uses about n times the loop body', () => {
  const metered = instantiate(instrumentModule(loops, { fuel: true }).bytes)
  fuelOf(metered).value = 1_000_000n
  ;(metered.sum as Fn)(1000)
  const used = 1_000_000n - (fuelOf(metered).value as bigint)
  assert.ok(used >= 10_000n && used <= 20_000n, `used ${used}`)
})

const grower = wat(`(module
  (memory (export "mem") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`)

test('the memory cap makes memory.grow return -1 beyond it', () => {
  const { bytes, stats } = instrumentModule(grower, { maxMemoryPages: 4 })
  assert.is(stats.memories, 1)
  assert.equal(inspectModule(bytes).memories, [{ min: 1, max: 4, shared: false }])
  const exports = instantiate(bytes)
  const grow = exports.grow as Fn
  assert.is(grow(2), 1)
  assert.is(grow(2), -1)
  assert.is(grow(1), 3)
  assert.is(grow(1), -1)
  assert.is((exports.mem as WasmMemory).buffer.byteLength, 4 * 65536)
  assert.is((instantiate(grower).grow as Fn)(100), 1, 'uncapped it grows')
})

test('an existing smaller maximum is kept; a minimum above the cap is refused', () => {
  const small = wat('(module (memory 1 2))')
  assert.equal(inspectModule(instrumentModule(small, { maxMemoryPages: 64 }).bytes).memories, [
    { min: 1, max: 2, shared: false },
  ])
  const big = wat('(module (memory 100))')
  assert.throws(
    () => instrumentModule(big, { maxMemoryPages: 64 }),
    (e: unknown) =>
      isShoalError(e, 'Invalid') &&
      /wasm: defined memory needs at least 100 pages but the cap is 64 pages \(memory 0\) at byte \d+/.test(
        e.message,
      ),
  )
  assert.throws(() => instrumentModule(big, { maxMemoryPages: 1.5 }), /maxMemoryPages/)
})

test('imported memories are capped too, so the host must provide a bounded memory', () => {
  const importer = wat(`(module (import "env" "memory" (memory 1))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`)
  const { bytes, stats } = instrumentModule(importer, { maxMemoryPages: 8, fuel: true })
  assert.is(stats.memories, 1)
  assert.equal(inspectModule(bytes).memories, [
    { min: 1, max: 8, shared: false, imported: 'env.memory' },
  ])
  const unbounded = new wasm.Memory({ initial: 1 })
  assert.throws(
    () => instantiate(bytes, { env: { memory: unbounded } }),
    (e: unknown) => e instanceof wasm.LinkError,
  )
  const bounded = new wasm.Memory({ initial: 1, maximum: 8 })
  assert.is((instantiate(bytes, { env: { memory: bounded } }).grow as Fn)(8), -1)
})

test('shared memories keep their shared flag under the cap', () => {
  const shared = wat('(module (memory (export "m") 1 1000 shared))', ['--enable-threads'])
  const { bytes } = instrumentModule(shared, { maxMemoryPages: 16 })
  assert.equal(inspectModule(bytes).memories, [{ min: 1, max: 16, shared: true }])
  assert.ok(wasm.validate(bytes))
})

test('memory64 is refused with a clear error', () => {
  const mem64 = wat('(module (memory i64 1))', ['--enable-memory64'])
  assert.throws(
    () => instrumentModule(mem64, { maxMemoryPages: 16 }),
    /wasm: memory64 memories are not supported \(flags 0x4\) at byte \d+/,
  )
  assert.throws(
    () => instrumentModule(mem64, { fuel: true }),
    /wasm: memory64 memories are not supported/,
  )
  const imported = wat('(module (import "env" "m" (memory i64 1)))', ['--enable-memory64'])
  assert.throws(
    () => instrumentModule(imported, { fuel: true }),
    /wasm: memory64 memories are not supported/,
  )
})

test('the fuel global goes after imported and defined globals and its export never clashes', () => {
  const busy = wat(`(module
    (import "env" "g" (global $g i32))
    (global $h (mut i32) (i32.const 5))
    (global (export "__shoal_fuel") i32 (i32.const 1))
    (func (export "read") (result i32) (i32.add (global.get $g) (global.get $h))))`)
  const { bytes, fuelExport } = instrumentModule(busy, { fuel: true })
  assert.is(fuelExport, '__shoal_fuel_2')
  const info = inspectModule(bytes)
  assert.equal(info.globals, { imported: 1, defined: 3 })
  assert.equal(
    info.exports.map((e) => `${e.name}:${e.kind}:${e.index}`),
    ['__shoal_fuel:global:2', 'read:func:0', '__shoal_fuel_2:global:3'],
  )
  const exports = instantiate(bytes, { env: { g: 37 } })
  assert.is((exports.read as Fn)(), 42)
  const left = (1n << 63n) - 1n - (fuelOf(exports, fuelExport).value as bigint)
  assert.is(left, 4n, 'read() charged its 4 instructions to the new global')
})

test('the initial fuel covers a start function; zero initial fuel traps it', () => {
  const start = wat(
    '(module (global (export "x") (mut i32) (i32.const 0)) (func $s (global.set 0 (i32.const 9))) (start $s))',
  )
  const ok = instantiate(instrumentModule(start, { fuel: true }).bytes)
  assert.is((ok.x as WasmGlobal).value, 9)
  const starved = instrumentModule(start, { fuel: true, initialFuel: 0n }).bytes
  assert.throws(() => instantiate(starved), /unreachable/)
  assert.throws(
    () => instrumentModule(start, { fuel: true, initialFuel: 1n << 63n }),
    /wasm: initialFuel must be a signed 64-bit integer/,
  )
})

test.run()
