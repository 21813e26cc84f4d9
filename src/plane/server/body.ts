// Request bodies: size limit (413), content types (415), and a clear 400 that says what is
// wrong with malformed JSON, YAML or CBOR. Nothing is written before the body parsed.
import { LineCounter, parseDocument, visit, isScalar, type Document } from 'yaml'
import {
  checkBodyTree,
  lazyJsonKeys,
  MAX_NESTING,
  tooDeep,
  type BodySource,
  type YamlDuplicate,
} from '../../api/index.ts'
import { readLimited, ShoalError } from '../../core/index.ts'
import { decodeCbor } from './object-codec.ts'
import { decodeK8sProtobuf } from './protobuf.ts'
import { yamlNesting } from './yaml-depth.ts'

export const MAX_BODY_BYTES = 3 * 1024 * 1024

type Kind = 'json' | 'yaml' | 'cbor' | 'protobuf'

function kindOf(contentType: string | undefined): Kind | undefined {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (
    ct === '' ||
    ct === 'application/json' ||
    ct === 'application/merge-patch+json' ||
    ct === 'application/strategic-merge-patch+json' ||
    ct === 'application/json-patch+json'
  )
    return 'json'
  if (
    ct === 'application/yaml' ||
    ct === 'application/apply-patch+yaml' ||
    ct === 'application/x-yaml' ||
    ct === 'text/yaml'
  )
    return 'yaml'
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

async function parseBody(
  req: Request,
  opts: { optional?: boolean },
): Promise<ParsedBody | undefined> {
  const len = Number(req.headers.get('content-length') ?? 0)
  if (len > MAX_BODY_BYTES)
    throw new ShoalError(
      'TooLarge',
      `the request body is ${len} bytes, over the ${MAX_BODY_BYTES}-byte limit`,
    )
  // counted as they arrive: a chunked body is refused once past the limit, not read to its end
  const buf = await readLimited(req.body, {
    limit: MAX_BODY_BYTES,
    tooLarge: `the request body is over the ${MAX_BODY_BYTES}-byte limit`,
  })
  if (buf.length === 0) {
    if (opts.optional) return undefined
    throw new ShoalError('BadRequest', 'the request body is empty')
  }
  const contentType = req.headers.get('content-type') ?? undefined
  const kind = kindOf(contentType)
  if (!kind)
    throw new ShoalError(
      'Unsupported',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/cbor, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got "${contentType}")`,
    )
  return decode(kind, buf)
}

const other = (value: unknown): ParsedBody => ({ value, source: () => ({ other: true }) })

/** fatal: a body that is not UTF-8 is a 400, not replacement characters (one decoder: decode() keeps no state) */
const utf8 = new TextDecoder('utf-8', { fatal: true })

function decode(kind: Kind, buf: Uint8Array): ParsedBody {
  const what =
    kind === 'json' ? 'JSON' : kind === 'yaml' ? 'YAML' : kind === 'cbor' ? 'CBOR' : 'protobuf'
  let body: ParsedBody
  let jsonText: string | undefined
  try {
    if (kind === 'protobuf') body = other(decodeK8sProtobuf(buf))
    else if (kind === 'cbor') body = other(decodeCbor(buf))
    else if (kind === 'yaml') body = yamlBody(utf8.decode(buf))
    else body = other(JSON.parse((jsonText = utf8.decode(buf))))
  } catch (err) {
    if (err instanceof ShoalError) throw err
    // the decoders recurse: a body nested deep enough overflows their stack before any check
    const why =
      /Maximum call stack size exceeded/.test(String(err)) || (err as Error).message === tooDeep
        ? tooDeep
        : (err as Error).message.split('\n')[0]
    throw new ShoalError('BadRequest', `the request body is not valid ${what}: ${why}`, {
      cause: err,
    })
  }
  const checked = checkBodyTree(body.value)
  if (!checked.ok)
    throw new ShoalError('BadRequest', `the request body is refused: ${checked.error}`)
  if (jsonText === undefined) return body
  // keys counted by the check (one walk) are compared with the text's now, while the value is as parsed
  const json = lazyJsonKeys(jsonText, body.value, checked.keys)
  return { value: body.value, source: () => ({ json }) }
}

/** YAML: the last of repeated keys wins (as in Kubernetes); the repeats are kept for fieldValidation */
function yamlBody(text: string): ParsedBody {
  if (yamlNesting(text, MAX_NESTING) > MAX_NESTING) throw new RangeError(tooDeep)
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
        if (seen.has(key))
          out.push({
            line: isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : 0,
            key: String(key),
          })
        seen.add(key)
      }
    },
  })
  return out
}
