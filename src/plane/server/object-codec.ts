// Objects in the store: CBOR of the object without its resourceVersion (the store's
// modRevision is the resourceVersion). A transform hook lets secrets be sealed on the way in
// and opened on the way out, so nothing above this line sees ciphertext and nothing below it
// sees a secret value.
import { Decoder, Encoder } from 'cbor-x'
// the same decoder built without cbor-x's native string extraction (a module instance of its own:
// cbor-extract, once loaded, is used by every importer of 'cbor-x')
import { Decoder as PlainDecoder } from 'cbor-x/decode-no-eval'
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
  return decodeWith<T>(kv, (b) => cbor.decode(b))
}

/** the stored bytes as an object with its resourceVersion; bytes that do not decode: Corrupt */
function decodeWith<T extends KubeObject>(kv: KeyValue, decode: (b: Uint8Array) => unknown): T {
  let obj: T
  try {
    obj = decode(kv.value) as T
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

/**
 * An object to be kept for long (a controller's informer cache, the node channel's pods), decoded
 * so that it holds as little memory as it can: cbor-x's native decoder makes each string of
 * 13 characters or more a slice of one string of the whole record, so keeping a uid keeps the
 * record's text (≈ 1–2 KB a pod, for every copy kept); this decoder builds every string on its
 * own, and the values objects repeat ("True", "Running", image and node names, label values…)
 * are shared through an intern table instead of held once per object.
 */
export function decodeCompact<T extends KubeObject = KubeObject>(kv: KeyValue): T {
  return decodeWith<T>(kv, (b) => intern(plainCbor.decode(b), 0))
}

const plainCbor = new PlainDecoder({ useRecords: false, mapsAsObjects: true })

/** values unique to one object: interning them only churns the table */
const UNIQUE = new Set([
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'lastTransitionTime',
  'lastHeartbeatTime',
  'lastProbeTime',
  'lastUpdateTime',
  'startTime',
  'startedAt',
  'finishedAt',
  'renewTime',
  'acquireTime',
])
const INTERN_MAX_LENGTH = 64
/** distinct strings kept; when full the table starts again (objects keep what they hold) */
const INTERN_MAX_ENTRIES = 50_000
let interned = new Map<string, string>()

/** the table's copy of `s` (a short string), adding it when new */
export function internString(s: string): string {
  if (s.length > INTERN_MAX_LENGTH) return s
  const hit = interned.get(s)
  if (hit !== undefined) return hit
  if (interned.size >= INTERN_MAX_ENTRIES) interned = new Map()
  interned.set(s, s)
  return s
}

function intern(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return internString(v)
  if (v === null || typeof v !== 'object' || depth > MAX_NESTING) return v
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = intern(v[i], depth + 1)
    return v
  }
  if (ArrayBuffer.isView(v) || v instanceof Date) return v
  const o = v as Record<string, unknown>
  for (const k in o) {
    const x = o[k]
    if (typeof x === 'string') {
      if (!UNIQUE.has(k)) o[k] = internString(x)
    } else if (x !== null && typeof x === 'object') o[k] = intern(x, depth + 1)
  }
  return o
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
