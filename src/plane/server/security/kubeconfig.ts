// The admin kubeconfig, <dataDir>/admin.kubeconfig (0600): JSON, which kubectl reads as well as
// YAML. Cluster "shoal" (server URL + CA), user "shoal-admin" (bearer token), context "shoal"
// (namespace default). It is the only place a plain token is ever written.
import { join } from 'node:path'
import { readTextIfExists, writePrivateFile } from './private-file.ts'
import type { TokenStore } from './tokens.ts'

export const ADMIN_USER = 'shoal-admin'

export interface KubeconfigOptions {
  /** https://host:port — kubectl sends no Authorization header over plain http */
  server: string
  /** PEM of the CA that signed the serving certificate */
  caCert: string
  token: string
  cluster?: string
  user?: string
  namespace?: string
}

export interface Kubeconfig {
  apiVersion: 'v1'
  kind: 'Config'
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[]
  users: { name: string; user: { token: string } }[]
  contexts: { name: string; context: { cluster: string; user: string; namespace: string } }[]
  'current-context': string
  preferences: Record<string, never>
}

export function buildKubeconfig(opts: KubeconfigOptions): Kubeconfig {
  const cluster = opts.cluster ?? 'shoal'
  const user = opts.user ?? ADMIN_USER
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: opts.server,
          'certificate-authority-data': Buffer.from(opts.caCert).toString('base64'),
        },
      },
    ],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [
      { name: cluster, context: { cluster, user, namespace: opts.namespace ?? 'default' } },
    ],
    'current-context': cluster,
    preferences: {},
  }
}

export function writeKubeconfig(path: string, config: Kubeconfig): void {
  writePrivateFile(path, JSON.stringify(config, null, 2) + '\n')
}

export interface AdminKubeconfig {
  path: string
  /** true when a new admin token was issued (first start, or the old file was lost or revoked) */
  issued: boolean
}

/**
 * Makes sure <dataDir>/admin.kubeconfig holds a working admin token for this server and CA.
 * Keeps the token of an existing file that still authenticates as admin (updating server and CA
 * if they changed); otherwise revokes the old shoal-admin tokens and issues a new one.
 */
export function ensureAdminKubeconfig(
  dataDir: string,
  opts: { server: string; caCert: string; tokens: TokenStore },
): AdminKubeconfig {
  const path = join(dataDir, 'admin.kubeconfig')
  const existing = readToken(path)
  const valid =
    existing !== undefined && opts.tokens.authenticate(`Bearer ${existing}`)?.role === 'admin'
  let token = existing
  if (!valid || token === undefined) {
    opts.tokens.revoke(ADMIN_USER)
    token = opts.tokens.issue({ user: ADMIN_USER, role: 'admin' })
  }
  const next =
    JSON.stringify(buildKubeconfig({ server: opts.server, caCert: opts.caCert, token }), null, 2) +
    '\n'
  if (readTextIfExists(path) !== next) writePrivateFile(path, next)
  return { path, issued: !valid }
}

function readToken(path: string): string | undefined {
  try {
    const config = JSON.parse(readTextIfExists(path) ?? 'null') as Kubeconfig | null
    const token = config?.users?.find((u) => u.name === ADMIN_USER)?.user?.token
    return typeof token === 'string' ? token : undefined
  } catch {
    return undefined
  }
}
