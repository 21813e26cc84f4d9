// Payloads of the node channel: one CBOR map a message. Encoding is cbor-x's plain maps;
// decoding takes nothing for granted — maps are read as Maps (so a "__proto__" key stays a
// key), every value must be JSON-like (no byte strings, dates, bigints or undefined), nesting
// is bounded, and the result goes through parseFromNode. Anything else is a value naming what
// is wrong, never a throw.
import { Decoder, Encoder } from 'cbor-x'
import {
  MAX_NESTING,
  parseFromNode,
  put,
  type FromNode,
  type Parsed,
  type ToNode,
} from '../../api/index.ts'

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false })

export function encodeMessage(m: ToNode): Uint8Array {
  return encoder.encode(m)
}

class NotJson extends Error {}

function plain(v: unknown, depth: number): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new NotJson('a number that is not finite')
    return v
  }
  if (depth > MAX_NESTING) throw new NotJson(`nested more than ${MAX_NESTING} levels deep`)
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1))
  if (!(v instanceof Map)) throw new NotJson(`a value of type ${describe(v)}`)
  const o: Record<string, unknown> = {}
  for (const [k, x] of v) {
    if (typeof k !== 'string') throw new NotJson(`a map key of type ${describe(k)}`)
    put(o, k, plain(x, depth + 1))
  }
  return o
}

const describe = (v: unknown) =>
  v === undefined ? 'undefined' : ((v as object)?.constructor?.name ?? typeof v)

/** a payload from a node: the message, or why it is refused */
export function decodeFromNode(payload: Uint8Array): Parsed<FromNode> {
  let value: unknown
  try {
    value = plain(decoder.decode(payload), 1)
  } catch (err) {
    const why = err instanceof NotJson ? 'holds' : 'is not CBOR:'
    return { ok: false, error: `the payload ${why} ${(err as Error).message}`.slice(0, 200) }
  }
  return parseFromNode(value)
}
