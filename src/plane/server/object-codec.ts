// Objects in the store: CBOR of the object without its resourceVersion (the store's
// modRevision is the resourceVersion). A transform hook lets secrets be sealed on the way in
// and opened on the way out, so nothing above this line sees ciphertext and nothing below it
// sees a secret value.
import { Decoder, Encoder } from 'cbor-x'
import { CorruptError } from '../../core/index.ts'
import { MAX_NESTING, put, tooDeep, type KubeObject, type ResourceInfo } from '../../api/index.ts'
import type { KeyValue } from '../store/index.ts'

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })

export interface StorageTransform {
  toStorage(info: ResourceInfo, obj: KubeObject): KubeObject
  fromStorage(info: ResourceInfo, obj: KubeObject): KubeObject
}

export const identityTransform: StorageTransform = {
  toStorage: (_, o) => o,
  fromStorage: (_, o) => o,
}

export function encodeObject(obj: KubeObject): Uint8Array {
  const { resourceVersion: _rv, ...meta } = obj.metadata
  return cbor.encode({ ...obj, metadata: meta })
}

export function decodeObject<T extends KubeObject = KubeObject>(kv: KeyValue): T {
  let obj: T
  try {
    obj = cbor.decode(kv.value) as T
  } catch (err) {
    throw new CorruptError(
      `server: stored object ${kv.key} does not decode (${(err as Error).message})`,
      { file: kv.key, offset: 0 },
      { cause: err },
    )
  }
  obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) }
  return obj
}

export function encodeCbor(value: unknown): Uint8Array {
  return cbor.encode(value)
}

/** request bodies decode maps as Maps: cbor-x would rename a "__proto__" key to "__proto_" unseen */
const cborMaps = new Decoder({ useRecords: false, mapsAsObjects: false })

/** A CBOR request body as plain objects with every key as sent (body-check.ts judges them). */
export function decodeCbor(bytes: Uint8Array): unknown {
  return plain(cborMaps.decode(bytes), 1)
}

function plain(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v
  if (depth > MAX_NESTING) throw new RangeError(tooDeep)
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1))
  if (!(v instanceof Map)) return v // a Date (tag 1) or a byte string
  const o: Record<string, unknown> = {}
  for (const [k, x] of v) {
    if (typeof k !== 'string')
      throw new TypeError(`map keys must be text strings, found ${typeof k} ${String(k)}`)
    put(o, k, plain(x, depth + 1))
  }
  return o
}
