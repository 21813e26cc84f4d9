// Request bodies: size limit (413), content types (415), and a clear 400 that says what is
// wrong with malformed JSON, YAML or CBOR. Nothing is written before the body parsed.
import { parse as parseYaml } from 'yaml'
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

export async function readBody(req: Request, opts: { optional?: boolean } = {}): Promise<unknown> {
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

function decode(kind: Kind, buf: Uint8Array): unknown {
  const text = () => new TextDecoder('utf-8', { fatal: true }).decode(buf)
  if (kind === 'protobuf') return decodeK8sProtobuf(buf)
  try {
    if (kind === 'cbor') return decodeCbor(buf)
    if (kind === 'json') return JSON.parse(text())
    const docs = text()
    return parseYaml(docs, { prettyErrors: true, uniqueKeys: true })
  } catch (err) {
    const what = kind === 'json' ? 'JSON' : kind === 'yaml' ? 'YAML' : 'CBOR'
    throw new ShoalError('BadRequest', `the request body is not valid ${what}: ${(err as Error).message.split('\n')[0]}`, { cause: err })
  }
}
