// Objects in the store: CBOR of the object without its resourceVersion (the store's
// modRevision is the resourceVersion). A transform hook lets secrets be sealed on the way in
// and opened on the way out, so nothing above this line sees ciphertext and nothing below it
// sees a secret value.
import { Encoder } from 'cbor-x'
import { CorruptError } from '../../core/index.ts'
import type { KubeObject, ResourceInfo } from '../../api/index.ts'
import type { KeyValue } from '../store/index.ts'

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })

export interface StorageTransform {
  toStorage(info: ResourceInfo, obj: KubeObject): KubeObject
  fromStorage(info: ResourceInfo, obj: KubeObject): KubeObject
}

export const identityTransform: StorageTransform = { toStorage: (_, o) => o, fromStorage: (_, o) => o }

export function encodeObject(obj: KubeObject): Uint8Array {
  const { resourceVersion: _rv, ...meta } = obj.metadata
  return cbor.encode({ ...obj, metadata: meta })
}

export function decodeObject<T extends KubeObject = KubeObject>(kv: KeyValue): T {
  let obj: T
  try {
    obj = cbor.decode(kv.value) as T
  } catch (err) {
    throw new CorruptError(`server: stored object ${kv.key} does not decode (${(err as Error).message})`, { file: kv.key, offset: 0 }, { cause: err })
  }
  obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) }
  return obj
}

export function encodeCbor(value: unknown): Uint8Array {
  return cbor.encode(value)
}

export function decodeCbor(bytes: Uint8Array): unknown {
  return cbor.decode(bytes)
}

