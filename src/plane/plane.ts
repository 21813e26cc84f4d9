// The plane as one object: store + API server (+ scheduler, controllers and broker as their
// issues land). createPlane() is what `shoal plane` runs and what another program embeds.
import { join } from 'node:path'
import {
  BadRequestError,
  createLogger,
  isShoalError,
  systemClock,
  type Logger,
} from '../core/index.ts'
import { resourceByKind } from '../api/index.ts'
import { openLogStore, SYNC_BUCKETS } from './store/index.ts'
import { ensurePrivateDataDir } from './data-dir.ts'
import { createRegistry } from './registry/index.ts'
import {
  BUILTIN_NAMESPACES,
  createAccess,
  createApiApp,
  createSecretBox,
  endAllWatches,
  ensureSecurity,
  ObjectStore,
  rotateSecretKeys,
  secretTransform,
  serveApi,
} from './server/index.ts'

export interface PlaneOptions {
  dataDir: string
  /** host:port, default 127.0.0.1:6443 */
  listen?: string
  /** plain HTTP without authentication: loopback tests only */
  insecureHttp?: boolean
  logger?: Logger
  version?: string
  /** extra names and addresses for the serving certificate */
  sans?: string[]
}

export interface Plane {
  url: string
  objects: ObjectStore
  /** <dataDir>/admin.kubeconfig (absent with insecureHttp) */
  adminKubeconfig?: string
  /** new secret key, every stored secret re-sealed with it, old keys retired */
  rotateSecretKeys(): Promise<{ keyId: string; resealed: number; retired: string[] }>
  close(): Promise<void>
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen)
  if (!m) throw new BadRequestError(`plane: --listen must be host:port, got "${listen}"`)
  return { host: m[1] ?? m[2], port: Number(m[3]) }
}

/** a listen host as it goes in a URL: unspecified → loopback, IPv6 in brackets */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/** even without TLS, secrets are sealed at rest */
function insecureSecretBox(dataDir: string) {
  return createSecretBox(dataDir)
}

async function ensureNamespaces(objects: ObjectStore): Promise<void> {
  const info = resourceByKind('Namespace')!
  for (const name of BUILTIN_NAMESPACES) {
    await objects
      .create(info, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      } as never)
      .catch((err) => {
        if (!isShoalError(err, 'AlreadyExists')) throw err
      })
  }
}

export async function createPlane(o: PlaneOptions): Promise<Plane> {
  const log = o.logger ?? createLogger('plane')
  ensurePrivateDataDir(o.dataDir, log) // 0700, as etcd's; fixed (with a warning) when open to others
  const { host, port } = parseListen(o.listen ?? '127.0.0.1:6443')
  const security = o.insecureHttp
    ? undefined
    : ensureSecurity(o.dataDir, {
        serverUrl: `https://${urlHost(host)}:${port}`,
        sans: [host, ...(o.sans ?? [])],
        logger: log,
      })
  const store = await openLogStore({ dir: join(o.dataDir, 'store'), logger: log })
  const secretBox = security?.secrets ?? insecureSecretBox(o.dataDir)
  const objects = new ObjectStore(store, {
    clock: systemClock,
    transform: secretTransform(secretBox),
  })
  await ensureNamespaces(objects)
  const registry = createRegistry({
    dir: join(o.dataDir, 'registry'),
    logger: log.child('registry'),
  })
  let ready = true
  const rotate = () => rotateSecretKeys(store, secretBox, log)
  const app = createApiApp({
    images: registry,
    admin: { rotateSecretKeys: rotate },
    objects,
    log: log.child('api'),
    version: o.version ?? '0.0.0',
    access: security && createAccess(security.tokens, objects),
    ready: () => ready,
    storeGauges: () => ({
      revision: store.revision,
      compactRevision: store.compactRevision,
      syncStats: store.syncStats,
      syncBuckets: SYNC_BUCKETS,
      memory: store.memoryStats,
      disk: store.diskStats,
    }),
  })
  const server = await serveApi(app.fetch, { host, port, tls: security?.tls })
  log.info('API server listening', {
    url: server.url,
    dataDir: o.dataDir,
    revision: store.revision,
  })
  return {
    url: server.url,
    objects,
    adminKubeconfig: security?.adminKubeconfig,
    rotateSecretKeys: rotate,
    async close() {
      ready = false
      const closing = server.close()
      endAllWatches()
      await closing
      await store.close()
      log.info('plane stopped')
    },
  }
}
