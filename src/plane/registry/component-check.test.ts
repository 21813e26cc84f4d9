import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ComponentCheck, checkComponent } from './component-check.ts'

const preamble = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]
/** A custom section (id 0) named "n" with `extra` payload bytes. */
const custom = (extra: number) => [0x00, ...leb(2 + extra), 0x01, 0x6e, ...new Array(extra).fill(7)]
function leb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}

function refusal(bytes: number[]): string {
  try {
    checkComponent(Uint8Array.from(bytes))
  } catch (err) {
    return (err as Error).message
  }
  return 'accepted'
}

test('a preamble and well-formed sections pass, in one piece or byte by byte', () => {
  const bytes = [...preamble, ...custom(3), ...custom(300), 0x01, 0x00]
  assert.is(checkComponent(Uint8Array.from(bytes)), 3)
  const check = new ComponentCheck()
  for (const b of bytes) check.push(Uint8Array.of(b))
  assert.is(check.end(), 3)
})

test('a core module is refused with a message that says how to make a component', () => {
  assert.match(
    refusal([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
    'registry: upload is a core WebAssembly module, not a component (build it with jco new / componentize)',
  )
})

test('garbage, truncation and malformed headers are refused with what and where', () => {
  assert.match(refusal([...'hello world'].map((c) => c.charCodeAt(0))), 'not WebAssembly')
  assert.match(refusal([0x00, 0x61, 0x73]), 'truncated: 3 bytes')
  assert.match(refusal([]), 'truncated: 0 bytes')
  assert.match(
    refusal([...preamble, ...custom(10)].slice(0, -4)),
    /truncated: section 0 ends 4 bytes past the end/,
  )
  assert.match(refusal([...preamble, 0x00]), /truncated inside the header of section 0 at offset 8/)
  assert.match(
    refusal([...preamble, ...custom(0), 0x2a, 0x00]),
    /unknown section id 42 at offset 12 \(section 1\)/,
  )
  assert.match(refusal([...preamble, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /malformed size/)
  assert.match(
    refusal([0x00, 0x61, 0x73, 0x6d, 0x0e, 0x00, 0x01, 0x00]),
    /unsupported encoding version 0xe/,
  )
  assert.match(
    refusal([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x02, 0x00]),
    /unknown WebAssembly layer 2/,
  )
})

test('the refusal is an InvalidError about the body', () => {
  try {
    checkComponent(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))
    assert.unreachable()
  } catch (err) {
    assert.is((err as { code: string }).code, 'Invalid')
    assert.equal((err as { causes: unknown[] }).causes.length, 1)
  }
})

test.run()
