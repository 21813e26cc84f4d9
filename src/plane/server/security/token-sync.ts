// Several planes on one etcd share their tokens: each token's record (its SHA-256, user, role —
// never the token) is kept under /shoal/tokens/<sha256> as well as in every plane's tokens.json,
// which stays each plane's working copy (the token store reads it; `shoal token issue/revoke
// --data-dir D` still write it). syncTokens keeps the two alike, once a second and at once when
// etcd's keys change:
//   - a record in tokens.json that etcd does not hold is added to etcd (put only if absent);
//   - a record this plane had and that left its tokens.json (a revoke) becomes a tombstone in
//     etcd, {"revoked": "<time>"}, so no plane's old copy brings it back;
//   - a record in etcd that tokens.json lacks is added to it; a tombstoned one is taken out.
// So a token issued, or a node joined, through one plane authenticates on every plane (flush()
// pushes at once; the join awaits it before answering). A token revoked with `shoal token revoke`
// while no plane of that data dir runs comes back from etcd at its next start: revoke while it
// runs. Only with leader election's etcd (several planes); the CBOR log keeps tokens.json alone.
import { join } from 'node:path'
import type { Logger } from '../../../core/index.ts'
import type { Store, Watcher } from '../../store/index.ts'
import { writePrivateFile } from './private-file.ts'
import { load, type Entry } from './tokens.ts'

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
  let last = new Set<string>() // hashes in tokens.json as this plane last left it
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
    const before = load(file)
    const inFile = new Set(before.map((e) => e.sha256))
    for (const e of before) {
      if (known.has(e.sha256)) continue
      const key = TOKENS_PREFIX + e.sha256
      await store.txn({
        compare: [{ key, target: 'version', result: 'equal', value: 0 }],
        success: [{ type: 'put', key, value: enc.encode(JSON.stringify(e)) }],
      })
      known.set(e.sha256, e)
    }
    for (const hash of last) {
      if (inFile.has(hash) || typeof known.get(hash) !== 'object') continue
      const value = enc.encode(JSON.stringify({ revoked: new Date().toISOString() }))
      await store.put(TOKENS_PREFIX + hash, value)
      known.set(hash, 'revoked')
    }
    // from here on synchronous: nothing in this process writes tokens.json in between
    const now = load(file)
    const nowHashes = new Set(now.map((e) => e.sha256))
    const kept = now.filter((e) => known.get(e.sha256) !== 'revoked')
    const added = [...known.values()].filter(
      (e): e is Entry => typeof e === 'object' && !nowHashes.has(e.sha256) && !last.has(e.sha256),
    )
    // taken out of tokens.json since the read above: tombstoned on the next round
    const pending = [...last].filter((h) => !nowHashes.has(h) && typeof known.get(h) === 'object')
    if (kept.length !== now.length || added.length > 0) {
      writePrivateFile(
        file,
        JSON.stringify({ version: 1, tokens: [...kept, ...added] }, null, 2) + '\n',
      )
      o.log?.info('tokens: taken from etcd', {
        added: added.length,
        revoked: now.length - kept.length,
      })
    }
    last = new Set([...kept, ...added].map((e) => e.sha256).concat(pending))
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
