// Proxy headers: hop-by-hop headers stripped both ways (RFC 9110 §7.6.1, and any the Connection
// header names), x-forwarded-for / -proto / -host and via added on the way in. The header that
// carries a node-to-node hop's target port is only ever set by a mesh: dropped from clients.
import type { IncomingMessage } from 'node:http'

/** set by the sending mesh on a node-to-node hop: the receiving node's loopback port to serve */
export const TARGET_PORT_HEADER = 'x-shoal-target-port'
/** set with it: the Service ("namespace/name") the hop is for */
export const TARGET_SERVICE_HEADER = 'x-shoal-target-service'
/** set with them: the revision of the sender's mesh table (every node's is numbered alike) */
export const TABLE_REVISION_HEADER = 'x-shoal-table-revision'

/** on every answer from an endpoint, set by the mesh of that endpoint's node: who answered */
export const POD_HEADER = 'x-shoal-pod'
export const NODE_HEADER = 'x-shoal-node'

export const HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  TARGET_PORT_HEADER,
  TARGET_SERVICE_HEADER,
  TABLE_REVISION_HEADER,
])

export interface Forwarding {
  /** the client's address (appended to x-forwarded-for) or undefined on a node-to-node hop */
  client: string | undefined
  proto: 'http' | 'https'
  via: string
}

/** flat [name, value, …] for the upstream request */
export function upstreamHeaders(req: IncomingMessage, f: Forwarding): string[] {
  const raw = req.rawHeaders
  const out: string[] = []
  const named = connectionTokens(req.headers.connection)
  let xff: string | undefined
  let via: string | undefined
  let proto = false
  let host = false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (HOP.has(name) || (named && named.has(name))) continue
    const value = raw[i + 1]!
    if (name === 'x-forwarded-for') xff = xff ? `${xff}, ${value}` : value
    else if (name === 'via') via = via ? `${via}, ${value}` : value
    else {
      if (name === 'x-forwarded-proto') proto = true
      else if (name === 'x-forwarded-host') host = true
      out.push(name, value)
    }
  }
  if (f.client !== undefined) xff = xff ? `${xff}, ${f.client}` : f.client
  if (xff !== undefined) out.push('x-forwarded-for', xff)
  if (!proto) out.push('x-forwarded-proto', f.proto)
  if (!host && req.headers.host) out.push('x-forwarded-host', req.headers.host)
  out.push('via', via ? `${via}, ${f.via}` : f.via)
  return out
}

/** the upstream's raw response headers as a flat [name, value, …] without hop-by-hop ones, via added */
export function downstreamHeaders(raw: Buffer[], via: string): string[] {
  const out: string[] = []
  let named: Set<string> | undefined
  let upstreamVia: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase()
    const value = raw[i + 1]!.toString('latin1')
    if (name === 'connection') named = connectionTokens(value)
    else if (name === 'via') upstreamVia = upstreamVia ? `${upstreamVia}, ${value}` : value
    else if (!HOP.has(name)) out.push(name, value)
  }
  if (named) {
    const kept: string[] = []
    for (let i = 0; i < out.length; i += 2) if (!named.has(out[i]!)) kept.push(out[i]!, out[i + 1]!)
    kept.push('via', upstreamVia ? `${upstreamVia}, ${via}` : via)
    return kept
  }
  out.push('via', upstreamVia ? `${upstreamVia}, ${via}` : via)
  return out
}

function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined
  const s = Array.isArray(value) ? value.join(',') : value
  if (s === 'keep-alive' || s === 'close') return undefined
  return new Set(s.split(',').map((t) => t.trim().toLowerCase()))
}
