import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fakeComponent } from './agent-fixture.ts'
import { componentExports, componentKind } from './component-kind.ts'

test('the kind follows the top-level export: incoming-handler, handle, cli/run', () => {
  assert.is(componentKind(fakeComponent('wasi:http/incoming-handler@0.2.10')), 'http')
  assert.is(componentKind(fakeComponent('handle', 0x01)), 'handler')
  assert.is(componentKind(fakeComponent('wasi:cli/run@0.2.12')), 'command')
  assert.is(componentKind(fakeComponent('something-else')), undefined)
})

test('sections before the exports are skipped by size; several exports are all read', () => {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)]
  const exports = [
    2,
    0x00,
    ...name('a'),
    0x01,
    0,
    0x00,
    0x01,
    ...name('wasi:cli/run@0.2.0'),
    0x05,
    1,
    0x01,
    0x05,
    3,
  ]
  const bytes = Uint8Array.from([
    ...[0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0],
    ...[0, 4, 1, 0x78, 0xaa, 0xbb], // a custom section
    ...[11, exports.length, ...exports],
  ])
  assert.equal(componentExports(bytes), ['a', 'wasi:cli/run@0.2.0'])
  assert.is(componentKind(bytes), 'command')
})

test('garbage and truncated images say nothing rather than throw', () => {
  assert.is(componentKind(Uint8Array.from([1, 2, 3])), undefined)
  assert.is(componentKind(fakeComponent('handle', 0x01).subarray(0, 14)), undefined)
  assert.is(componentKind(new Uint8Array(0)), undefined)
})

test.run()
