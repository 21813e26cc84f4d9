// One generic decoder: walks a message's wire fields, looks each number up in the schema and
// builds the JSON shape Go's encoding/json would print for the same object. Unknown field
// numbers are skipped; a known field with the wrong wire type is an error naming its path.
import { isScalar, type FieldSpec, type Schema } from './schema.ts'
import { LEN, VARINT, WireError, packedVarints, wireFields, type WireField } from './wire.ts'

type Json = Record<string, unknown>

const utf8 = new TextDecoder()

/** Decodes `buf` as the schema's message `type` into its JSON shape. */
export function decodeMessage(buf: Uint8Array, opts: { schema: Schema; type: string }): Json {
  return message(opts.schema, opts.type, buf, '', {})
}

/** Decodes into `into` (a repeated singular message merges); `path` names it in errors, e.g. "spec.template". */
function message(schema: Schema, type: string, buf: Uint8Array, path: string, into: Json): Json {
  const fields = schema[type]
  if (!fields) throw new WireError(`no schema for message ${type}`)
  for (const f of located(wireFields(buf), path)) {
    const spec = fields.get(f.no)
    if (!spec) continue
    const at = spec.inline ? path : join(path, spec.json)
    if (spec.map) putEntry(schema, spec, f, at, (into[spec.json] ??= {}) as Json)
    else if (spec.repeated) pushValues(schema, spec, f, at, (into[spec.json] ??= []) as unknown[])
    else if (spec.inline) message(schema, spec.type, lenOf(f, at), path, into)
    else if (!isScalar(spec.type) && schema[spec.type])
      into[spec.json] = message(
        schema,
        spec.type,
        lenOf(f, at),
        at,
        (into[spec.json] ?? {}) as Json,
      )
    else {
      const v = valueOf(schema, spec.type, f, at)
      if (v === undefined || (!spec.keepZero && isZero(v))) delete into[spec.json]
      else into[spec.json] = v
    }
  }
  return into
}

function* located(fields: Iterable<WireField>, path: string): Generator<WireField> {
  try {
    yield* fields
  } catch (err) {
    if (err instanceof WireError && !/ \(at /.test(err.message))
      throw new WireError(`${err.message} (at ${path || 'the object'})`, { cause: err })
    throw err
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key)

const isZero = (v: unknown) => v === '' || v === 0 || v === false

function lenOf(f: WireField, path: string): Uint8Array {
  if (f.wire !== LEN)
    throw new WireError(`${path}: wire type ${f.wire}, expected ${LEN} (length-delimited)`)
  return f.bytes!
}

function intOf(f: WireField, path: string): number {
  if (f.wire !== VARINT)
    throw new WireError(`${path}: wire type ${f.wire}, expected ${VARINT} (varint)`)
  return f.int!
}

/** A singular value of a scalar or wrapper type; undefined for a zero Time. */
function valueOf(schema: Schema, type: string, f: WireField, path: string): unknown {
  switch (type) {
    case 'string':
      return utf8.decode(lenOf(f, path))
    case 'bytes':
      return Buffer.from(lenOf(f, path)).toString('base64')
    case 'int':
      return intOf(f, path)
    case 'bool':
      return intOf(f, path) !== 0
    case 'Time':
    case 'MicroTime':
      return timeOf(lenOf(f, path), type === 'MicroTime', path)
    case 'Quantity':
      return quantity(lenOf(f, path), path)
    case 'IntOrString':
      return intOrString(lenOf(f, path), path)
  }
  throw new WireError(`${path}: no schema for message ${type}`)
}

/** resource.Quantity is a message with one string field: {1: "100m"} */
function quantity(buf: Uint8Array, path: string): string {
  let text = ''
  for (const f of located(wireFields(buf), path)) if (f.no === 1) text = utf8.decode(lenOf(f, path))
  return text
}

function intOrString(buf: Uint8Array, path: string): number | string {
  let type = 0
  let intVal = 0
  let strVal = ''
  for (const f of located(wireFields(buf), path)) {
    if (f.no === 1) type = intOf(f, `${path}.type`)
    else if (f.no === 2) intVal = intOf(f, `${path}.intVal`)
    else if (f.no === 3) strVal = utf8.decode(lenOf(f, `${path}.strVal`))
  }
  return type === 1 ? strVal : intVal
}

/** meta/v1 Time and MicroTime {seconds, nanos} → RFC 3339 (Time at second precision); empty → undefined */
function timeOf(buf: Uint8Array, micro: boolean, path: string): string | undefined {
  if (buf.length === 0) return undefined
  let seconds = 0
  let nanos = 0
  for (const f of located(wireFields(buf), path)) {
    if (f.no === 1) seconds = intOf(f, `${path}.seconds`)
    else if (f.no === 2) nanos = intOf(f, `${path}.nanos`)
  }
  const date = new Date(seconds * 1000)
  if (Number.isNaN(date.getTime())) throw new WireError(`${path}: time ${seconds}s is out of range`)
  const iso = date.toISOString().slice(0, 19)
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`
}

function pushValues(
  schema: Schema,
  spec: FieldSpec,
  f: WireField,
  path: string,
  into: unknown[],
): void {
  const at = `${path}[${into.length}]`
  if ((spec.type === 'int' || spec.type === 'bool') && f.wire === LEN) {
    for (const v of packedVarints(f.bytes!)) into.push(spec.type === 'bool' ? v !== 0 : v)
  } else if (schema[spec.type]) into.push(message(schema, spec.type, lenOf(f, at), at, {}))
  else into.push(valueOf(schema, spec.type, f, at) ?? null)
}

function putEntry(schema: Schema, spec: FieldSpec, f: WireField, path: string, into: Json): void {
  let key = ''
  let value: unknown
  for (const e of located(wireFields(lenOf(f, path)), path)) {
    if (e.no === 1) key = utf8.decode(lenOf(e, `${path} key`))
    else if (e.no === 2)
      value = schema[spec.type]
        ? message(schema, spec.type, lenOf(e, `${path}[${key}]`), `${path}[${key}]`, {})
        : valueOf(schema, spec.type, e, `${path}[${key}]`)
  }
  // an own property even for "__proto__", as JSON.parse would make it
  Object.defineProperty(into, key, {
    value: value ?? zeroOf(spec.type),
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

const zeroOf = (type: string): unknown =>
  type === 'int'
    ? 0
    : type === 'bool'
      ? false
      : type === 'string' || type === 'bytes' || type === 'Quantity'
        ? ''
        : type === 'IntOrString'
          ? 0
          : null
