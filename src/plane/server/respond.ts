// Responses: JSON by default, CBOR for our own clients (Accept: application/cbor), and the
// server-side Table kubectl asks for with `as=Table` (usual columns per kind).
import { tableColumns, tableRow, type KubeObject } from '../../api/index.ts'
import { encodeCbor } from './object-codec.ts'
import { toStatus } from './status.ts'

export type Format = 'json' | 'cbor' | 'table'

export function negotiate(accept: string | null | undefined): Format {
  const a = (accept ?? '').toLowerCase()
  if (a.includes('as=table')) return 'table'
  if (a.startsWith('application/cbor')) return 'cbor'
  return 'json'
}

export function encode(
  format: Format,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  if (format === 'cbor')
    return new Response(encodeCbor(body) as Uint8Array<ArrayBuffer>, {
      status,
      headers: { 'content-type': 'application/cbor', ...headers },
    })
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

export function errorResponse(err: unknown, format: Format = 'json'): Response {
  const s = toStatus(err)
  return encode(format === 'table' ? 'json' : format, s, s.code)
}

/** a Table of objects of one kind (rows carry PartialObjectMetadata); columns only when asked */
export function toTable(
  kind: string,
  objs: KubeObject[],
  resourceVersion: string,
  opts: { columns?: boolean; continueToken?: string } = {},
) {
  const now = Date.now()
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...(opts.continueToken ? { continue: opts.continueToken } : {}) },
    columnDefinitions: opts.columns === false ? [] : tableColumns(kind),
    rows: objs.map((o) => tableRow(o, now, kind)),
  }
}
