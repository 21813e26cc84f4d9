// Joining a node, as kubeadm's bootstrap tokens do it:
//   GET  /shoal/v1/ca    no authentication: the CA certificate (PEM). The agent checks its
//                        sha256 (of the DER) against --ca-cert-hash before trusting anything.
//   POST /shoal/v1/join  Authorization: Bearer <join token>; body {"node": "<name>", "csr": PEM} →
//                        200 {"node", "token", "caCert", "mqtt", "certificate"}: a new node bearer
//                        token (role node, user system:node:<name>), the CA, the broker's URL, and
//                        the node's certificate signed by the CA for the PKCS#10 request "csr"
//                        (security/node-certificates.ts says what is taken; a bad one is a 422
//                        and no token is issued). Without "csr" the answer has no certificate.
//   POST /shoal/v1/node-certificate  Authorization: Bearer <node token>; {"csr": PEM} →
//                        200 {"certificate"}: renewal, for the calling node only.
// A join token may do nothing else (security/authorizer.ts). Joining a name again issues another
// token; the earlier ones stay valid until revoked (`shoal token revoke --node NAME`).
// The node's private key never travels: the node sends only the request its key signed.
import { dns1123Subdomain, isObject, isTopicSafe } from '../../api/index.ts'
import { InvalidError, ShoalError, type Logger } from '../../core/index.ts'
import { readBody } from './body.ts'
import type { NodeSigner, TokenStore } from './security/index.ts'

export const CA_PATH = '/shoal/v1/ca'

export interface JoinOptions {
  caCert: string
  tokens: TokenStore
  /** signs node certificates with the CA */
  nodeCertificates: NodeSigner
  /** the broker's URL as a node that reached the API at `apiHost` should dial it */
  mqttUrl(apiHost: string): string
  /** PEM of the CA that signed the external broker's certificate, when not caCert: told to
   * the node, which trusts it for the broker only */
  mqttCa?: string
  /** a node was given a token (an external broker's login is added here) before the answer */
  joined?(node: string, token: string): Promise<void>
  log: Logger
}

/** the routes' handlers; the app mounts them at CA_PATH, JOIN_PATH and NODE_CERTIFICATE_PATH */
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
      const body = await readBody(req)
      const node = nodeName(body)
      const csr = csrOf(body, false)
      const certificate = csr === undefined ? undefined : await o.nodeCertificates.sign(csr, node)
      const token = o.tokens.issue({ role: 'node', node })
      await o.joined?.(node, token)
      o.log.info('node joined', { node, certificate: !!certificate }) // the name, never the token
      const mqtt = o.mqttUrl(new URL(req.url).hostname)
      const mqttCa = o.mqttCa
      return Response.json({ node, token, caCert: o.caCert, mqtt, mqttCa, certificate })
    },
    /** `node`: the authenticated caller's node (the authorizer lets only nodes here) */
    async renew(req: Request, node: string | undefined): Promise<Response> {
      if (!o) throw noJoin()
      if (!node)
        throw new ShoalError('Forbidden', 'node-certificate: only a node may renew its certificate')
      const certificate = await o.nodeCertificates.sign(csrOf(await readBody(req), true)!, node)
      o.log.info('node certificate renewed', { node })
      return Response.json({ certificate })
    },
  }
}

/** a plane without TLS has no node tokens: joining is not possible */
const noJoin = () =>
  new ShoalError(
    'NotFound',
    'join: this plane runs without TLS (--insecure-http): nodes cannot join it',
  )

function csrOf(body: unknown, required: boolean): string | undefined {
  const csr = isObject(body) ? body.csr : undefined
  if (csr === undefined && !required) return undefined
  if (typeof csr !== 'string' || !csr)
    throw new InvalidError('csr: the body must carry "csr", a PEM PKCS#10 certificate request', [
      { field: 'csr', message: csr === undefined ? 'Required value' : 'must be a PEM string' },
    ])
  return csr
}

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
