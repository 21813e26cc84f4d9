import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../core/index.ts'
import { checkComponent, checkDigest, checkDigestFormat } from './image-check.ts'

const component = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x01])
const core = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])

function message(fn: () => void): string {
  try {
    fn()
  } catch (error) {
    assert.ok(isShoalError(error, 'Invalid'))
    return (error as Error).message
  }
  throw new Error('expected an InvalidError')
}

test('a component passes: the check returns nothing and throws nothing', () => {
  assert.not.throws(() => checkComponent(component, 'a.wasm'))
  assert.is(checkComponent(component, 'a.wasm'), undefined)
  // the preamble alone is enough: the check looks at nothing past it
  assert.is(checkComponent(component.subarray(0, 8), 'p.wasm'), undefined)
})

test('a core module, garbage and a short file are named as such', () => {
  assert.match(
    message(() => checkComponent(core, 'c.wasm')),
    'runtime: c.wasm is not a WebAssembly component (want preamble 00 61 73 6d 0d 00 01 00; it is a core module',
  )
  assert.match(
    message(() => checkComponent(new TextEncoder().encode('<html>hello'), 'g.wasm')),
    'its first bytes are 3c 68 74 6d 6c 3e 68 65',
  )
  assert.match(
    message(() => checkComponent(new Uint8Array(3), 's.wasm')),
    'only 3 bytes long',
  )
})

test('digests: format and match', () => {
  assert.is(checkDigestFormat(`sha256:${'a'.repeat(64)}`), undefined)
  assert.is(checkDigest('sha256:1', 'sha256:1', 'x.wasm'), undefined)
  assert.match(
    message(() => checkDigestFormat('sha256:ABC')),
    'is not sha256:<64 hex digits>',
  )
  assert.match(
    message(() => checkDigest('sha256:1', 'sha256:2', 'x.wasm')),
    'runtime: x.wasm has digest sha256:1, but the spec wants sha256:2',
  )
})

test.run()
