// `shoal migrate`: copies one store into another — a CBOR log (a plane's data dir, or its store
// dir) into etcd, or back, or any pair. Every key's latest value is copied, read at one revision of
// the source; a key on a lease gets a lease on the target with the TTL the source's lease has left
// (one target lease per source lease). Revisions are not copied: the target numbers its own
// writes, so watchers of the old store start over (a plane lists again on start anyway).
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { BadRequestError, createLogger, type Logger } from '../core/index.ts'
import { isEtcdUrl, openEtcdStore, openLogStore, type Store } from './store/index.ts'

/** what one copying txn carries at most, below etcd's default request limit of 1.5 MiB */
const TXN_BYTES = 1 << 20

export interface MigrateOptions {
  from: string
  to: string
  /** copy into a target that already holds keys (overwriting the ones the source has) */
  force?: boolean
  /** PEM files for whichever side is an etcds:// URL */
  etcdCa?: string
  etcdCert?: string
  etcdKey?: string
  /** keys a page (and at most this many puts a txn: etcd's default limit is 128) */
  pageSize?: number
  onProgress?: (p: { copied: number; total: number; leases: number }) => void
  logger?: Logger
}

export interface MigrateResult {
  keys: number
  leases: number
  /** the source revision the copy was read at */
  sourceRevision: number
  targetRevision: number
}

/** a log store's dir: a plane data dir's store/ when there is one, else the dir itself */
function logDir(path: string, side: 'from' | 'to'): string {
  if (existsSync(join(path, 'store', 'wal')) || existsSync(join(path, 'tokens.json')))
    return join(path, 'store')
  if (side === 'from') {
    if (!existsSync(path)) throw new BadRequestError(`migrate: --from ${path}: no such directory`)
    if (!statSync(path).isDirectory())
      throw new BadRequestError(`migrate: --from ${path} is not a directory`)
    if (!existsSync(join(path, 'wal')))
      throw new BadRequestError(
        `migrate: --from ${path} holds no store (neither DIR/store/wal nor DIR/wal)`,
      )
  }
  return path
}

async function openSide(spec: string, side: 'from' | 'to', o: MigrateOptions, log: Logger) {
  if (/^[a-z+]+:\/\//i.test(spec) && !isEtcdUrl(spec))
    throw new BadRequestError(
      `migrate: --${side} ${spec} is neither a directory nor an etcd URL (etcd://host:2379[/prefix], etcds://…)`,
    )
  if (isEtcdUrl(spec))
    return openEtcdStore({
      url: spec,
      ca: o.etcdCa,
      cert: o.etcdCert,
      key: o.etcdKey,
      logger: log,
    })
  return openLogStore({ dir: logDir(spec, side), logger: log, historyRevisions: 0 })
}

export async function migrateStore(o: MigrateOptions): Promise<MigrateResult> {
  const log = o.logger ?? createLogger('migrate', { level: 'warn' })
  if (o.from === o.to) throw new BadRequestError('migrate: --from and --to are the same store')
  const page = Math.min(Math.max(o.pageSize ?? 100, 1), 128)
  const src = await openSide(o.from, 'from', o, log)
  let dst: Store | undefined
  try {
    dst = await openSide(o.to, 'to', o, log)
    const present = (await dst.range({ prefix: '' }, { countOnly: true })).count
    if (present > 0 && !o.force)
      throw new BadRequestError(
        `migrate: --to ${o.to} already holds ${present} key(s); refusing to mix stores (--force copies over them)`,
      )
    const rev = src.revision
    const total = (await src.range({ prefix: '' }, { countOnly: true, revision: rev })).count
    const leases = new Map<number, number>()
    let copied = 0
    let from = ''
    for (;;) {
      const r = await src.range({ from }, { revision: rev, limit: page })
      if (r.kvs.length === 0) break
      const ops = []
      for (const kv of r.kvs) {
        let lease = 0
        if (kv.lease) lease = await targetLease(src, dst, kv.lease, leases)
        ops.push({
          type: 'put' as const,
          key: kv.key,
          value: kv.value,
          ...(lease ? { lease } : {}),
        })
      }
      // etcd refuses a request over 1.5 MiB (its --max-request-bytes default): split by size too
      let batch: typeof ops = []
      let bytes = 0
      for (const op of ops) {
        const size = op.key.length + op.value.byteLength + 64
        if (batch.length && bytes + size > TXN_BYTES) {
          await dst.txn({ compare: [], success: batch })
          batch = []
          bytes = 0
        }
        batch.push(op)
        bytes += size
      }
      if (batch.length) await dst.txn({ compare: [], success: batch })
      copied += r.kvs.length
      o.onProgress?.({ copied, total, leases: leases.size })
      if (!r.more) break
      from = r.kvs[r.kvs.length - 1].key + '\0'
    }
    return {
      keys: copied,
      leases: [...leases.values()].filter((v) => v > 0).length,
      sourceRevision: rev,
      targetRevision: dst.revision,
    }
  } finally {
    await dst?.close()
    await src.close()
  }
}

/** the target lease for a source lease: granted once, with the TTL the source's has left; 0
 * when the source lease is gone already (its keys are about to go too: copied without one) */
async function targetLease(
  src: Store,
  dst: Store,
  id: number,
  leases: Map<number, number>,
): Promise<number> {
  const known = leases.get(id)
  if (known !== undefined) return known
  let granted = 0
  try {
    const st = await src.leaseTimeToLive(id)
    const ttl = Math.max(1, Math.ceil(st.remaining))
    try {
      granted = (await dst.leaseGrant(ttl, id > 0 ? { id } : {})).id
    } catch {
      granted = (await dst.leaseGrant(ttl)).id // that id is taken on the target
    }
  } catch (err) {
    if ((err as { code?: string }).code !== 'NotFound') throw err
  }
  leases.set(id, granted)
  return granted
}
