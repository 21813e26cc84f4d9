// syncTokens: two data dirs kept alike through one store (a LogStore here; etcd in
// test/e2e/ha-tokens.test.ts): records pushed and taken in, revokes as tombstones, a record lost
// from tokens.json by another writer brought back, flush() at once.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../../core/index.ts'
import { openLogStore, type LogStore } from '../../store/index.ts'
import { syncTokens, TOKENS_PREFIX, type TokenSync } from './token-sync.ts'
import { createTokenStore } from './tokens.ts'

let root: string
let store: LogStore
const syncs: TokenSync[] = []
const a = () => join(root, 'a')
const b = () => join(root, 'b')
/** a long tick: every change below is made to arrive by flush() or the store's watch */
const sync = async (dir: string) => {
  const s = await syncTokens(dir, store, { log: memoryLogger(), tickMs: 3_600_000 })
  syncs.push(s)
  return s
}
const users = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')).tokens as { user: string }[])
    .map((t) => t.user)
    .sort()
const auth = (dir: string, token: string) =>
  createTokenStore(dir).authenticate(`Bearer ${token}`)?.name

test.before.each(async () => {
  root = mkdtempSync(join(tmpdir(), 'shoal-token-sync-'))
  store = await openLogStore({ dir: join(root, 'store'), logger: memoryLogger() })
})

test.after.each(async () => {
  for (const s of syncs.splice(0)) await s.close()
  await store.close()
  rmSync(root, { recursive: true, force: true })
})

test('records issued in either data dir reach the other; a revoke reaches both', async () => {
  const alice = createTokenStore(a()).issue({ role: 'viewer', user: 'alice' })
  const sa = await sync(a())
  const sb = await sync(b()) // an empty data dir: takes everything from the store
  assert.is(auth(b(), alice), 'alice')
  const bob = createTokenStore(b()).issue({ role: 'node', node: 'pi-1' })
  await sb.flush()
  await sa.flush()
  assert.is(auth(a(), bob), 'system:node:pi-1')
  assert.is(createTokenStore(a()).revoke('alice'), 1)
  await sa.flush()
  await sb.flush()
  assert.is(auth(b(), alice), undefined)
  assert.equal(users(b()), ['system:node:pi-1'])
  const tomb = await store.get(
    TOKENS_PREFIX + JSON.parse(readFileSync(join(a(), 'tokens.json'), 'utf8')).revoked[0],
  )
  assert.ok(tomb && 'revoked' in JSON.parse(new TextDecoder().decode(tomb.value)))
})

test('an old copy brings no revoked record back; a record lost by another writer comes back', async () => {
  const alice = createTokenStore(a()).issue({ role: 'viewer', user: 'alice' })
  const old = readFileSync(join(a(), 'tokens.json'), 'utf8')
  const sa = await sync(a())
  createTokenStore(a()).revoke('alice')
  await sa.flush()
  mkdirSync(b())
  writeFileSync(join(b(), 'tokens.json'), old, { mode: 0o600 }) // b: a copy from before
  await sync(b())
  assert.is(auth(b(), alice), undefined)
  // a token lost from a's tokens.json (not revoked: another writer's stale copy over it)
  const carol = createTokenStore(a()).issue({ role: 'viewer', user: 'carol' })
  await sa.flush()
  const doc = JSON.parse(readFileSync(join(a(), 'tokens.json'), 'utf8'))
  doc.tokens = doc.tokens.filter((t: { user: string }) => t.user !== 'carol')
  writeFileSync(join(a(), 'tokens.json'), JSON.stringify(doc), { mode: 0o600 })
  await sa.flush()
  assert.is(auth(a(), carol), 'carol')
})

test('a record in the store that is not JSON is skipped, with a warning', async () => {
  await store.put(`${TOKENS_PREFIX}${'0'.repeat(64)}`, new TextEncoder().encode('{'))
  const log = memoryLogger()
  const s = await syncTokens(a(), store, { log, tickMs: 3_600_000 })
  syncs.push(s)
  const warned = log.lines.find((l) => l.level === 'warn' && /not JSON/.test(l.msg))
  assert.ok(warned, JSON.stringify(log.lines))
})

test('a revoke made while no sync ran reaches the store at the next start', async () => {
  const alice = createTokenStore(a()).issue({ role: 'viewer', user: 'alice' })
  await (await sync(a())).close()
  const sb = await sync(b())
  assert.is(auth(b(), alice), 'alice')
  createTokenStore(a()).revoke('alice') // a's plane stopped
  await sync(a())
  await sb.flush()
  assert.is(auth(b(), alice), undefined)
})

test.run()
