// Joining a node, as kubeadm's bootstrap tokens do it:
//   GET  /shoal/v1/ca    no authentication: the CA certificate (PEM). The agent checks its
//                        sha256 (of the DER) against --ca-cert-hash before trusting anything.
//   POST /shoal/v1/join  Authorization: Bearer <join token>; body {"node": "<name>"} →
//                        200 {"node", "token", "caCert", "mqtt"}: a new node bearer token
//                        (role node, user system:node:<name>), the CA and the broker's URL.
// A join token may do nothing else (security/authorizer.ts). Joining a name again issues another
// token; the earlier ones stay valid until revoked (`shoal token revoke --node NAME`).
import { dns1123Subdomain, isObject, isTopicSafe } from '../../api/index.ts'
import { InvalidError, ShoalError, type Logger } from '../../core/index.ts'
import { readBody } from './body.ts'
import type { TokenStore } from './security/index.ts'

export const CA_PATH = '/shoal/v1/ca'

export interface JoinOptions {
  caCert: string
  tokens: TokenStore
  /** the broker's URL as a node that reached the API at `apiHost` should dial it */
  mqttUrl(apiHost: string): string
  log: Logger
}

/** the two routes' handlers; the app mounts them at CA_PATH and JOIN_PATH */
export function joinRoutes(o: JoinOptions | undefined) {
  return {
    ca(): Response {
      if (!o) throw noJoin()
      return new Response(o.caCert, {
        headers: { 'content-type': 'application/x-pem-file', 'cache-control': 'no-cache' },
      })
    },
    async join(req: Request): Promise<Response> {
      if (!o) throw noJoin()
      const node = nodeName(await readBody(req))
      const token = o.tokens.issue({ role: 'node', node })
      o.log.info('node joined', { node }) // the name, never the token
      const mqtt = o.mqttUrl(new URL(req.url).hostname)
      return Response.json({ node, token, caCert: o.caCert, mqtt })
    },
  }
}

/** a plane without TLS has no node tokens: joining is not possible */
const noJoin = () =>
  new ShoalError(
    'NotFound',
    'join: this plane runs without TLS (--insecure-http): nodes cannot join it',
  )

function nodeName(body: unknown): string {
  const node = isObject(body) ? body.node : undefined
  if (typeof node !== 'string' || !node)
    throw new InvalidError('join: the body must be {"node": "<name>"}', [
      { field: 'node', message: 'Required value' },
    ])
  const problems = dns1123Subdomain(node)
  if (!isTopicSafe(node)) problems.push('must not contain "/", "+" or "#"')
  if (problems.length)
    throw new InvalidError(
      `join: node name "${node.slice(0, 300)}" is invalid: ${problems.join('; ')}`,
      [{ field: 'node', message: problems.join('; ') }],
    )
  return node
}
