// The code tier is V8's, for the whole process: with 'baseline', guest code that runs hot stays
// Liftoff's (without it, V8 tiers such a function up to TurboFan within a few million calls);
// the first runtime's choice holds for every later one. V8's own test hooks read the tier.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { setFlagsFromString } from 'node:v8'
import { applyCodeTier } from './code-tier.ts'

setFlagsFromString('--allow-natives-syntax')
const isLiftoff = new Function('f', 'return %IsLiftoffFunction(f)') as (f: unknown) => boolean
const isTurboFan = new Function('f', 'return %IsTurboFanFunction(f)') as (f: unknown) => boolean
// (module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
const addOne = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10,
  9, 1, 7, 0, 32, 0, 65, 1, 106, 11,
])

test('baseline: a hot guest function stays in Liftoff', async () => {
  assert.is(applyCodeTier(), 'baseline')
  const module = new WebAssembly.Module(addOne)
  const f = new WebAssembly.Instance(module).exports.f as (n: number) => number
  let sum = 0
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 2_000_000; i++) sum += f(i) & 1
    await new Promise((r) => setTimeout(r, 100)) // time for a background tier-up, were there one
  }
  assert.ok(sum > 0)
  assert.is(isLiftoff(f), true)
  assert.is(isTurboFan(f), false)
})

test('the first choice holds for the process', () => {
  assert.is(applyCodeTier('optimized'), 'baseline')
})

test.run()
