// The CBOR-log store: etcd's key/value semantics on Shoal's own write-ahead log.
// Writes are applied to the in-memory index at once (so txn compares see every earlier write)
// but answered, and shown to readers and watchers, only once their record is fdatasync'ed:
// reads are served at the durable revision, and a txn that changed nothing still waits until
// everything it looked at is durable.
import { join } from 'node:path'
import {
  CompactedError,
  InvalidError,
  NotFoundError,
  UnavailableError,
  createLogger,
  systemClock,
  type Clock,
  type Logger,
} from '../../core/index.ts'
import { LazyRevision, settleAll, toKeyValue, type KeyRange, type Revision } from './mvcc/index.ts'
import { recover, type Recovered } from './recovery.ts'
import { Snapshotter } from './snap/index.ts'
import type { StoreState } from './state.ts'
import { checkTxn, evalCompare, hasWrites, toRange } from './txn-eval.ts'
import type * as T from './types.ts'
import { WatchHub } from './watch-hub.ts'
import { WalWriter, type ValueFiles, type WalOp } from './wal/index.ts'
import { DirLock } from './dir-lock.ts'

export interface LogStoreOptions {
  dir: string
  /** a segment is cut past this size (default 64 MiB) */
  segmentBytes?: number
  /** dead bytes on disk (superseded or compacted versions) that trigger a snapshot, which is also taken only once they are at least the retained bytes (default 64 MiB; snap/snapshotter.ts) */
  snapshotBytes?: number
  /** allow fdatasync on the event-loop thread while syncs are fast (default true; 'always' for tests; see wal/writer.ts) */
  inlineSync?: boolean | 'always'
  /** revisions of history kept for past reads and watches; older ones are compacted (default 10,000; 0: keep all) */
  historyRevisions?: number
  clock?: Clock
  logger?: Logger
}

export async function openLogStore(opts: LogStoreOptions): Promise<LogStore> {
  const log = (opts.logger ?? createLogger()).child('store')
  const lock = DirLock.acquire(opts.dir)
  try {
    const t0 = performance.now()
    let store: LogStore | undefined
    const rec = await recover(opts.dir, opts.clock ?? systemClock, log, (id) =>
      store?.expireLease(id),
    )
    store = new LogStore(opts, rec, { log, lock })
    log.info('opened', {
      dir: opts.dir,
      revision: rec.state.head,
      records: rec.records,
      snapshot: rec.snapshotRevision,
      ms: Math.round(performance.now() - t0),
    })
    return store
  } catch (err) {
    lock.release()
    throw err
  }
}

export class LogStore implements T.Store {
  #s: StoreState
  /** a txn is tagged with the versions its values belong to, settled once it is durable */
  #wal: WalWriter<LazyRevision[]>
  #hub: WatchHub
  #snap: Snapshotter
  #log: Logger
  #lock: DirLock
  #files: ValueFiles
  #committed: number
  #history: number
  #closed = false

  constructor(
    opts: LogStoreOptions,
    rec: Recovered,
    { log, lock }: { log: Logger; lock: DirLock },
  ) {
    const { state, nextSeq: seq } = rec
    this.#files = rec.files
    this.#s = state
    this.#log = log
    this.#lock = lock
    this.#committed = state.head
    this.#history = opts.historyRevisions ?? 10_000
    this.#wal = new WalWriter<LazyRevision[]>({
      dir: join(opts.dir, 'wal'),
      seq,
      firstRevision: state.head + 1,
      segmentBytes: opts.segmentBytes ?? 64 << 20,
      inlineSync: opts.inlineSync,
      placed: { files: rec.files, onDurable: settleAll },
    })
    this.#wal.headRevision = state.head
    this.#hub = new WatchHub({
      index: state.index,
      committed: () => this.#committed,
      compactRevision: () => state.compactRevision,
    })
    this.#snap = new Snapshotter({
      dir: opts.dir,
      state,
      wal: this.#wal,
      log,
      files: rec.files,
      thresholdBytes: opts.snapshotBytes ?? 64 << 20,
      snapshotBytes: rec.snapshotBytes,
      logBytes: rec.logBytes,
    })
    state.lessor.start()
    this.#autoCompact()
  }

  get revision(): number {
    return this.#committed
  }

  get compactRevision(): number {
    return this.#s.compactRevision
  }

  /** fdatasync count, total seconds and cumulative histogram (bounds: SYNC_BUCKETS) */
  get syncStats(): { count: number; seconds: number; buckets: number[] } {
    return this.#wal.syncStats
  }

  /**
   * What the store's values take in memory: retained versions, values not yet settled into the
   * log (count and bytes), and the read cache's bytes. Walks the index: for a metrics scrape or a
   * test, not per request.
   */
  get memoryStats(): {
    versions: number
    unsettled: number
    unsettledBytes: number
    cacheBytes: number
  } {
    const v = this.#s.index.valueStats()
    return {
      versions: v.versions,
      unsettled: v.inMemory,
      unsettledBytes: v.bytesInMemory,
      cacheBytes: LazyRevision.readCache.bytes,
    }
  }

  /** bytes on disk a snapshot would keep (retained) and free (dead); see snap/snapshotter.ts for when it runs */
  get diskStats(): { retainedBytes: number; deadBytes: number } {
    const r = this.#snap.reclaim
    return { retainedBytes: r.retained, deadBytes: r.dead }
  }

  /** live watch count (for metrics) */
  get watchCount(): number {
    return this.#hub.size
  }

  async get(key: string, options?: { revision?: number }): Promise<T.KeyValue | undefined> {
    const r = await this.range({ key }, { revision: options?.revision, limit: 1 })
    return r.kvs[0]
  }

  async range(select: T.KeySelector, options: T.RangeOptions = {}): Promise<T.RangeResult> {
    this.#checkOpen()
    const rev = this.#readRevision(options.revision)
    return { ...this.#rangeAt(toRange(select), rev, options), revision: this.#committed }
  }

  #readRevision(asked?: number): number {
    if (!asked) return this.#committed
    if (asked > this.#committed)
      throw new InvalidError(
        `store: revision ${asked} is a future revision (current ${this.#committed})`,
      )
    if (asked < this.#s.compactRevision)
      throw new CompactedError('store', asked, this.#s.compactRevision)
    return asked
  }

  #rangeAt(range: KeyRange, rev: number | 'head', o: Omit<T.RangeOptions, 'revision'>) {
    const found: Revision[] = []
    let count = 0
    const limit = o.limit && o.limit > 0 ? o.limit : Infinity
    const iter = rev === 'head' ? this.#s.index.keysNow(range) : this.#s.index.range(range, rev)
    for (const r of iter) {
      count++
      if (!o.countOnly && found.length < limit) found.push(r)
    }
    const values = o.keysOnly ? undefined : LazyRevision.readAll(found)
    const kvs = found.map((r, i) => toKeyValue(r, o.keysOnly, values?.[i]))
    return { kvs, count, more: count > kvs.length && !o.countOnly }
  }

  /** the hot path: one key, no compares — the same record a one-put txn writes, without its machinery */
  put(key: string, value: Uint8Array, options?: T.PutOptions): Promise<T.PutResult> {
    const lease = options?.lease
    const refused = this.#refusePut(key, value, lease)
    if (refused) return Promise.reject(refused)
    const prev = options?.prevKv ? this.#s.index.latest(key) : undefined
    const rev = this.#s.head + 1
    const op: WalOp = lease ? { key, value, lease } : { key, value }
    const versions = this.#s.applyOps(rev, [op]) as LazyRevision[]
    const result: T.PutResult = prev
      ? { revision: rev, prevKv: toKeyValue(prev) }
      : { revision: rev }
    return this.#persist(rev, { type: 'txn', revision: rev, ops: [op] }, versions).then(
      () => result,
    )
  }

  #refusePut(key: string, value: Uint8Array, lease: number | undefined): Error | undefined {
    if (this.#closed) return new UnavailableError('store: closed')
    if (typeof key !== 'string' || key.length === 0)
      return new InvalidError('store: key must be a non-empty string')
    if (!(value instanceof Uint8Array)) return new InvalidError('store: value must be bytes')
    if (lease && !this.#s.lessor.has(lease))
      return new NotFoundError(`store: lease ${lease} not found`)
    return undefined
  }

  async delete(select: T.KeySelector, options: { prevKv?: boolean } = {}): Promise<T.DeleteResult> {
    const r = await this.txn({
      compare: [],
      success: [{ type: 'delete', select, prevKv: options.prevKv }],
    })
    const res = r.results[0] as { deleted: number; prevKvs: T.KeyValue[] }
    return { revision: r.revision, deleted: res.deleted, prevKvs: res.prevKvs }
  }

  async txn(t: T.Txn): Promise<T.TxnResult> {
    this.#checkOpen()
    checkTxn(t)
    const succeeded = t.compare.every((c) => evalCompare(this.#s.index, c))
    const ops = succeeded ? t.success : (t.failure ?? [])
    for (const op of ops) {
      if (op.type === 'put' && op.lease && !this.#s.lessor.has(op.lease))
        throw new NotFoundError(`store: lease ${op.lease} not found`)
    }
    const next = hasWrites(ops) ? this.#s.head + 1 : this.#s.head
    const results: T.TxnOpResult[] = []
    const wal: WalOp[] = []
    const written: LazyRevision[] = []
    for (const op of ops) results.push(this.#applyOp(op, next, wal, written))
    const rev = wal.length ? next : this.#s.head // deleting nothing writes nothing
    await this.#persist(
      rev,
      wal.length ? { type: 'txn', revision: rev, ops: wal } : undefined,
      written.length ? written : undefined,
    )
    return { succeeded, revision: rev, results }
  }

  /** applies one op of a txn: its log ops go to `wal`, the versions whose values they carry to `written` */
  #applyOp(op: T.TxnOp, rev: number, wal: WalOp[], written: LazyRevision[]): T.TxnOpResult {
    if (op.type === 'range')
      return { type: 'range', ...this.#rangeAt(toRange(op.select), 'head', op.options ?? {}) }
    if (op.type === 'put') {
      const prev = this.#s.index.latest(op.key)
      const w: WalOp = op.lease
        ? { key: op.key, value: op.value, lease: op.lease }
        : { key: op.key, value: op.value }
      written.push(this.#s.applyOps(rev, [w])[0] as LazyRevision)
      wal.push(w)
      return op.prevKv && prev ? { type: 'put', prevKv: toKeyValue(prev) } : { type: 'put' }
    }
    const victims: Revision[] = [...this.#s.index.keysNow(toRange(op.select))]
    const ws = victims.map((v) => ({ key: v.key }))
    if (ws.length) this.#s.applyOps(rev, ws)
    wal.push(...ws)
    return {
      type: 'delete',
      deleted: victims.length,
      prevKvs: op.prevKv ? victims.map((v) => toKeyValue(v)) : [],
    }
  }

  /**
   * Resolves once `rev` (and the record, if any) is durable and published (no async wrapper: hot
   * path). `versions`: those whose values the record carries, to be settled into the log.
   */
  #persist(
    rev: number,
    record?: Parameters<WalWriter['append']>[0],
    versions?: LazyRevision[],
  ): Promise<void> {
    if (record) this.#wal.headRevision = this.#s.head
    return (record ? this.#wal.append(record, versions) : this.#wal.sync()).then(() =>
      this.#publish(rev),
    )
  }

  /**
   * `rev` is durable: shows it (and everything the same flush made durable) to readers and
   * watchers. The first write of a flush to get here publishes the whole flush; the rest find
   * nothing to do.
   */
  #publish(rev: number): void {
    const durable = Math.max(rev, this.#wal.durableRevision)
    if (durable <= this.#committed) return
    this.#committed = durable
    this.#hub.notify()
    this.#autoCompact()
    this.#snap.maybeStart()
  }

  watch(select: T.KeySelector, options: T.WatchOptions, handlers: T.WatchHandlers): T.Watcher {
    this.#checkOpen()
    const start =
      options.startRevision && options.startRevision > 0
        ? options.startRevision
        : this.#committed + 1
    return this.#hub.add(toRange(select), start, !!options.prevKv, handlers)
  }

  async leaseGrant(ttlSeconds: number, options: { id?: number } = {}): Promise<T.Lease> {
    this.#checkOpen()
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1)
      throw new InvalidError(
        `store: lease TTL must be a whole number of seconds ≥ 1, got ${ttlSeconds}`,
      )
    const id = options.id ?? this.#s.lessor.nextId
    if (!Number.isSafeInteger(id) || id < 1)
      throw new InvalidError(`store: lease id must be a positive integer, got ${id}`)
    if (this.#s.lessor.has(id)) throw new InvalidError(`store: lease ${id} already exists`)
    this.#s.lessor.grant(id, ttlSeconds)
    await this.#persist(this.#s.head, { type: 'lease-grant', id, ttl: ttlSeconds })
    return { id, ttl: ttlSeconds }
  }

  async leaseKeepAlive(id: number): Promise<T.LeaseStatus> {
    this.#checkOpen()
    if (!this.#s.lessor.keepAlive(id)) throw new NotFoundError(`store: lease ${id} not found`)
    return this.leaseTimeToLive(id)
  }

  async leaseTimeToLive(id: number): Promise<T.LeaseStatus> {
    const st = this.#s.lessor.status(id)
    if (!st) throw new NotFoundError(`store: lease ${id} not found`)
    return st
  }

  async leaseRevoke(id: number): Promise<void> {
    this.#checkOpen()
    if (!this.#s.lessor.has(id)) throw new NotFoundError(`store: lease ${id} not found`)
    const keys = this.#s.lessor.keys(id).filter((k) => this.#s.index.latest(k)?.lease === id)
    const rev = keys.length ? this.#s.head + 1 : this.#s.head
    this.#s.apply({ type: 'lease-revoke', id, revision: rev, keys })
    await this.#persist(rev, { type: 'lease-revoke', id, revision: rev, keys })
  }

  /** lessor callback: a lease ran out */
  expireLease(id: number): void {
    if (this.#closed || !this.#s.lessor.has(id)) return
    this.leaseRevoke(id).catch((err) =>
      this.#log.error('revoking an expired lease failed', { id, err: String(err) }),
    )
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen()
    await this.#snap.idle() // a snapshot being written walks the history this would drop
    if (revision <= this.#s.compactRevision)
      throw new CompactedError('store', revision, this.#s.compactRevision)
    if (revision > this.#committed)
      throw new InvalidError(
        `store: cannot compact to future revision ${revision} (current ${this.#committed})`,
      )
    this.#s.apply({ type: 'compact', revision })
    this.#hub.notify()
    await this.#persist(this.#s.head, { type: 'compact', revision })
  }

  /**
   * Writes a snapshot now and deletes the log it replaces (the store also does this on its
   * own, see snap/snapshotter.ts); resolves when it is on disk.
   */
  async snapshot(): Promise<void> {
    this.#checkOpen()
    await this.#snap.now()
  }

  #autoCompact(): void {
    const keep = this.#history
    if (keep <= 0 || this.#snap.running) return
    const target = this.#committed - keep
    if (target - this.#s.compactRevision < Math.max(64, keep >> 3)) return
    this.#s.apply({ type: 'compact', revision: target })
    this.#wal.append({ type: 'compact', revision: target }).catch(() => {}) // a failed writer reports on the next write
  }

  #checkOpen(): void {
    if (this.#closed) throw new UnavailableError('store: closed')
  }

  /** waits for in-flight writes and a running snapshot, ends watches, releases the directory */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#s.lessor.stop()
    await this.#snap.idle()
    await this.#wal.close()
    await new Promise((r) => setImmediate(r)) // the last values handed back (wal/writer.ts) open their files
    this.#hub.closeAll()
    this.#files.closeAll()
    this.#lock.release()
  }
}
