// The plane as one object: store + API server (+ scheduler, controllers and broker as their
// issues land). createPlane() is what `shoal plane` runs and what another program embeds.
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { createLogger, isShoalError, systemClock, type Logger } from '../core/index.ts'
import { resourceByKind } from '../api/index.ts'
import { openLogStore, SYNC_BUCKETS } from './store/index.ts'
import { createApiApp, endAllWatches, ObjectStore, serveApi, type Security } from './server/index.ts'

export interface PlaneOptions {
  dataDir: string
  /** host:port, default 127.0.0.1:6443 */
  listen?: string
  /** plain HTTP without authentication: loopback tests only */
  insecureHttp?: boolean
  logger?: Logger
  version?: string
  /** TLS material and authn/authz; required unless insecureHttp */
  security?: { tls: { cert: string; key: string }; security: Security }
}

export interface Plane {
  url: string
  objects: ObjectStore
  close(): Promise<void>
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen)
  if (!m) throw new Error(`plane: --listen must be host:port, got "${listen}"`)
  return { host: m[1] ?? m[2], port: Number(m[3]) }
}

const builtinNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

async function ensureNamespaces(objects: ObjectStore): Promise<void> {
  const info = resourceByKind('Namespace')!
  for (const name of builtinNamespaces) {
    await objects.create(info, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as never).catch((err) => {
      if (!isShoalError(err, 'AlreadyExists')) throw err
    })
  }
}

export async function createPlane(o: PlaneOptions): Promise<Plane> {
  const log = o.logger ?? createLogger('plane')
  if (!o.insecureHttp && !o.security) throw new Error('plane: TLS and authentication are required unless --insecure-http is given')
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 })
  const store = await openLogStore({ dir: join(o.dataDir, 'store'), logger: log })
  const objects = new ObjectStore(store, { clock: systemClock })
  await ensureNamespaces(objects)
  let ready = true
  const app = createApiApp({
    objects,
    log: log.child('api'),
    version: o.version ?? '0.0.0',
    security: o.security?.security,
    ready: () => ready,
    storeGauges: () => ({ revision: store.revision, compactRevision: store.compactRevision, syncStats: store.syncStats, syncBuckets: SYNC_BUCKETS }),
  })
  const { host, port } = parseListen(o.listen ?? '127.0.0.1:6443')
  const server = await serveApi(app.fetch, { host, port, tls: o.security?.tls })
  log.info('API server listening', { url: server.url, dataDir: o.dataDir, revision: store.revision })
  return {
    url: server.url,
    objects,
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
