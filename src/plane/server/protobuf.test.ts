import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeK8sProtobuf } from './protobuf.ts'

// a tiny protobuf writer, enough to build what kubectl's typed client sends
const varint = (n: number) => {
  const out = []
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0))
    n = Math.floor(n / 128)
  } while (n > 0)
  return out
}
const bytesField = (no: number, b: Uint8Array | string) => {
  const v = typeof b === 'string' ? new TextEncoder().encode(b) : b
  return Uint8Array.from([...varint((no << 3) | 2), ...varint(v.length), ...v])
}
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))
const entry = (no: number, k: string, v: string | Uint8Array) => bytesField(no, cat(bytesField(1, k), bytesField(2, v)))
const envelope = (apiVersion: string, kind: string, raw: Uint8Array) =>
  cat(Uint8Array.from([0x6b, 0x38, 0x73, 0]), bytesField(1, cat(bytesField(1, apiVersion), bytesField(2, kind))), bytesField(2, raw))

test('decodes a Secret as kubectl create secret generic sends it', () => {
  const meta = cat(bytesField(1, 'db'), bytesField(3, 'default'), entry(11, 'app', 'x'))
  const raw = cat(bytesField(1, meta), entry(2, 'password', new TextEncoder().encode('pw')), bytesField(3, 'Opaque'))
  const obj = decodeK8sProtobuf(envelope('v1', 'Secret', raw))
  assert.equal(obj, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default', labels: { app: 'x' } }, data: { password: 'cHc=' }, type: 'Opaque' })
})

test('decodes ConfigMap data and Namespace metadata', () => {
  const cm = decodeK8sProtobuf(envelope('v1', 'ConfigMap', cat(bytesField(1, bytesField(1, 'cfg')), entry(2, 'a', 'b'))))
  assert.equal(cm.data, { a: 'b' })
  const ns = decodeK8sProtobuf(envelope('v1', 'Namespace', bytesField(1, bytesField(1, 'team'))))
  assert.equal(ns.metadata, { name: 'team' })
})

test('other kinds are 415 with a hint; malformed bodies are 400 naming the problem', () => {
  assert.throws(() => decodeK8sProtobuf(envelope('apps/v1', 'Deployment', new Uint8Array())), (e: { code: string; message: string }) => e.code === 'Unsupported' && /--dry-run=client -o yaml/.test(e.message))
  assert.throws(() => decodeK8sProtobuf(Uint8Array.from([1, 2, 3, 4])), (e: { code: string }) => e.code === 'BadRequest')
  const truncated = envelope('v1', 'Secret', bytesField(1, bytesField(1, 'db'))).subarray(0, 20)
  assert.throws(() => decodeK8sProtobuf(truncated), (e: { code: string; message: string }) => e.code === 'BadRequest' && /malformed/.test(e.message))
})

test.run()
