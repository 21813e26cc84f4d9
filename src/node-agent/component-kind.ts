// Which kind of workload a component is, read from the names it exports at top level (the
// component binary's export sections, id 11): wasi:http/incoming-handler → 'http', a `handle`
// function → 'handler', wasi:cli/run → 'command'. The image is the truth: a pod spec cannot
// turn a command into a service. Pure; an image it cannot read yields undefined.
import type { WorkloadKind } from '../wasm-runtime/index.ts'

const EXPORT_SECTION = 11

class Reader {
  at: number
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array, at: number) {
    this.bytes = bytes
    this.at = at
  }
  byte(): number {
    if (this.at >= this.bytes.length) throw new RangeError('component: unexpected end')
    return this.bytes[this.at++]
  }
  u32(): number {
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte()
      result += (b & 0x7f) * 2 ** shift
      if (!(b & 0x80)) return result
    }
    throw new RangeError('component: LEB128 too long')
  }
  name(): string {
    const length = this.u32()
    const end = this.at + length
    if (end > this.bytes.length) throw new RangeError('component: name past the end')
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, end))
    this.at = end
    return text
  }
}

/** skips an externdesc (the optional type ascription of an export) */
function skipExternDesc(r: Reader): void {
  const tag = r.byte()
  if (tag === 0x00) {
    r.byte() // 0x11: core module
    r.u32()
  } else if (tag === 0x02 || tag === 0x03) {
    if (r.byte() === 0x00 || tag === 0x02) r.u32() // value bound / type bound eq i
  } else {
    r.u32() // func, component, instance type index
  }
}

/** names of one export section's exports, in order */
function exportNames(r: Reader, end: number): string[] {
  const names: string[] = []
  for (let count = r.u32(); count > 0 && r.at < end; count--) {
    r.byte() // exportname' discriminant (0x00 plain, 0x01 versioned)
    names.push(r.name())
    if (r.byte() === 0x00) r.byte() // sort: a core sort carries one more byte
    r.u32() // index
    if (r.byte() === 0x01) skipExternDesc(r)
  }
  return names
}

/** the top-level export names of a component binary */
export function componentExports(bytes: Uint8Array): string[] {
  const names: string[] = []
  const r = new Reader(bytes, 8)
  while (r.at < bytes.length) {
    const id = r.byte()
    const size = r.u32()
    const end = r.at + size
    if (id === EXPORT_SECTION) {
      try {
        names.push(...exportNames(new Reader(bytes.subarray(0, end), r.at), end))
      } catch {
        // a section this reader does not follow: keep the names read so far
      }
    }
    r.at = end
  }
  return names
}

/** the workload kind a component's exports make it, or undefined when they say nothing known */
export function componentKind(bytes: Uint8Array): WorkloadKind | undefined {
  let names: string[]
  try {
    names = componentExports(bytes)
  } catch {
    return undefined
  }
  if (names.some((n) => n.startsWith('wasi:http/incoming-handler'))) return 'http'
  if (names.includes('handle')) return 'handler'
  if (names.some((n) => n.startsWith('wasi:cli/run'))) return 'command'
  return undefined
}
