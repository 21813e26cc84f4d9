// The Store contract on a real etcd (v3 API over gRPC, through the etcd3 package's generated RPC
// clients, so every request is exactly the etcd request the contract names). etcd's meaning is
// kept as it is: its revision is the store revision, its compares, leases and compaction are used
// as they are. What this file adds:
// - `revision`/`compactRevision` are tracked from response headers (and watch headers), so they are
//   current as of the last answer; at open they are read from etcd.
// - keys live under an optional namespace (a key prefix), stripped on the way out.
// - lease ids: etcd's are int64; this store grants ids itself, below 2^53, so they stay JS numbers.
//   A lease id above that (granted by another etcd client) is mapped to a negative number.
// - watches: one gRPC stream each; a lost connection is resumed from the revision after the last
//   delivered event (etcd never splits a revision across responses, so nothing is lost or
//   repeated); a watch whose next revision was compacted meanwhile ends with CompactedError.
import { readFileSync } from 'node:fs'
import type { Etcd3, IKeyValue, IResponseHeader, IWatchResponse } from 'etcd3'
import {
  CompactedError,
  InvalidError,
  NotFoundError,
  ShoalError,
  UnavailableError,
  createLogger,
  type Logger,
} from '../../core/index.ts'
import { parseEtcdUrl } from './etcd-url.ts'
import type * as T from './types.ts'

export interface EtcdStoreOptions {
  /** etcd://host:2379[,host2:2379][/namespace] or etcds://… (TLS); see etcd-url.ts */
  url: string
  /** PEM (or a path to a PEM file): the CA that signed etcd's server certificate (TLS) */
  ca?: string | Uint8Array
  /** PEM (or path): a client certificate, with `key`, for etcd's --client-cert-auth */
  cert?: string | Uint8Array
  key?: string | Uint8Array
  /** key prefix overriding the URL's path */
  namespace?: string
  /** every this many ms, compact etcd's history to the revision seen one interval before, as
   * kube-apiserver's --etcd-compaction-interval (default 5 min; 0: never, leave it to etcd's own
   * --auto-compaction-*) */
  compactIntervalMs?: number
  /** per-request deadline in ms (default 10,000) */
  timeoutMs?: number
  logger?: Logger
}

type Stream = Awaited<ReturnType<Etcd3['watchClient']['watch']>>

const MAX_LEASE = 2 ** 53 - 1

function pem(v: string | Uint8Array | undefined, what: string): Buffer | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string') return Buffer.from(v)
  if (v.includes('-----BEGIN')) return Buffer.from(v)
  try {
    return readFileSync(v)
  } catch (err) {
    throw new InvalidError(`store: cannot read the etcd ${what} file ${v}: ${String(err)}`)
  }
}

function byteEnd(b: Buffer): Buffer {
  const out = Buffer.from(b)
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] < 0xff) {
      out[i]++
      return out.subarray(0, i + 1)
    }
  }
  return Buffer.from([0]) // all 0xff (or empty): to the end of the keyspace
}

const view = (b: Buffer | undefined): Uint8Array =>
  b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(0)

const asBuffer = (v: Uint8Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

/** etcd3 retries any failed call 3 times by default, which could apply a write twice (a txn
 * then reports its own first success as a failed compare); this retries only calls that never
 * reached etcd: no connection, connection refused, or every host's breaker open */
const NOT_SENT =
  /No connection established|ECONNREFUSED|failed to connect|Broken circuit|BrokenCircuit/i
const retryUnsent = {
  async execute<R>(fn: (ctx: { signal: AbortSignal; attempt: number }) => Promise<R>): Promise<R> {
    const signal = new AbortController().signal
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn({ signal, attempt })
      } catch (err) {
        if (attempt >= 2 || !NOT_SENT.test(String((err as Error)?.message ?? err))) throw err
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)))
      }
    }
  },
}

const passThrough = {
  async execute<R>(fn: (ctx: { signal: AbortSignal; attempt: number }) => Promise<R>): Promise<R> {
    return fn({ signal: new AbortController().signal, attempt: 0 })
  },
}

/**
 * Ends a gRPC stream we are done with. end() first: etcd3 takes an error on a stream still
 * writable — as the CANCELLED of a bare cancel() is — for a failed host and closes its channel,
 * cancelling every other call and watch on it.
 */
function closeStream(stream: { end(): void; cancel(): void; on(e: 'error', f: () => void): void }) {
  stream.on('error', () => {}) // the CANCELLED that follows
  stream.end()
  stream.cancel()
}

export async function openEtcdStore(opts: EtcdStoreOptions): Promise<EtcdStore> {
  const target = parseEtcdUrl(opts.url)
  if ((opts.ca || opts.cert || opts.key) && !target.tls)
    throw new InvalidError(
      `store: TLS files given for ${opts.url}, which is plain gRPC; use etcds://… for TLS`,
    )
  const ca = pem(opts.ca, 'CA')
  const cert = pem(opts.cert, 'client certificate')
  const key = pem(opts.key, 'client key')
  if (!!cert !== !!key)
    throw new InvalidError(
      'store: an etcd client certificate needs its key, and a key its certificate',
    )
  const timeoutMs = opts.timeoutMs ?? 10_000
  // loaded only when an etcd store is opened: a plane on the CBOR log never loads etcd3 and gRPC
  const mod = (await import('etcd3')) as typeof import('etcd3') & {
    default?: typeof import('etcd3')
  }
  const Client = mod.Etcd3 ?? mod.default!.Etcd3
  const client = new Client({
    hosts: target.hosts,
    ...(target.tls
      ? {
          credentials: {
            rootCertificate: ca ?? (undefined as unknown as Buffer),
            ...(cert ? { certChain: cert, privateKey: key } : {}),
          },
        }
      : {}),
    dialTimeout: timeoutMs,
    // no gRPC deadline: etcd3 answers a DeadlineExceeded by closing the host's channel, which
    // cancels every other call in flight and every watch (a slow moment became a storm under a
    // 1,000-node load); #call gives up waiting instead, leaving the channel alone. One host: no
    // circuit breaker either (it turned 3 slow answers into 5 s of refusing every call)
    faultHandling: {
      global: retryUnsent as never,
      ...(target.hosts.length === 1 ? { host: () => passThrough as never } : {}),
    },
  })
  const store = new EtcdStore(client, opts.namespace ?? target.namespace, opts, target.hosts)
  try {
    await store.init()
  } catch (err) {
    client.close()
    throw err
  }
  return store
}

interface WatchState {
  id: number
  stream?: Stream
  next: number
  done: boolean
  retry?: NodeJS.Timeout
  backoff: number
  end?: (reason?: Error) => void
}

export class EtcdStore implements T.Store {
  #c: Etcd3
  #ns: string
  #nsBuf: Buffer
  #rev = 0
  #compact = 0
  #closed = false
  #log: Logger
  #where: string
  #watches = new Map<number, WatchState>()
  #nextWatch = 1
  #bigLeases = new Map<string, number>()
  #bigLeaseIds = new Map<number, string>()
  #compactTimer?: NodeJS.Timeout
  #compactInterval: number
  #timeout: number

  constructor(client: Etcd3, namespace: string, opts: EtcdStoreOptions, hosts: string[]) {
    this.#c = client
    this.#ns = namespace
    this.#nsBuf = Buffer.from(namespace)
    this.#log = (opts.logger ?? createLogger()).child('store')
    this.#where = hosts.join(',')
    this.#compactInterval = opts.compactIntervalMs ?? 5 * 60_000
    this.#timeout = opts.timeoutMs ?? 10_000
  }

  /** reads the current and the compact revision */
  async init(): Promise<void> {
    const r = await this.#call(() =>
      this.#c.kv.range({
        key: this.#k(''),
        range_end: this.#rangeEnd({ prefix: '' }),
        count_only: true,
      }),
    )
    this.#seen(r.header)
    await this.#probeCompact()
    this.#autoCompact()
    this.#log.info('opened etcd', {
      endpoints: this.#where,
      namespace: this.#ns,
      revision: this.#rev,
      compactRevision: this.#compact,
    })
  }

  get revision(): number {
    return this.#rev
  }

  get compactRevision(): number {
    return this.#compact
  }

  get namespace(): string {
    return this.#ns
  }

  /** compacts, each interval, to the revision of the interval before: what a watch or a list
   * that is one interval behind still reads; another plane on the same etcd doing the same only
   * finds the revision compacted already */
  #autoCompact(): void {
    if (!(this.#compactInterval > 0)) return
    let target = this.#rev
    const tick = () => {
      const next = this.#rev
      const to = target
      target = next
      if (to > this.#compact)
        this.compact(to).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'Compacted')
            this.#log.warn('compacting etcd failed', { revision: to, err: String(err) })
        })
      this.#compactTimer = setTimeout(tick, this.#compactInterval)
      this.#compactTimer.unref()
    }
    this.#compactTimer = setTimeout(tick, this.#compactInterval)
    this.#compactTimer.unref()
  }

  /**
   * The compact revision etcd has, which no etcd API reports: a read at revision r fails once r
   * is below it, so the smallest readable revision is found by bisection (≤ 64 small reads).
   */
  async #probeCompact(): Promise<void> {
    const readable = async (r: number) => {
      try {
        await this.#c.kv.range({ key: this.#k('\0probe'), revision: r, count_only: true })
        return true
      } catch (err) {
        if (/required revision has been compacted/.test(String(err))) return false
        throw err
      }
    }
    let lo = Math.max(1, this.#compact)
    let hi = Math.max(this.#rev, lo)
    if (await readable(lo)) return
    while (lo + 1 < hi) {
      const mid = Math.floor((lo + hi) / 2)
      if (await readable(mid)) hi = mid
      else lo = mid
    }
    if (hi > this.#compact) this.#compact = hi
  }

  #k(key: string): Buffer {
    // etcd takes no empty key: "\0" is the first key there is
    return this.#ns || key ? Buffer.from(this.#ns + key) : Buffer.from([0])
  }

  #rangeEnd(s: T.KeySelector): Buffer | undefined {
    if ('key' in s) return undefined
    if ('prefix' in s) return this.#ns || s.prefix ? byteEnd(this.#k(s.prefix)) : Buffer.from([0])
    if (s.to !== undefined) return this.#k(s.to)
    return this.#ns ? byteEnd(this.#nsBuf) : Buffer.from([0])
  }

  #start(s: T.KeySelector): Buffer {
    return this.#k('key' in s ? s.key : 'prefix' in s ? s.prefix : s.from)
  }

  #seen(h: IResponseHeader | undefined): number {
    const r = Number(h?.revision ?? 0)
    if (r > this.#rev) this.#rev = r
    return r
  }

  #kv(kv: IKeyValue, keysOnly = false): T.KeyValue {
    return {
      key: kv.key.toString('utf8').slice(this.#ns.length),
      value: keysOnly ? new Uint8Array(0) : view(kv.value),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
      lease: this.#leaseNum(kv.lease),
    }
  }

  #leaseNum(s: string | undefined): number {
    if (!s || s === '0') return 0
    const n = Number(s)
    if (Number.isSafeInteger(n)) return n
    let m = this.#bigLeases.get(s)
    if (m === undefined) {
      m = -(this.#bigLeases.size + 1)
      this.#bigLeases.set(s, m)
      this.#bigLeaseIds.set(m, s)
    }
    return m
  }

  #leaseStr(n: number): string {
    if (n < 0) {
      const s = this.#bigLeaseIds.get(n)
      if (!s) throw new NotFoundError(`store: lease ${n} not found`)
      return s
    }
    if (!Number.isSafeInteger(n))
      throw new InvalidError(`store: lease id must be an integer, got ${n}`)
    return String(n)
  }

  /** runs one etcd call, turning its errors into Shoal's */
  async #call<R>(f: () => Promise<R>, asked?: number): Promise<R> {
    if (this.#closed) throw new UnavailableError('store: closed')
    try {
      return await this.#inTime(f())
    } catch (err) {
      throw await this.#mapError(err, asked)
    }
  }

  /** `p`, or Unavailable once the request timeout passes (the call itself is left to finish) */
  #inTime<R>(p: Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new UnavailableError(
              `store: etcd at ${this.#where} did not answer within ${this.#timeout} ms (a write may still be applied)`,
            ),
          ),
        this.#timeout,
      )
    })
    return Promise.race([p, late]).finally(() => clearTimeout(timer))
  }

  async #mapError(err: unknown, asked?: number): Promise<Error> {
    if (err instanceof ShoalError) return err
    const msg = err instanceof Error ? err.message : String(err)
    if (/required revision has been compacted/.test(msg)) {
      if (!(asked !== undefined && asked < this.#compact))
        await this.#probeCompact().catch(() => {})
      return new CompactedError('store', asked ?? 0, this.#compact)
    }
    if (/required revision is a future revision/.test(msg))
      return new InvalidError(
        `store: revision ${asked ?? '?'} is a future revision (current ${this.#rev})`,
      )
    if (/requested lease not found/.test(msg))
      return new NotFoundError(`store: lease not found (${msg})`)
    if (/lease already exists/.test(msg)) return new InvalidError(`store: ${msg}`)
    if (/permission denied|authentication|Unauthenticated|certificate/i.test(msg))
      return new UnavailableError(`store: etcd at ${this.#where} refused the request: ${msg}`, {
        cause: err,
      })
    if (/etcdserver:|mvcc:/.test(msg)) return new InvalidError(`store: etcd: ${msg}`)
    return new UnavailableError(`store: etcd at ${this.#where}: ${msg}`, { cause: err })
  }

  #checkKey(key: string): void {
    if (typeof key !== 'string' || key.length === 0)
      throw new InvalidError('store: key must be a non-empty string')
  }

  #rangeReq(select: T.KeySelector, o: T.RangeOptions) {
    return {
      key: this.#start(select),
      range_end: this.#rangeEnd(select),
      ...(o.revision ? { revision: o.revision } : {}),
      ...(o.limit && o.limit > 0 ? { limit: o.limit } : {}),
      ...(o.keysOnly ? { keys_only: true } : {}),
      ...(o.countOnly ? { count_only: true } : {}),
    }
  }

  async get(key: string, options?: { revision?: number }): Promise<T.KeyValue | undefined> {
    const r = await this.range({ key }, { revision: options?.revision, limit: 1 })
    return r.kvs[0]
  }

  async range(select: T.KeySelector, options: T.RangeOptions = {}): Promise<T.RangeResult> {
    if (options.revision && options.revision < this.#compact)
      throw new CompactedError('store', options.revision, this.#compact)
    const r = await this.#call(
      () => this.#c.kv.range(this.#rangeReq(select, options)),
      options.revision,
    )
    const revision = this.#seen(r.header)
    const kvs = options.countOnly ? [] : r.kvs.map((kv) => this.#kv(kv, options.keysOnly))
    return { kvs, count: Number(r.count), more: !!r.more && !options.countOnly, revision }
  }

  async put(key: string, value: Uint8Array, options: T.PutOptions = {}): Promise<T.PutResult> {
    this.#checkKey(key)
    if (!(value instanceof Uint8Array)) throw new InvalidError('store: value must be bytes')
    const r = await this.#call(() =>
      this.#c.kv.put({
        key: this.#k(key),
        value: asBuffer(value),
        ...(options.lease ? { lease: this.#leaseStr(options.lease) } : {}),
        ...(options.prevKv ? { prev_kv: true } : {}),
      }),
    )
    const revision = this.#seen(r.header)
    return r.prev_kv ? { revision, prevKv: this.#kv(r.prev_kv) } : { revision }
  }

  async delete(select: T.KeySelector, options: { prevKv?: boolean } = {}): Promise<T.DeleteResult> {
    const r = await this.#call(() =>
      this.#c.kv.deleteRange({
        key: this.#start(select),
        range_end: this.#rangeEnd(select),
        ...(options.prevKv ? { prev_kv: true } : {}),
      }),
    )
    return {
      revision: this.#seen(r.header),
      deleted: Number(r.deleted),
      prevKvs: (r.prev_kvs ?? []).map((kv) => this.#kv(kv)),
    }
  }

  #op(op: T.TxnOp) {
    switch (op.type) {
      case 'put':
        this.#checkKey(op.key)
        return {
          request_put: {
            key: this.#k(op.key),
            value: asBuffer(op.value),
            ...(op.lease ? { lease: this.#leaseStr(op.lease) } : {}),
            ...(op.prevKv ? { prev_kv: true } : {}),
          },
        }
      case 'delete':
        return {
          request_delete_range: {
            key: this.#start(op.select),
            range_end: this.#rangeEnd(op.select),
            ...(op.prevKv ? { prev_kv: true } : {}),
          },
        }
      case 'range':
        return { request_range: this.#rangeReq(op.select, op.options ?? {}) }
      default:
        throw new InvalidError(
          `store: unknown txn op ${JSON.stringify((op as { type?: unknown }).type)}`,
        )
    }
  }

  #compare(c: T.Compare) {
    const result = { equal: 'Equal', notEqual: 'NotEqual', greater: 'Greater', less: 'Less' }[
      c.result
    ]
    if (!result) throw new InvalidError(`store: unknown compare result ${JSON.stringify(c.result)}`)
    const base = { key: this.#k(c.key), result: result as 'Equal' }
    const num = () => {
      if (typeof c.value !== 'number')
        throw new InvalidError(`store: compare on ${c.target} of ${c.key} needs a number`)
      return c.value
    }
    switch (c.target) {
      case 'value':
        if (!(c.value instanceof Uint8Array))
          throw new InvalidError(`store: compare on the value of ${c.key} needs bytes`)
        return { ...base, target: 'Value' as const, value: asBuffer(c.value) }
      case 'version':
        return { ...base, target: 'Version' as const, version: num() }
      case 'createRevision':
        return { ...base, target: 'Create' as const, create_revision: num() }
      case 'modRevision':
        return { ...base, target: 'Mod' as const, mod_revision: num() }
      case 'lease':
        return { ...base, target: 'Lease' as const, lease: num() ? this.#leaseStr(num()) : 0 }
      default:
        throw new InvalidError(`store: unknown compare target ${JSON.stringify(c.target)}`)
    }
  }

  async txn(t: T.Txn): Promise<T.TxnResult> {
    const compare = t.compare.map((c) => this.#compare(c))
    const success = t.success.map((o) => this.#op(o))
    const failure = (t.failure ?? []).map((o) => this.#op(o))
    const r = await this.#call(() => this.#c.kv.txn({ compare, success, failure }))
    const ops = r.succeeded ? t.success : (t.failure ?? [])
    const results: T.TxnOpResult[] = r.responses.map((res, i) => {
      const op = ops[i]
      if (res.response_range) {
        const o = op.type === 'range' ? (op.options ?? {}) : {}
        return {
          type: 'range',
          kvs: o.countOnly ? [] : res.response_range.kvs.map((kv) => this.#kv(kv, o.keysOnly)),
          count: Number(res.response_range.count),
          more: !!res.response_range.more && !o.countOnly,
        }
      }
      if (res.response_put) {
        const p = res.response_put.prev_kv
        return p ? { type: 'put', prevKv: this.#kv(p) } : { type: 'put' }
      }
      const d = res.response_delete_range
      return {
        type: 'delete',
        deleted: Number(d?.deleted ?? 0),
        prevKvs: (d?.prev_kvs ?? []).map((kv) => this.#kv(kv)),
      }
    })
    return { succeeded: !!r.succeeded, revision: this.#seen(r.header), results }
  }

  watch(select: T.KeySelector, options: T.WatchOptions, handlers: T.WatchHandlers): T.Watcher {
    if (this.#closed) throw new UnavailableError('store: closed')
    const start =
      options.startRevision && options.startRevision > 0 ? options.startRevision : this.#rev + 1
    if (start < this.#compact) throw new CompactedError('store', start, this.#compact)
    const w: WatchState = { id: this.#nextWatch++, next: start, done: false, backoff: 100 }
    this.#watches.set(w.id, w)
    const req = {
      key: this.#start(select),
      range_end: this.#rangeEnd(select),
      ...(options.prevKv ? { prev_kv: true } : {}),
    }
    const end = (reason?: Error) => {
      if (w.done) return
      w.done = true
      this.#watches.delete(w.id)
      clearTimeout(w.retry)
      if (w.stream) closeStream(w.stream)
      if (reason) handlers.onCancel?.(reason)
    }
    w.end = end
    const retry = (err: unknown) => {
      if (w.done) return
      w.stream = undefined
      if (this.#closed) return end(new UnavailableError('store: closed'))
      this.#log.warn('etcd watch lost; resuming', {
        from: w.next,
        inMs: w.backoff,
        err: err instanceof Error ? err.message : String(err),
      })
      w.retry = setTimeout(connect, w.backoff)
      w.backoff = Math.min(w.backoff * 2, 5000)
    }
    const connect = () => {
      if (w.done) return
      this.#c.watchClient.watch().then((stream) => {
        if (w.done) return closeStream(stream)
        w.stream = stream
        let gone = false
        const lost = (err: unknown) => {
          if (gone || w.stream !== stream) return
          gone = true
          closeStream(stream)
          retry(err)
        }
        stream.on('data', (res: IWatchResponse) => {
          if (w.done || w.stream !== stream) return
          this.#seen(res.header)
          if (res.canceled) {
            gone = true
            const compacted = Number(res.compact_revision ?? 0)
            if (compacted > 0) {
              if (compacted > this.#compact) this.#compact = compacted
              return end(new CompactedError('store', w.next, compacted))
            }
            return end(
              new UnavailableError(
                `store: etcd cancelled a watch: ${res.cancel_reason || 'no reason given'}`,
              ),
            )
          }
          if (res.created) w.backoff = 100
          if (!res.events?.length) return
          const events = res.events.map((e) => this.#event(e.type, e.kv, e.prev_kv))
          w.next = events[events.length - 1].kv.modRevision + 1
          try {
            handlers.onEvents({ events, revision: Number(res.header.revision) })
          } catch (err) {
            this.#log.error('a watch handler threw', { err: String(err) })
          }
        })
        stream.on('error', lost)
        stream.on('end', () => lost(new Error('watch stream ended')))
        stream.write({ create_request: { ...req, start_revision: w.next } })
      }, retry)
    }
    connect()
    return { id: w.id, cancel: () => end() }
  }

  #event(type: string, kv: IKeyValue, prev: IKeyValue | undefined): T.WatchEvent {
    const del = String(type).toLowerCase() === 'delete' || (type as unknown) === 1
    const k = this.#kv(kv)
    const ev: T.WatchEvent = del
      ? {
          type: 'delete',
          kv: { ...k, value: new Uint8Array(0), version: 0, createRevision: 0, lease: 0 },
        }
      : { type: 'put', kv: k }
    if (prev) ev.prevKv = this.#kv(prev)
    return ev
  }

  async leaseGrant(ttlSeconds: number, options: { id?: number } = {}): Promise<T.Lease> {
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1)
      throw new InvalidError(
        `store: lease TTL must be a whole number of seconds ≥ 1, got ${ttlSeconds}`,
      )
    if (options.id !== undefined && (!Number.isSafeInteger(options.id) || options.id < 1))
      throw new InvalidError(`store: lease id must be a positive integer, got ${options.id}`)
    for (let attempt = 0; ; attempt++) {
      const id = options.id ?? 1 + Math.floor(Math.random() * (MAX_LEASE - 1))
      try {
        const r = await this.#call(() =>
          this.#c.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: id }),
        )
        this.#seen(r.header)
        if (r.error) throw new InvalidError(`store: etcd refused lease ${id}: ${r.error}`)
        return { id, ttl: ttlSeconds }
      } catch (err) {
        const exists = /lease already exists/.test(String(err))
        if (exists && options.id !== undefined)
          throw new InvalidError(`store: lease ${id} already exists`)
        if (!exists || attempt > 5) throw err
      }
    }
  }

  async leaseKeepAlive(id: number): Promise<T.LeaseStatus> {
    const ID = this.#leaseStr(id)
    const stream = await this.#call(() => this.#c.leaseClient.leaseKeepAlive())
    try {
      const ttl = await this.#inTime(
        new Promise<number>((resolve, reject) => {
          stream.on('data', (res: { TTL: string; header: IResponseHeader }) => {
            this.#seen(res.header)
            resolve(Number(res.TTL))
          })
          stream.on('error', reject)
          stream.on('end', () =>
            reject(new UnavailableError('store: etcd ended a lease keep-alive')),
          )
          stream.write({ ID })
        }),
      ).catch(async (err) => {
        throw await this.#mapError(err)
      })
      if (!(ttl > 0)) throw new NotFoundError(`store: lease ${id} not found`)
    } finally {
      closeStream(stream)
    }
    return this.leaseTimeToLive(id)
  }

  async leaseRevoke(id: number): Promise<void> {
    const ID = this.#leaseStr(id)
    const r = await this.#call(() => this.#c.leaseClient.leaseRevoke({ ID }))
    this.#seen(r.header)
  }

  async leaseTimeToLive(id: number): Promise<T.LeaseStatus> {
    const ID = this.#leaseStr(id)
    const r = await this.#call(() => this.#c.leaseClient.leaseTimeToLive({ ID, keys: true }))
    this.#seen(r.header)
    const remaining = Number(r.TTL)
    if (remaining < 0) throw new NotFoundError(`store: lease ${id} not found`)
    const keys = (r.keys ?? [])
      .filter((k) => k.subarray(0, this.#nsBuf.length).equals(this.#nsBuf))
      .map((k) => k.toString('utf8').slice(this.#ns.length))
      .sort()
    return { id, ttl: Number(r.grantedTTL), remaining, keys }
  }

  async compact(revision: number): Promise<void> {
    if (revision <= this.#compact) throw new CompactedError('store', revision, this.#compact)
    if (revision > this.#rev) {
      // our view may be behind another writer's: ask
      await this.range({ key: '\0' }, { countOnly: true })
      if (revision > this.#rev)
        throw new InvalidError(
          `store: cannot compact to future revision ${revision} (current ${this.#rev})`,
        )
    }
    const r = await this.#call(() => this.#c.kv.compact({ revision, physical: true }), revision)
    this.#seen(r.header)
    if (revision > this.#compact) this.#compact = revision
  }

  /** ends every watch (onCancel: store closed) and the gRPC channels */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#compactTimer)
    const reason = new UnavailableError('store: closed')
    for (const w of [...this.#watches.values()]) w.end?.(reason)
    this.#c.close()
  }
}
