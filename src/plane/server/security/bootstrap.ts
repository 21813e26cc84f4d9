// Everything the plane's security needs at start, in one call: the PKI (serving certificate
// covering the server URL's host), the token store, the admin kubeconfig (first start issues the
// admin token), the secret box and the signer of node certificates. Idempotent: a restart reuses what is on disk.
import { InvalidError, type Logger } from '../../../core/index.ts'
import { ensureAdminKubeconfig } from './kubeconfig.ts'
import { createNodeSigner, type NodeSigner } from './node-certificates.ts'
import { ensurePki, type Pki } from './pki.ts'
import { createSecretBox, type SecretBox } from './secret-box.ts'
import { createTokenStore, type TokenStore } from './tokens.ts'

export interface SecurityOptions {
  /** the URL written into the admin kubeconfig, e.g. https://192.168.1.10:6443; its host becomes a SAN */
  serverUrl: string
  /** more SANs: the --listen host, extra IPs and DNS names */
  sans?: readonly string[]
  hostname?: string
  logger?: Logger
  /** how long node certificates are valid (default a year) */
  nodeCertLifetimeMs?: number
}

export interface Security {
  /** for https.createServer / @hono/node-server serverOptions: { cert, key } */
  tls: { cert: string; key: string }
  caCert: string
  tokens: TokenStore
  secrets: SecretBox
  /** signs node certificates (join and renewal) with the CA */
  nodeCertificates: NodeSigner
  /** path of <dataDir>/admin.kubeconfig */
  adminKubeconfig: string
}

export function ensureSecurity(dataDir: string, opts: SecurityOptions): Security {
  const url = new URL(opts.serverUrl)
  if (url.protocol !== 'https:') {
    throw new InvalidError(
      `security: server URL ${opts.serverUrl} must be https (kubectl sends no token over http)`,
      [{ field: 'serverUrl', message: 'must start with https://' }],
    )
  }
  const urlHost = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const sans = [...(opts.sans ?? []), ...(urlHost ? [urlHost] : [])]
  const pki: Pki = ensurePki(dataDir, {
    sans,
    ...(opts.hostname ? { hostname: opts.hostname } : {}),
  })
  if (pki.outcome !== 'reused')
    opts.logger?.info(
      pki.outcome === 'created'
        ? 'created CA and serving certificate'
        : 'renewed serving certificate',
      { dir: `${dataDir}/pki` },
    )
  const tokens = createTokenStore(dataDir)
  const admin = ensureAdminKubeconfig(dataDir, {
    server: opts.serverUrl,
    caCert: pki.caCert,
    tokens,
  })
  if (admin.issued) opts.logger?.info('issued the admin token', { kubeconfig: admin.path }) // the path, never the token
  const secrets = createSecretBox(dataDir)
  return {
    tls: { cert: pki.serverCert, key: pki.serverKey },
    caCert: pki.caCert,
    tokens,
    secrets,
    nodeCertificates: createNodeSigner({
      ...{ caCert: pki.caCert, caKey: pki.caKey, reservedSans: pki.sans },
      lifetimeMs: opts.nodeCertLifetimeMs,
    }),
    adminKubeconfig: admin.path,
  }
}
