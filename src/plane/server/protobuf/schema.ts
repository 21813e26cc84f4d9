// Schema tables: message name → field number → how the field reads and where it lands in JSON.
// Tables are written as one string per message, one token per field, `no:json[:type]`, e.g.
//   Container: '1:name 2:image 3:command:[]string 8:resources:ResourceRequirements 24:restartPolicy:string?'
// - type defaults to string; scalars: string, bytes (JSON base64), int (int32/int64 varint), bool;
//   wrappers: Time, MicroTime (meta/v1, → RFC 3339), Quantity (→ its string), IntOrString;
//   any other name is a message of the same table set.
// - `[]` prefix: repeated (packed or not); `{}` prefix: map<string, type> (entries key 1, value 2).
// - `?` suffix: a Go pointer field, present whenever sent, so 0, false and "" are kept. Without it a
//   zero scalar is dropped, as Go's `omitempty` JSON does, since gogo writes value fields always.
// - json `*`: an embedded Go struct (`json:",inline"`) whose fields merge into the parent object.

import { ShoalError } from '../../../core/index.ts'

export type Scalar = 'string' | 'bytes' | 'int' | 'bool'
export const WRAPPERS = ['Time', 'MicroTime', 'Quantity', 'IntOrString'] as const

export interface FieldSpec {
  json: string
  type: string
  repeated: boolean
  map: boolean
  /** a pointer field: zero values are kept */
  keepZero: boolean
  /** an embedded struct: its fields merge into the parent */
  inline: boolean
}

export type MessageSchema = ReadonlyMap<number, FieldSpec>
export type Schema = Readonly<Record<string, MessageSchema>>

const SCALARS = new Set<string>(['string', 'bytes', 'int', 'bool'])

export const isScalar = (type: string): type is Scalar => SCALARS.has(type)

function parseField(token: string, message: string): [number, FieldSpec] {
  const [no, json, rawType = 'string'] = token.split(':')
  const n = Number(no)
  if (!Number.isInteger(n) || n < 1 || !json)
    throw new ShoalError('Internal', `protobuf schema: bad field "${token}" in ${message}`)
  const repeated = rawType.startsWith('[]')
  const map = rawType.startsWith('{}')
  const keepZero = rawType.endsWith('?')
  const type = rawType.replace(/^(\[\]|\{\})/, '').replace(/\?$/, '')
  return [n, { json, type, repeated, map, keepZero, inline: json === '*' }]
}

/** Parses a table of message strings into a schema. */
export function defineSchema(table: Record<string, string>): Schema {
  const out: Record<string, MessageSchema> = {}
  for (const [name, spec] of Object.entries(table)) {
    const fields = new Map<number, FieldSpec>()
    for (const token of spec.split(/\s+/).filter(Boolean)) {
      const [no, field] = parseField(token, name)
      if (fields.has(no))
        throw new ShoalError('Internal', `protobuf schema: field ${no} twice in ${name}`)
      fields.set(no, field)
    }
    out[name] = fields
  }
  return out
}

/** Names of message types that fields refer to but no table defines (a test keeps this empty). */
export function unresolvedTypes(schema: Schema): string[] {
  const missing = new Set<string>()
  for (const [name, fields] of Object.entries(schema)) {
    for (const f of fields.values()) {
      if (!isScalar(f.type) && !(WRAPPERS as readonly string[]).includes(f.type) && !schema[f.type])
        missing.add(`${name}.${f.json} → ${f.type}`)
    }
  }
  return [...missing]
}
