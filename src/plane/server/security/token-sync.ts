// Several planes on one etcd share their tokens: each token's record (its SHA-256, user, role —
// never the token) is kept under /shoal/tokens/<sha256> as well as in every plane's tokens.json,
// which stays each plane's working copy (the token store reads it; `shoal token issue/revoke
// --data-dir D` still write it). syncTokens keeps the two alike, once a second and at once when
// etcd's keys change:
//   - a record in tokens.json that etcd does not hold is added to etcd (put only if absent);
//   - a hash in tokens.json's "revoked" (revoke() puts it there) becomes a tombstone in etcd,
//     {"revoked": "<time>"}, so no plane's old copy brings the record back;
//   - a record in etcd that tokens.json lacks (and has not revoked) is added to it; a tombstoned
//     one is taken out.
// A record is only ever taken out by a revoke: one lost from tokens.json some other way (two
// writers of the file at once) comes back from etcd. So a token issued, or a node joined,
// through one plane authenticates on every plane (flush() pushes at once; the join awaits it
// before answering), and a revoke through any of them, running or not, reaches all. Only with
// etcd (several planes); the CBOR log keeps tokens.json alone.
import { join } from 'node:path'
import type { Logger } from '../../../core/index.ts'
import type { Store, Watcher } from '../../store/index.ts'
import { loadFile, saveFile, type Entry } from './tokens.ts'

export const TOKENS_PREFIX = '/shoal/tokens/'
const TICK_MS = 1000

export interface TokenSync {
  /** the next reconciliation, done (a join awaits it so its token is in etcd before answering) */
  flush(): Promise<void>
  close(): Promise<void>
}

type Known = Map<string, Entry | 'revoked'>

export async function syncTokens(
  dataDir: string,
  store: Store,
  o: { log?: Logger; tickMs?: number } = {},
): Promise<TokenSync> {
  const file = join(dataDir, 'tokens.json')
  const enc = new TextEncoder()
  const dec = new TextDecoder()
  let closed = false
  let watcher: Watcher | undefined
  let running: Promise<void> | undefined
  let again = false

  const reconcile = async (): Promise<void> => {
    const r = await store.range({ prefix: TOKENS_PREFIX })
    const known: Known = new Map()
    for (const kv of r.kvs) {
      const hash = kv.key.slice(TOKENS_PREFIX.length)
      try {
        const v = JSON.parse(dec.decode(kv.value)) as Entry | { revoked: string }
        known.set(hash, 'revoked' in v ? 'revoked' : v)
      } catch {
        o.log?.warn('tokens: a record in etcd is not JSON; ignored', { key: kv.key })
      }
    }
    const before = loadFile(file)
    for (const e of before.tokens) {
      if (known.has(e.sha256) || before.revoked.includes(e.sha256)) continue
      const key = TOKENS_PREFIX + e.sha256
      await store.txn({
        compare: [{ key, target: 'version', result: 'equal', value: 0 }],
        success: [{ type: 'put', key, value: enc.encode(JSON.stringify(e)) }],
      })
      known.set(e.sha256, e)
    }
    for (const hash of before.revoked) {
      if (known.get(hash) === 'revoked') continue
      const value = enc.encode(JSON.stringify({ revoked: new Date().toISOString() }))
      await store.put(TOKENS_PREFIX + hash, value)
      known.set(hash, 'revoked')
    }
    // from here on synchronous: nothing in this process writes tokens.json in between
    const now = loadFile(file)
    const have = new Set([...now.tokens.map((e) => e.sha256), ...now.revoked])
    const kept = now.tokens.filter((e) => known.get(e.sha256) !== 'revoked')
    const added = [...known.values()].filter(
      (e): e is Entry => typeof e === 'object' && !have.has(e.sha256),
    )
    if (kept.length !== now.tokens.length || added.length > 0) {
      saveFile(file, { tokens: [...kept, ...added], revoked: now.revoked })
      o.log?.info('tokens: taken from etcd', {
        added: added.length,
        revoked: now.tokens.length - kept.length,
      })
    }
  }

  /** one reconciliation at a time; asked during one, another runs after it */
  const run = (): Promise<void> => {
    if (running) {
      again = true
      return running // its loop runs once more
    }
    running = (async () => {
      try {
        do {
          again = false
          await reconcile()
        } while (again && !closed)
      } finally {
        running = undefined
      }
    })()
    return running
  }

  const watch = () => {
    watcher = store.watch(
      { prefix: TOKENS_PREFIX },
      {},
      {
        onEvents: () => void run().catch(() => undefined),
        onCancel: () => {
          watcher = undefined // watched again on the next tick
        },
      },
    )
  }

  await run() // a start that cannot read etcd or tokens.json fails
  watch()
  const timer = setInterval(() => {
    if (!watcher && !closed) watch()
    run().catch((err: unknown) =>
      o.log?.warn('tokens: syncing with etcd failed; tried again', {
        error: (err as Error).message,
      }),
    )
  }, o.tickMs ?? TICK_MS)
  timer.unref()

  return {
    flush: run,
    async close() {
      closed = true
      clearInterval(timer)
      watcher?.cancel()
      await running?.catch(() => undefined)
    },
  }
}
