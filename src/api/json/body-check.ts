// What every decoded request body (JSON, YAML, CBOR, protobuf) must pass before anything reads
// it: nesting no deeper than MAX_NESTING levels, and no "__proto__" key anywhere. The depth
// bounds every recursive walk after it (validation, patches, the CBOR encoder, JSON.stringify:
// a body nested 1,500 levels once overflowed the encoder's stack); "__proto__" is the one key
// that a plain assignment turns into a prototype, and the store's CBOR would not keep it as a
// key either, so it is refused rather than stored changed. Other keys ("constructor",
// "prototype") are ordinary fields: every merge of user JSON reads and writes own properties.

/** objects and arrays inside one another; a Kubernetes object with its managedFields nests about 20 */
export const MAX_NESTING = 100

export type BodyCheck = { ok: true; keys: number } | { ok: false; error: string }

export const tooDeep = `it is nested more than ${MAX_NESTING} levels deep (the limit for every request body)`

class Refused {
  constructor(
    readonly why: string,
    readonly path: (string | number)[] = [],
  ) {}
}

/** counts object keys (fieldValidation compares them with the text's) while checking depth and keys */
function walk(v: unknown, depth: number): number {
  if (v === null || typeof v !== 'object') return 0
  if (depth > MAX_NESTING) throw new Refused(tooDeep)
  let n = 0
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += step(v[i], depth, i)
    return n
  }
  for (const k of Object.keys(v)) {
    if (k === '__proto__')
      throw new Refused('it has a field named "__proto__", which is not accepted', [k])
    n += 1 + step((v as Record<string, unknown>)[k], depth, k)
  }
  return n
}

function step(v: unknown, depth: number, at: string | number): number {
  try {
    return walk(v, depth + 1)
  } catch (err) {
    if (err instanceof Refused && err.why !== tooDeep) err.path.unshift(at)
    throw err
  }
}

const pathText = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')

/** ok with the number of object keys, or what is wrong in words ("it has a field named …, at metadata.labels") */
export function checkBodyTree(value: unknown): BodyCheck {
  try {
    return { ok: true, keys: walk(value, 1) }
  } catch (err) {
    if (!(err instanceof Refused)) throw err
    const where = err.path.length > 1 ? ` (at ${pathText(err.path)})` : ''
    return { ok: false, error: err.why + where }
  }
}
