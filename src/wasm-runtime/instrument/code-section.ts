// Rewrites the code section: each function body gets a fuel check at its entry and at the head of
// every loop body; body sizes and the section size are re-encoded. Everything else is copied.
import { InvalidError } from '../../core/index.ts'
import { ByteReader } from './byte-reader.ts'
import { ByteWriter } from './byte-writer.ts'
import { encodeFuelCheck, findMeterPoints, type MeterPoint } from './fuel-meter.ts'
import type { Section } from './sections.ts'
import { skipValType } from './types.ts'

export interface CodeRewrite {
  payload: Uint8Array
  functions: number
  loops: number
  instructions: number
}

function skipLocals(reader: ByteReader): void {
  const groups = reader.u32()
  for (let i = 0; i < groups; i++) {
    reader.u32()
    skipValType(reader)
  }
}

/** The check for each weight, encoded once per module. */
class CheckCache {
  readonly #fuelGlobal: number
  readonly #byWeight = new Map<number, Uint8Array>()
  constructor(fuelGlobal: number) {
    this.#fuelGlobal = fuelGlobal
  }
  get(weight: number): Uint8Array {
    let check = this.#byWeight.get(weight)
    if (!check) this.#byWeight.set(weight, (check = encodeFuelCheck(this.#fuelGlobal, weight)))
    return check
  }
}

/** Rewrite one body (reader at its first byte, after the size) straight into `out`; returns its meter points. */
function rewriteBody(
  reader: ByteReader,
  end: number,
  checks: CheckCache,
  out: ByteWriter,
): MeterPoint[] {
  const start = reader.pos
  skipLocals(reader)
  const points = findMeterPoints(reader, end)
  let size = end - start
  for (const point of points) size += checks.get(point.weight).length
  out.u32(size)
  let copied = start
  for (const point of points) {
    out.range(reader.bytes, copied, point.at).bytes(checks.get(point.weight))
    copied = point.at
  }
  out.range(reader.bytes, copied, end)
  return points
}

function inFunction(error: unknown, index: number): unknown {
  if (!(error instanceof InvalidError)) return error
  return new InvalidError(`${error.message} (function body ${index})`, error.causes, {
    cause: error,
  })
}

export function meterCode(section: Section, fuelGlobal: number): CodeRewrite {
  const src = section.payload
  const reader = new ByteReader(src, 0, src.length, section.offset)
  const count = reader.u32()
  const out = new ByteWriter(src.length + (src.length >> 2) + 64).u32(count)
  const checks = new CheckCache(fuelGlobal)
  let loops = 0
  let instructions = 0
  for (let i = 0; i < count; i++) {
    const sizeAt = reader.pos
    const size = reader.u32()
    const end = reader.pos + size
    if (end > src.length)
      reader.fail(`function body ${i} (${size} bytes) runs past the code section`, sizeAt)
    const body = new ByteReader(src, reader.pos, end, section.offset)
    try {
      const points = rewriteBody(body, end, checks, out)
      loops += points.length - 1
      for (const point of points) instructions += point.weight
    } catch (error) {
      throw inFunction(error, i)
    }
    reader.pos = end
  }
  if (!reader.done) reader.fail('code section has trailing bytes')
  return { payload: out.view(), functions: count, loops, instructions }
}
