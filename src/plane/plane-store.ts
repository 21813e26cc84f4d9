// Which store a plane runs on: the CBOR log in <dataDir>/store (the default), or an etcd named by
// URL (etcd://host:2379[,host2:2379][/namespace], etcds:// for TLS with a CA and a client
// certificate). Also what each offers the /metrics gauges.
import { join } from 'node:path'
import type { Logger } from '../core/index.ts'
import { isEtcdUrl, openEtcdStore, openLogStore, SYNC_BUCKETS, type Store } from './store/index.ts'
import { BadRequestError } from '../core/index.ts'

export interface PlaneStoreOptions {
  /** absent: the CBOR log in <dataDir>/store; etcd://host:2379[,…][/namespace] or etcds://… */
  store?: string
  /** with an etcds:// store: PEM files of the CA that signed etcd's certificate, and of the
   * client certificate and key the plane logs in with (etcd's --client-cert-auth) */
  etcdCa?: string
  etcdCert?: string
  etcdKey?: string
}

export async function openPlaneStore(
  o: PlaneStoreOptions & { dataDir: string },
  log: Logger,
): Promise<Store> {
  if (!o.store) {
    if (o.etcdCa || o.etcdCert || o.etcdKey)
      throw new BadRequestError(
        'plane: --etcd-ca, --etcd-cert and --etcd-key need --store etcds://…',
      )
    return openLogStore({ dir: join(o.dataDir, 'store'), logger: log })
  }
  if (!isEtcdUrl(o.store))
    throw new BadRequestError(
      `plane: --store ${o.store} is not a store URL (etcd://host:2379[,host2:2379][/namespace], or etcds://… for TLS); leave it out for the CBOR log in the data dir`,
    )
  return openEtcdStore({
    url: o.store,
    ca: o.etcdCa,
    cert: o.etcdCert,
    key: o.etcdKey,
    logger: log,
  })
}

/** the /metrics store gauges: revisions for every store, the log's own figures for the log */
export function storeGauges(store: Store) {
  if (!('syncStats' in store))
    return { revision: store.revision, compactRevision: store.compactRevision }
  const s = store as Awaited<ReturnType<typeof openLogStore>>
  return {
    revision: s.revision,
    compactRevision: s.compactRevision,
    syncStats: s.syncStats,
    syncBuckets: SYNC_BUCKETS,
    memory: s.memoryStats,
    disk: s.diskStats,
  }
}
