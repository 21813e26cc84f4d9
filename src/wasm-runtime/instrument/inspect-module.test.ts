import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../../core/index.ts'
import { skipWithoutWabt, wat } from './fixtures/wat.ts'
import { inspectModule, instrumentModule, isComponent, isCoreModule } from './index.ts'

skipWithoutWabt(import.meta.url)

const sample = wat(
  `(module
  (import "wasi" "clock" (func $clock (result i64)))
  (import "env" "memory" (memory 2 10))
  (import "env" "base" (global i32))
  (memory $own 1)
  (global (mut i32) (i32.const 0))
  (func (export "now") (result i64) (call $clock))
  (export "own" (memory $own)))`,
  ['--enable-multi-memory', '--debug-names'],
)

test('inspectModule lists imports, exports, memories with min/max, counts and custom sections', () => {
  const info = inspectModule(sample)
  assert.equal(info.imports, [
    { module: 'wasi', name: 'clock', kind: 'func' },
    { module: 'env', name: 'memory', kind: 'memory', memory: { min: 2, max: 10, shared: false } },
    { module: 'env', name: 'base', kind: 'global' },
  ])
  assert.equal(info.exports, [
    { name: 'now', kind: 'func', index: 1 },
    { name: 'own', kind: 'memory', index: 1 },
  ])
  assert.equal(info.memories, [
    { min: 2, max: 10, shared: false, imported: 'env.memory' },
    { min: 1, shared: false },
  ])
  assert.equal(info.functions, { imported: 1, defined: 1 })
  assert.equal(info.globals, { imported: 1, defined: 1 })
  assert.equal(info.customSections, ['name'])
})

test('custom sections and untouched sections are copied byte for byte', () => {
  const { bytes } = instrumentModule(sample, { maxMemoryPages: 4 })
  const name = (b: Uint8Array) => {
    const text = new TextDecoder('latin1').decode(b)
    return text.slice(text.indexOf('\x04name'))
  }
  assert.is(name(bytes), name(sample))
  assert.equal(inspectModule(bytes).memories, [
    { min: 2, max: 4, shared: false, imported: 'env.memory' },
    { min: 1, max: 4, shared: false },
  ])
  const untouched = instrumentModule(sample, {}).bytes
  assert.equal([...untouched], [...sample], 'no options: the same bytes')
})

test('the preamble tells core modules from components', () => {
  const component = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00)
  assert.ok(isCoreModule(sample) && !isComponent(sample))
  assert.ok(isComponent(component) && !isCoreModule(component))
  assert.not.ok(isCoreModule(Uint8Array.of(0x00, 0x61, 0x73)))
  assert.throws(
    () => instrumentModule(component, { fuel: true }),
    /wasm: expected a core module but found a component preamble at byte 4/,
  )
  assert.throws(
    () => inspectModule(new TextEncoder().encode('#!/bin/sh\necho')),
    /wasm: not a core wasm module \(bad magic or version\) at byte 0/,
  )
})

test('damaged modules end in InvalidError naming the byte, never a broken module', () => {
  const truncated = sample.subarray(0, sample.length - 3)
  assert.throws(
    () => instrumentModule(truncated, { fuel: true }),
    (e: unknown) =>
      isShoalError(e, 'Invalid') &&
      /wasm: section 0 \(\d+ bytes\) runs past the end at byte \d+/.test(e.message),
  )
  const badId = Uint8Array.from([...sample.subarray(0, 8), 0x0e, 0x00])
  assert.throws(() => inspectModule(badId), /wasm: unknown section id 14 at byte 8/)
  const twice = Uint8Array.from([...sample.subarray(0, 8), 0x01, 0x01, 0x00, 0x01, 0x01, 0x00])
  assert.throws(
    () => inspectModule(twice),
    /wasm: section 1 is out of order or repeated at byte 11/,
  )
})

test.run()
