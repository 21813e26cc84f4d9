// Joining a plane, as kubeadm join does with a bootstrap token:
// 1. GET {plane}/shoal/v1/ca without verifying TLS (nothing is trusted yet), then the sha256 of
//    the CA certificate's DER must equal --ca-cert-hash — else the join stops: whoever answered
//    is not the plane the admin named. No hash: refused unless insecureSkipCaVerification.
// 2. Trusting only that CA: POST {plane}/shoal/v1/join, Authorization: Bearer <join token>,
//    {"node": name, "csr": PEM} → {node, token, caCert, mqtt, certificate}: the node's own token,
//    the CA, the broker, and its certificate for the key it made (node-certificate.ts); the
//    private key stays in the data dir, the plane sees only the request it signed.
// 3. The certificate and key go to <dataDir>/node.pem, the rest to <dataDir>/credentials.json
//    (both 0600, dir 0700; credentials last: they mean "joined"); later starts reuse them. A
//    data dir that already holds the credentials of this node at this plane is reused as it is;
//    of another node or plane, refused.
import { createHash, X509Certificate } from 'node:crypto'
import { dns1123Subdomain, isTopicSafe } from '../api/index.ts'
import { BadRequestError, ShoalError, UnavailableError, type Logger } from '../core/index.ts'
import { ensurePrivateDir, layout } from './data-dir.ts'
import { httpsFetch } from './https-fetch.ts'
import { checkIssued, makeNodeRequest, saveNodeCertificate } from './node-certificate.ts'
import { readState, writeState } from './state-file.ts'
import type { Credentials } from './types.ts'

export interface JoinOptions {
  /** https://plane:6443 */
  plane: string
  /** the join token (Authorization: Bearer) */
  token: string
  /** sha256:<hex> of the plane CA certificate's DER */
  caCertHash?: string
  insecureSkipCaVerification?: boolean
  node: string
  /** the node's IPs, named in its certificate (loopback ones are left out) */
  addresses?: readonly string[]
  dataDir: string
  log: Logger
}

/** "sha256:<hex>" of a PEM certificate's DER bytes */
export function caCertHash(pem: string): string {
  const der = new X509Certificate(pem).raw
  return `sha256:${createHash('sha256').update(der).digest('hex')}`
}

export async function loadCredentials(
  dataDir: string,
  log: Logger,
): Promise<Credentials | undefined> {
  const c = await readState<Credentials>(layout(dataDir).credentials, log)
  const ok =
    c &&
    ['node', 'plane', 'mqtt', 'token', 'caCert'].every(
      (k) => typeof c[k as keyof Credentials] === 'string',
    )
  return ok ? c : undefined
}

function checkInputs(o: JoinOptions): URL {
  if (dns1123Subdomain(o.node).length || !isTopicSafe(o.node))
    throw new BadRequestError(
      `join: "${o.node}" is no node name (a DNS-1123 subdomain: lower case letters, digits, "-" and ".")`,
    )
  const url = URL.canParse(o.plane) ? new URL(o.plane) : undefined
  if (url?.protocol !== 'https:')
    throw new BadRequestError(`join: --join must be an https:// URL of the plane, not "${o.plane}"`)
  if (o.caCertHash && !/^sha256:[0-9a-fA-F]{64}$/.test(o.caCertHash))
    throw new BadRequestError(
      `join: --ca-cert-hash must be sha256:<64 hex digits>, not "${o.caCertHash}"`,
    )
  if (!o.caCertHash && !o.insecureSkipCaVerification)
    throw new BadRequestError(
      'join: --ca-cert-hash sha256:<hex> is needed to know the plane is the one you mean (shown where the join token was made); --insecure-skip-ca-verification trusts whatever answers',
    )
  return url
}

async function discoverCa(base: string, o: JoinOptions): Promise<string> {
  const res = await httpsFetch({ insecure: true, timeoutMs: 15_000 })(`${base}/shoal/v1/ca`).catch(
    (error: Error) => {
      throw new UnavailableError(`join: cannot reach the plane at ${base}: ${error.message}`, {
        cause: error,
      })
    },
  )
  const pem = await res.text()
  if (!res.ok)
    throw new UnavailableError(
      `join: GET ${base}/shoal/v1/ca answered HTTP ${res.status} ${pem.slice(0, 200)}`,
    )
  let hash: string
  try {
    hash = caCertHash(pem)
  } catch {
    throw new ShoalError('Invalid', `join: ${base}/shoal/v1/ca did not answer a PEM certificate`)
  }
  if (o.caCertHash && hash !== o.caCertHash.toLowerCase())
    throw new ShoalError(
      'Forbidden',
      `join: the CA certificate at ${base} has hash ${hash}, not ${o.caCertHash.toLowerCase()}; refusing to trust it (is it the right plane?)`,
    )
  if (!o.caCertHash)
    o.log.warn('joining without verifying the plane CA (--insecure-skip-ca-verification)', { hash })
  return pem
}

type Answer = Omit<Credentials, 'plane'> & { certificate?: string }

function parseAnswer(body: unknown, node: string): Answer {
  const b = body as Record<string, unknown> | null
  const fields = ['node', 'token', 'caCert', 'mqtt'] as const
  if (!b || fields.some((f) => typeof b[f] !== 'string'))
    throw new ShoalError('Invalid', `join: the plane's answer lacks ${fields.join(', ')}`)
  const a = b as Record<(typeof fields)[number], string>
  if (a.node !== node)
    throw new ShoalError('Invalid', `join: the plane answered for node "${a.node}", not "${node}"`)
  if (!a.mqtt.startsWith('mqtts://'))
    throw new ShoalError(
      'Invalid',
      `join: the plane's broker "${a.mqtt}" is not mqtts:// (the node token must not travel in clear)`,
    )
  caCertHash(a.caCert) // parses, or throws
  const certificate = typeof b.certificate === 'string' ? b.certificate : undefined
  const mqttCa = b.mqttCa === undefined ? undefined : b.mqttCa
  if (mqttCa !== undefined) {
    if (typeof mqttCa !== 'string')
      throw new ShoalError('Invalid', "join: the plane's mqttCa is not a PEM certificate")
    try {
      caCertHash(mqttCa)
    } catch {
      throw new ShoalError('Invalid', "join: the plane's mqttCa is not a PEM certificate")
    }
  }
  const broker = mqttCa === undefined ? {} : { mqttCa }
  return { node: a.node, token: a.token, caCert: a.caCert, mqtt: a.mqtt, ...broker, certificate }
}

export async function joinPlane(o: JoinOptions): Promise<Credentials> {
  const base = checkInputs(o).href.replace(/\/+$/, '')
  ensurePrivateDir(o.dataDir, o.log)
  const saved = await loadCredentials(o.dataDir, o.log)
  if (saved) {
    if (saved.node === o.node && saved.plane === base) return saved
    throw new ShoalError(
      'Conflict',
      `join: ${o.dataDir} already holds the credentials of node "${saved.node}" at ${saved.plane}; use another --data-dir, or remove ${layout(o.dataDir).credentials} to join again`,
    )
  }
  const ca = await discoverCa(base, o)
  const request = await makeNodeRequest(o.node, o.addresses ?? [])
  const res = await httpsFetch({ ca, timeoutMs: 15_000 })(`${base}/shoal/v1/join`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ node: o.node, csr: request.csrPem }),
  }).catch((error: Error) => {
    throw new UnavailableError(`join: POST ${base}/shoal/v1/join failed: ${error.message}`, {
      cause: error,
    })
  })
  const text = await res.text()
  if (!res.ok) {
    const code =
      res.status === 401
        ? 'Unauthorized'
        : res.status === 403
          ? 'Forbidden'
          : res.status === 409
            ? 'Conflict'
            : 'Unavailable'
    throw new ShoalError(
      code,
      `join: the plane refused to join "${o.node}": HTTP ${res.status} ${text.slice(0, 300)}`,
    )
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ShoalError('Invalid', `join: the plane's answer is not JSON: ${text.slice(0, 100)}`)
  }
  const { certificate, ...answer } = parseAnswer(body, o.node)
  const credentials: Credentials = { ...answer, plane: base }
  await saveCertificate(o, certificate, request.keyPem, credentials.caCert)
  await writeState(layout(o.dataDir).credentials, credentials)
  o.log.info('joined the plane', { node: o.node, plane: base, mqtt: credentials.mqtt })
  return credentials
}

async function saveCertificate(
  o: JoinOptions,
  certPem: string | undefined,
  keyPem: string,
  caCert: string,
): Promise<void> {
  if (!certPem) {
    o.log.warn('the plane answered no node certificate (an older plane?); the agent asks again')
    return
  }
  checkIssued({ certPem, keyPem, node: o.node, caCert })
  await saveNodeCertificate(layout(o.dataDir).certificate, certPem, keyPem)
}
