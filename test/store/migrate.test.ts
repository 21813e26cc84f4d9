// `shoal migrate` both ways between a CBOR log and a real etcd: every key's latest value, leases
// re-granted with the TTL left, a non-empty target refused unless --force, bad stores named.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { createLogger } from '../../src/core/index.ts'
import { migrateStore } from '../../src/plane/index.ts'
import { openEtcdStore, openLogStore } from '../../src/plane/store/index.ts'
import { skipFileWithout } from '../peers.ts'
import { etcdPresent, ETCD_BIN, startEtcd, type TestEtcd } from './etcd-server.ts'

skipFileWithout(import.meta.url, 'etcd', etcdPresent, `apt-get install etcd-server (${ETCD_BIN})`)

const logger = createLogger('test', { level: 'error' })
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const run = promisify(execFile)

let etcd: TestEtcd
const tmp = mkdtempSync(join(tmpdir(), 'shoal-migrate-'))
try {
  etcd = await startEtcd()
} catch (err) {
  rmSync(tmp, { recursive: true, force: true })
  console.error(err)
  process.exit(1)
}

async function rejected(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p
  } catch (err) {
    assert.match(String(err), re)
    return
  }
  assert.unreachable(`resolved; expected ${re}`)
}

test('a plane data dir into etcd: latest values, leases with their TTL left, progress', async () => {
  const dataDir = join(tmp, 'plane-a')
  const src = await openLogStore({ dir: join(dataDir, 'store'), logger })
  for (let i = 0; i < 250; i++) await src.put(`/registry/pods/p${i}`, enc(`v${i}`))
  await src.put('/registry/pods/p0', enc('latest'))
  await src.delete({ key: '/registry/pods/p1' })
  const lease = await src.leaseGrant(600)
  await src.put('/registry/leases/n1', enc('held'), { lease: lease.id })
  await src.close()

  const progress: number[] = []
  const r = await migrateStore({
    from: dataDir,
    to: `${etcd.url}/a`,
    onProgress: (p) => progress.push(p.copied),
    logger,
  })
  assert.equal([r.keys, r.leases], [250, 1])
  assert.is(progress.at(-1), 250)
  assert.ok(progress.length > 1)

  const dst = await openEtcdStore({ url: `${etcd.url}/a`, logger })
  try {
    assert.is((await dst.range({ prefix: '/registry/pods/' }, { countOnly: true })).count, 248 + 1)
    assert.is(dec((await dst.get('/registry/pods/p0'))!.value), 'latest')
    assert.is(await dst.get('/registry/pods/p1'), undefined)
    const held = (await dst.get('/registry/leases/n1'))!
    assert.ok(held.lease !== 0)
    const st = await dst.leaseTimeToLive(held.lease)
    assert.equal(st.keys, ['/registry/leases/n1'])
    assert.ok(st.remaining > 500 && st.remaining <= 600, String(st.remaining))
  } finally {
    await dst.close()
  }

  // a second copy into the same place is refused, unless forced
  await rejected(
    migrateStore({ from: dataDir, to: `${etcd.url}/a`, logger }),
    /already holds 250 key\(s\).*--force/,
  )
  const again = await migrateStore({ from: dataDir, to: `${etcd.url}/a`, force: true, logger })
  assert.is(again.keys, 250)
})

test('etcd back into a fresh log dir, through the CLI', async () => {
  const src = await openEtcdStore({ url: `${etcd.url}/b`, logger })
  for (let i = 0; i < 30; i++) await src.put(`/k/${i}`, enc(String(i)))
  const l = await src.leaseGrant(300)
  await src.put('/k/leased', enc('x'), { lease: l.id })
  await src.close()
  const dir = join(tmp, 'back')
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', main, 'migrate', '--from', `${etcd.url}/b`, '--to', dir],
    { timeout: 60_000 },
  )
  assert.match(stdout, /copied 31 keys \(1 leases\)/)
  assert.match(stderr, /31\/31 keys/)
  const back = await openLogStore({ dir, logger })
  try {
    const all = await back.range({ prefix: '/k/' })
    assert.is(all.count, 31)
    assert.is(dec((await back.get('/k/7'))!.value), '7')
    const leased = (await back.get('/k/leased'))!
    assert.equal((await back.leaseTimeToLive(leased.lease)).keys, ['/k/leased'])
  } finally {
    await back.close()
  }
  // the CLI refuses a non-empty target with the reason
  try {
    await run(
      process.execPath,
      ['--import', 'tsx', main, 'migrate', '--from', `${etcd.url}/b`, '--to', dir],
      {
        timeout: 60_000,
      },
    )
    assert.unreachable('migrated into a non-empty store')
  } catch (err) {
    assert.match(String((err as { stderr?: string }).stderr), /already holds 31 key\(s\)/)
  }
})

test('a page of values larger than etcd takes in one request is split across txns', async () => {
  const dir = join(tmp, 'big')
  const src = await openLogStore({ dir, logger })
  const big = new Uint8Array(200_000).fill(7)
  for (let i = 0; i < 20; i++) await src.put(`/big/${i}`, big)
  await src.close()
  const r = await migrateStore({ from: dir, to: `${etcd.url}/big`, logger })
  assert.is(r.keys, 20)
  const dst = await openEtcdStore({ url: `${etcd.url}/big`, logger })
  try {
    assert.is((await dst.get('/big/19'))!.value.byteLength, 200_000)
  } finally {
    await dst.close()
  }
})

test('bad stores are named', async () => {
  await rejected(
    migrateStore({ from: join(tmp, 'nope'), to: etcd.url }),
    /--from .*nope: no such directory/,
  )
  await rejected(migrateStore({ from: tmp, to: etcd.url }), /holds no store/)
  await rejected(
    migrateStore({ from: 'http://x:1', to: etcd.url }),
    /neither a directory nor an etcd URL/,
  )
  await rejected(migrateStore({ from: etcd.url, to: etcd.url }), /the same store/)
})

test.after(async () => {
  await etcd.stop()
  rmSync(tmp, { recursive: true, force: true })
})
test.run()
