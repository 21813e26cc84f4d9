// Request bodies: size limit (413), content types (415), and a clear 400 that says what is
// wrong with malformed JSON, YAML or CBOR. Nothing is written before the body parsed.
import { LineCounter, parseDocument, visit, isScalar, type Document } from 'yaml'
import { lazyJsonKeys, type BodySource, type YamlDuplicate } from '../../api/index.ts'
import { ShoalError } from '../../core/index.ts'
import { decodeCbor } from './object-codec.ts'
import { decodeK8sProtobuf } from './protobuf.ts'

export const MAX_BODY_BYTES = 3 * 1024 * 1024

type Kind = 'json' | 'yaml' | 'cbor' | 'protobuf'

function kindOf(contentType: string | undefined): Kind | undefined {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (ct === '' || ct === 'application/json' || ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json' || ct === 'application/json-patch+json') return 'json'
  if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml' || ct === 'application/x-yaml' || ct === 'text/yaml') return 'yaml'
  if (ct === 'application/cbor' || ct === 'application/apply-patch+cbor') return 'cbor'
  if (ct === 'application/vnd.kubernetes.protobuf') return 'protobuf'
  return undefined
}

/** a decoded body and how it was written: fieldValidation needs its duplicate keys */
export interface ParsedBody {
  value: unknown
  /** JSON keys are scanned on first use (Ignore never needs them) */
  source(): BodySource
}

export async function readBody(req: Request, opts: { optional?: boolean } = {}): Promise<unknown> {
  return (await parseBody(req, opts))?.value
}

/** as readBody, with what fieldValidation needs */
export async function readParsedBody(req: Request): Promise<ParsedBody> {
  return (await parseBody(req, {}))!
}

async function parseBody(req: Request, opts: { optional?: boolean }): Promise<ParsedBody | undefined> {
  const len = Number(req.headers.get('content-length') ?? 0)
  if (len > MAX_BODY_BYTES) throw new ShoalError('TooLarge', `the request body is ${len} bytes, over the ${MAX_BODY_BYTES}-byte limit`)
  const buf = new Uint8Array(await req.arrayBuffer())
  if (buf.length > MAX_BODY_BYTES) throw new ShoalError('TooLarge', `the request body is over the ${MAX_BODY_BYTES}-byte limit`)
  if (buf.length === 0) {
    if (opts.optional) return undefined
    throw new ShoalError('BadRequest', 'the request body is empty')
  }
  const contentType = req.headers.get('content-type') ?? undefined
  const kind = kindOf(contentType)
  if (!kind) throw new ShoalError('Unsupported', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/cbor, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got "${contentType}")`)
  return decode(kind, buf)
}

const other = (value: unknown): ParsedBody => ({ value, source: () => ({ other: true }) })

/** fatal: a body that is not UTF-8 is a 400, not replacement characters (one decoder: decode() keeps no state) */
const utf8 = new TextDecoder('utf-8', { fatal: true })

function decode(kind: Kind, buf: Uint8Array): ParsedBody {
  const text = () => utf8.decode(buf)
  if (kind === 'protobuf') return other(decodeK8sProtobuf(buf))
  try {
    if (kind === 'cbor') return other(decodeCbor(buf))
    if (kind === 'json') return jsonBody(text())
    return yamlBody(text())
  } catch (err) {
    const what = kind === 'json' ? 'JSON' : kind === 'yaml' ? 'YAML' : 'CBOR'
    throw new ShoalError('BadRequest', `the request body is not valid ${what}: ${(err as Error).message.split('\n')[0]}`, { cause: err })
  }
}

function jsonBody(text: string): ParsedBody {
  const value: unknown = JSON.parse(text)
  const json = lazyJsonKeys(text, value) // counted now, while value is as parsed
  return { value, source: () => ({ json }) }
}

/** YAML: the last of repeated keys wins (as in Kubernetes); the repeats are kept for fieldValidation */
function yamlBody(text: string): ParsedBody {
  const lines = new LineCounter()
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lines })
  if (doc.errors.length) throw doc.errors[0]
  const duplicates = yamlDuplicates(doc, lines)
  return { value: doc.toJS({ maxAliasCount: 100 }), source: () => ({ yaml: duplicates }) }
}

function yamlDuplicates(doc: Document, lines: LineCounter): YamlDuplicate[] {
  const out: YamlDuplicate[] = []
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : String(pair.key)
        if (seen.has(key)) out.push({ line: isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : 0, key: String(key) })
        seen.add(key)
      }
    },
  })
  return out
}
