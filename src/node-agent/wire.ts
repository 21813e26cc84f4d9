// The channel's bytes ↔ the protocol's messages, as the plane's transport speaks them: one CBOR
// map a message (cbor-x, records off, byte strings untagged), each on the topic leaf of its type.
// Outgoing messages lose their undefined fields (the plane refuses any value JSON has not).
// Incoming bytes take nothing for granted: maps are read as Maps (a "__proto__" key stays a
// key), every value must be JSON-like, nesting is bounded, then parseToNode checks the shape and
// the leaf must be the type's. Outcomes are values, never throws. Pure.
import { Decoder, Encoder } from 'cbor-x'
import {
  MAX_NESTING,
  parseToNode,
  put,
  type FromNode,
  type FromNodeLeaf,
  type Parsed,
  type ToNode,
  type ToNodeLeaf,
} from '../api/index.ts'

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false })

const leafOf: Record<FromNode['type'], FromNodeLeaf> = {
  hello: 'hello',
  applied: 'applied',
  'mesh-applied': 'mesh-applied',
  status: 'status',
  heartbeat: 'heartbeat',
  stats: 'stats',
  response: 'res',
}

const typesOn: Record<ToNodeLeaf, ToNode['type'][]> = {
  desired: ['desired', 'desired-change'],
  mesh: ['mesh', 'mesh-change'],
  'status-ack': ['status-ack'],
  req: ['logs', 'cancel'],
}

export function encodeMessage(message: FromNode): { leaf: FromNodeLeaf; payload: Uint8Array } {
  const plainJson: unknown = JSON.parse(JSON.stringify(message))
  // a copy: the encoder's result is a view of a buffer it goes on using
  return { leaf: leafOf[message.type], payload: Uint8Array.from(encoder.encode(plainJson)) }
}

class NotJson extends Error {}

const describe = (v: unknown) =>
  v === undefined ? 'undefined' : ((v as object)?.constructor?.name ?? typeof v)

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

/** a payload from the plane on one of the node's topics: the message, or why it is refused */
export function decodeMessage(leaf: string, payload: Uint8Array): Parsed<ToNode> {
  let value: unknown
  try {
    value = plain(decoder.decode(payload), 1)
  } catch (error) {
    const why = error instanceof NotJson ? 'holds' : 'is not CBOR:'
    return { ok: false, error: `the payload ${why} ${(error as Error).message}`.slice(0, 200) }
  }
  const parsed = parseToNode(value)
  if (parsed.ok && !typesOn[leaf as ToNodeLeaf]?.includes(parsed.value.type))
    return { ok: false, error: `a ${parsed.value.type} message on the "${leaf}" topic` }
  return parsed
}
