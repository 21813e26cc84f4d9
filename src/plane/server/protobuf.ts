// The little of Kubernetes' protobuf wire format that stock kubectl sends: its imperative
// `create namespace`, `create configmap` and `create secret` use the typed client, which encodes
// the object as "k8s\0" + runtime.Unknown{typeMeta, raw} with raw the object's protobuf
// (field numbers from k8s.io/api/core/v1/generated.proto). Decoded into the JSON shape; any other
// kind is refused with 415 and a hint to send JSON or YAML.
import { ShoalError } from '../../core/index.ts'

const MAGIC = [0x6b, 0x38, 0x73, 0x00] // "k8s\0"

type Field = { no: number; wire: number; value: number | Uint8Array }

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0
  const varint = () => {
    let v = 0
    let mul = 1
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint')
      const b = buf[i++]
      v += (b & 0x7f) * mul
      if (b < 0x80) return v
      mul *= 128
    }
  }
  while (i < buf.length) {
    const key = varint()
    const no = Math.floor(key / 8)
    const wire = key & 7
    if (wire === 0) yield { no, wire, value: varint() }
    else if (wire === 2) {
      const len = varint()
      if (i + len > buf.length) throw new Error('truncated field')
      yield { no, wire, value: buf.subarray(i, (i += len)) }
    } else if (wire === 1) i += 8
    else if (wire === 5) i += 4
    else throw new Error(`unsupported wire type ${wire}`)
  }
}

const text = (v: Field['value']) => new TextDecoder().decode(v as Uint8Array)
const bytes = (f: Field) => f.value as Uint8Array

function mapEntry(buf: Uint8Array, valueAs: 'string' | 'base64'): [string, string] {
  let k = ''
  let v = ''
  for (const f of fields(buf)) {
    if (f.no === 1) k = text(f.value)
    else if (f.no === 2) v = valueAs === 'string' ? text(f.value) : Buffer.from(bytes(f)).toString('base64')
  }
  return [k, v]
}

function objectMeta(buf: Uint8Array): Record<string, unknown> {
  const m: Record<string, unknown> = {}
  const put = (key: string, [k, v]: [string, string]) => ((m[key] as Record<string, string>) ??= {}, ((m[key] as Record<string, string>)[k] = v))
  for (const f of fields(buf)) {
    if (f.no === 1) m.name = text(f.value)
    else if (f.no === 2) m.generateName = text(f.value)
    else if (f.no === 3) m.namespace = text(f.value)
    else if (f.no === 11) put('labels', mapEntry(bytes(f), 'string'))
    else if (f.no === 12) put('annotations', mapEntry(bytes(f), 'string'))
    else if (f.no === 14) ((m.finalizers as string[]) ??= []).push(text(f.value))
  }
  return m
}

type Decoder = (raw: Uint8Array) => Record<string, unknown>

const kinds: Record<string, Decoder> = {
  Namespace: (raw) => {
    const o: Record<string, unknown> = {}
    for (const f of fields(raw)) if (f.no === 1) o.metadata = objectMeta(bytes(f))
    return o
  },
  ConfigMap: (raw) => {
    const o: Record<string, Record<string, string> | unknown> = {}
    for (const f of fields(raw)) {
      if (f.no === 1) o.metadata = objectMeta(bytes(f))
      else if (f.no === 2 || f.no === 3) {
        const [k, v] = mapEntry(bytes(f), f.no === 2 ? 'string' : 'base64')
        const key = f.no === 2 ? 'data' : 'binaryData'
        ;((o[key] as Record<string, string>) ??= {})[k] = v
      } else if (f.no === 4) o.immutable = f.value === 1
    }
    return o
  },
  Secret: (raw) => {
    const o: Record<string, unknown> = {}
    for (const f of fields(raw)) {
      if (f.no === 1) o.metadata = objectMeta(bytes(f))
      else if (f.no === 2 || f.no === 4) {
        const [k, v] = mapEntry(bytes(f), f.no === 2 ? 'base64' : 'string')
        ;((o[f.no === 2 ? 'data' : 'stringData'] as Record<string, string>) ??= {})[k] = v
      } else if (f.no === 3) o.type = text(f.value)
      else if (f.no === 5) o.immutable = f.value === 1
    }
    return o
  },
}

/** decodes a kubectl protobuf body into the JSON shape of the object */
export function decodeK8sProtobuf(buf: Uint8Array): Record<string, unknown> {
  if (MAGIC.some((b, i) => buf[i] !== b)) throw new ShoalError('BadRequest', 'the protobuf body does not start with the "k8s\\0" envelope')
  let apiVersion = ''
  let kind = ''
  let raw: Uint8Array | undefined
  try {
    for (const f of fields(buf.subarray(4))) {
      if (f.no === 1) for (const t of fields(bytes(f))) t.no === 1 ? (apiVersion = text(t.value)) : t.no === 2 ? (kind = text(t.value)) : undefined
      else if (f.no === 2) raw = bytes(f)
    }
    const decode = kinds[kind]
    if (!decode || !raw) throw new ShoalError('Unsupported', `protobuf bodies are understood for Namespace, ConfigMap and Secret only (got ${kind || 'no kind'}); send JSON or YAML, e.g. \`kubectl create ... --dry-run=client -o yaml | kubectl apply -f -\``)
    return { apiVersion, kind, ...decode(raw) }
  } catch (err) {
    if (err instanceof ShoalError) throw err
    throw new ShoalError('BadRequest', `the protobuf body is malformed: ${(err as Error).message}`, { cause: err })
  }
}
