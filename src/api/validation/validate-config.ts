// Validation of Secret and ConfigMap data.
import type { ConfigMap, Secret } from '../types/index.ts'
import { configMapKey, fromBase64 } from '../formats/index.ts'
import { invalid, required, tooLong, type FieldCause } from './field-errors.ts'

const maxDataBytes = 1024 * 1024

function validateData(
  data: unknown,
  path: string,
  base64: boolean,
): { causes: FieldCause[]; bytes: number } {
  if (data === undefined || data === null) return { causes: [], bytes: 0 }
  if (typeof data !== 'object' || Array.isArray(data))
    return { causes: [invalid(path, data, 'must be a map of strings')], bytes: 0 }
  const causes: FieldCause[] = []
  let bytes = 0
  for (const [k, v] of Object.entries(data)) {
    for (const m of configMapKey(k)) causes.push(invalid(`${path}[${k}]`, k, m))
    const decoded = typeof v === 'string' ? (base64 ? fromBase64(v) : v) : undefined
    if (decoded === undefined)
      causes.push(
        invalid(
          `${path}[${k}]`,
          '<value omitted>',
          base64 ? 'illegal base64 data' : 'must be a string',
        ),
      )
    else bytes += base64 ? Math.floor((v.length * 3) / 4) : decoded.length
  }
  return { causes, bytes }
}

export function validateSecret(secret: Secret): FieldCause[] {
  const data = validateData(secret.data, 'data', true)
  const stringData = validateData(secret.stringData, 'stringData', false)
  const out = [...data.causes, ...stringData.causes]
  if (data.bytes + stringData.bytes > maxDataBytes) out.push(tooLong('data', maxDataBytes))
  if (secret.type !== undefined && typeof secret.type !== 'string')
    out.push(invalid('type', secret.type, 'must be a string'))
  if (secret.type === 'kubernetes.io/tls')
    for (const k of ['tls.crt', 'tls.key']) if (!secret.data?.[k]) out.push(required(`data[${k}]`))
  return out
}

export function validateConfigMap(cm: ConfigMap): FieldCause[] {
  const data = validateData(cm.data, 'data', false)
  const binary = validateData(cm.binaryData, 'binaryData', true)
  const out = [...data.causes, ...binary.causes]
  for (const k of Object.keys(cm.binaryData ?? {}))
    if (cm.data && Object.hasOwn(cm.data, k))
      out.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'))
  if (data.bytes + binary.bytes > maxDataBytes) out.push(tooLong('data', maxDataBytes))
  return out
}
