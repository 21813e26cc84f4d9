// The store conformance suite, unchanged, against a real etcd (Debian's etcd-server), each test on
// a fresh key namespace; then what only etcd has: TLS with client certificates, etcd killed and
// restarted under a watch, bad URLs and files.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createLogger } from '../../src/core/index.ts'
import { openEtcdStore, type EtcdStore } from '../../src/plane/store/etcd-store.ts'
import { parseEtcdUrl } from '../../src/plane/store/etcd-url.ts'
import { skipFileWithout } from '../peers.ts'
import { storeConformance, collect } from './conformance.ts'
import {
  etcdPresent,
  ETCD_BIN,
  makeCerts,
  startEtcd,
  type TestCerts,
  type TestEtcd,
} from './etcd-server.ts'

skipFileWithout(import.meta.url, 'etcd', etcdPresent, `apt-get install etcd-server (${ETCD_BIN})`)

const logger = createLogger('test', { level: 'error' })
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p
  } catch (err) {
    assert.match(String(err), re)
    return
  }
  assert.unreachable(`resolved; expected ${re}`)
}

let etcd: TestEtcd
let tlsEtcd: TestEtcd | undefined
let certs: TestCerts
try {
  etcd = await startEtcd()
} catch (err) {
  console.error(err)
  process.exit(1)
}
const stopAll = async () => {
  await etcd?.stop()
  await tlsEtcd?.stop()
}
process.on('exit', () => {
  for (const e of [etcd, tlsEtcd]) {
    const pid = e?.pid()
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone already
      }
    }
  }
})

storeConformance('etcd', {
  open: () => openEtcdStore({ url: etcd.url, namespace: `/t-${randomUUID()}`, logger }),
  async destroy(store) {
    const s = store as EtcdStore
    await s.delete({ prefix: '' })
    await s.close()
  },
})

const open = (ns = `/t-${randomUUID()}`) => openEtcdStore({ url: etcd.url, namespace: ns, logger })

test('URLs: hosts, default port, namespace, TLS schemes; bad ones are named', () => {
  assert.equal(parseEtcdUrl('etcd://a:1,b'), {
    hosts: ['http://a:1', 'http://b:2379'],
    tls: false,
    namespace: '',
  })
  assert.equal(parseEtcdUrl('etcds://10.0.0.1:2379/plane-a'), {
    hosts: ['https://10.0.0.1:2379'],
    tls: true,
    namespace: '/plane-a',
  })
  assert.is(parseEtcdUrl('etcd+https://h').tls, true)
  for (const [bad, why] of [
    ['http://a:2379', /not an etcd URL/],
    ['etcd://', /names no host/],
    ['etcd://a:2379,,b', /names no host/],
    ['etcd://a:99999', /not host\[:port\]/],
    ['etcd://a b', /not host\[:port\]/],
  ] as const)
    assert.throws(() => parseEtcdUrl(bad), why, bad)
})

test('namespaces do not see each other; keys come back without the prefix', async () => {
  const a = await open('/ns-a')
  const b = await open('/ns-b')
  try {
    await a.put('/k', enc('a'))
    await b.put('/k', enc('b'))
    assert.equal(
      (await a.range({ prefix: '' })).kvs.map((k) => [k.key, dec(k.value)]),
      [['/k', 'a']],
    )
    assert.is((await b.range({ from: '' })).count, 1)
    await a.delete({ prefix: '' })
    assert.is(dec((await b.get('/k'))!.value), 'b')
  } finally {
    await a.delete({ prefix: '' })
    await b.delete({ prefix: '' })
    await a.close()
    await b.close()
  }
})

test('a second store sees the first one’s revision and compaction when it opens', async () => {
  const a = await open()
  await a.put('/x', enc('1'))
  const p = await a.put('/x', enc('2'))
  await a.compact(p.revision)
  const b = await open()
  try {
    assert.ok(b.revision >= p.revision)
    assert.ok(b.compactRevision >= p.revision)
    assert.throws(
      () => b.watch({ prefix: '/' }, { startRevision: 1 }, { onEvents() {} }),
      /compacted/,
    )
  } finally {
    await a.close()
    await b.close()
  }
})

test('leases: ids are JS-safe numbers; an explicit id is kept; the same id twice is refused', async () => {
  const s = await open()
  try {
    const l = await s.leaseGrant(30)
    assert.ok(Number.isSafeInteger(l.id) && l.id > 0)
    const mine = 1_000_000 + Math.floor(Math.random() * 1e9)
    assert.is((await s.leaseGrant(30, { id: mine })).id, mine)
    try {
      await s.leaseGrant(30, { id: mine })
      assert.unreachable('granted twice')
    } catch (err) {
      assert.match(String(err), /already exists/)
    }
    await rejects(s.leaseGrant(0), /TTL/)
    await s.leaseRevoke(l.id)
    await s.leaseRevoke(mine)
  } finally {
    await s.close()
  }
})

test('a lease that runs out deletes its keys, seen by a watch', async () => {
  const s = await open()
  try {
    const l = await s.leaseGrant(1)
    await s.put('/e/a', enc('a'), { lease: l.id })
    const c = collect()
    const w = s.watch({ prefix: '/e/' }, {}, { onEvents: c.onEvents })
    await c.until(1, 20_000)
    w.cancel()
    assert.is(c.events[0].type, 'delete')
    assert.is(await s.get('/e/a'), undefined)
  } finally {
    await s.close()
  }
})

test('etcd killed and restarted: a watch resumes after its last revision, no gap, no repeat', async () => {
  const s = await open()
  try {
    const c = collect()
    const first = await s.put('/r/0', enc('0'))
    const w = s.watch(
      { prefix: '/r/' },
      { startRevision: first.revision },
      { onEvents: c.onEvents },
    )
    for (let i = 1; i < 10; i++) await s.put(`/r/${i}`, enc(String(i)))
    await c.until(10, 20_000)
    await etcd.restart()
    // writes after the restart go through once the channel reconnects
    for (let i = 10; i < 20;) {
      try {
        await s.put(`/r/${i}`, enc(String(i)))
        i++
      } catch {
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    await c.until(20, 30_000)
    w.cancel()
    const revs = c.events.map((e) => e.kv.modRevision)
    assert.is(revs.length, 20)
    for (let i = 1; i < revs.length; i++) assert.is(revs[i], revs[i - 1] + 1)
    assert.equal(
      c.events.map((e) => e.kv.key),
      Array.from({ length: 20 }, (_, i) => `/r/${i}`),
    )
  } finally {
    await s.delete({ prefix: '' }).catch(() => {})
    await s.close()
  }
})

async function until(ok: () => boolean | undefined) {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5))
}

test('etcd not answering: a request gives up after the timeout; the watch carries on', async () => {
  const s = await openEtcdStore({
    url: etcd.url,
    namespace: `/t-${randomUUID()}`,
    logger,
    timeoutMs: 1000,
  })
  const pid = etcd.pid()!
  try {
    const c = collect()
    const w = s.watch({ prefix: '/s/' }, {}, { onEvents: c.onEvents })
    await s.put('/s/1', enc('1'))
    await c.until(1)
    process.kill(pid, 'SIGSTOP')
    // kill() returns before the process is stopped: on a loaded machine etcd answered the next put
    await until(() => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('T'))
    try {
      await s.put('/s/2', enc('2'))
      assert.unreachable('a stopped etcd answered')
    } catch (err) {
      assert.is((err as { code?: string }).code, 'Unavailable', String(err))
      assert.match(String(err), /did not answer within 1000 ms/)
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    await s.put('/s/3', enc('3'))
    // the timed-out put may or may not have reached etcd — and when it did, it was still in
    // flight beside /s/3, so etcd may have applied either first: the watch agrees with the
    // store, key for key in the store's revision order
    const stored = (await s.range({ prefix: '/s/' })).kvs
    await c.until(stored.length, 20_000)
    w.cancel()
    const byRevision = [...stored].sort((a, b) => a.modRevision - b.modRevision)
    assert.equal(
      c.events.map((e) => [e.kv.key, e.kv.modRevision]),
      byRevision.map((kv) => [kv.key, kv.modRevision]),
    )
    assert.ok(stored.some((kv) => kv.key === '/s/3'))
  } finally {
    await s.close()
  }
})

test('etcd down: a request fails with Unavailable naming the endpoint; close ends watches', async () => {
  const s = await openEtcdStore({
    url: etcd.url,
    namespace: `/t-${randomUUID()}`,
    logger,
    timeoutMs: 1500,
  })
  let cancelled: Error | undefined
  s.watch({ prefix: '/' }, {}, { onEvents() {}, onCancel: (e) => (cancelled = e) })
  await etcd.kill()
  try {
    try {
      await s.put('/a', enc('1'))
      assert.unreachable('put on a dead etcd')
    } catch (err) {
      assert.is((err as { code?: string }).code, 'Unavailable', String(err))
      assert.match(String(err), /127\.0\.0\.1/)
    }
  } finally {
    await s.close()
    await etcd.restart()
  }
  assert.match(String(cancelled), /closed/)
})

test('opening an etcd nobody listens on fails with a clear error', async () => {
  const { freePort } = await import('../e2e/plane-process.ts')
  const port = await freePort()
  try {
    await openEtcdStore({ url: `etcd://127.0.0.1:${port}`, logger, timeoutMs: 1500 })
    assert.unreachable('opened')
  } catch (err) {
    assert.is((err as { code?: string }).code, 'Unavailable', String(err))
    assert.match(String(err), new RegExp(`127\\.0\\.0\\.1:${port}`))
  }
  await rejects(
    openEtcdStore({ url: 'etcd://127.0.0.1:1', ca: '/nonexistent/ca.pem' }),
    /TLS files/,
  )
})

test('history is compacted each interval to the revision seen one interval before', async () => {
  const s = await openEtcdStore({
    url: etcd.url,
    namespace: `/t-${randomUUID()}`,
    logger,
    compactIntervalMs: 200,
  })
  try {
    const p = await s.put('/c', enc('1'))
    const end = Date.now() + 20_000
    while (s.compactRevision < p.revision && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100))
    assert.ok(s.compactRevision >= p.revision, `compact revision ${s.compactRevision}`)
    assert.ok(s.compactRevision <= s.revision)
    assert.is(dec((await s.get('/c'))!.value), '1')
  } finally {
    await s.close()
  }
})

test('TLS with a client certificate: works; without one, or with a stranger’s, it is refused', async () => {
  certs = await makeCerts()
  tlsEtcd = await startEtcd({ certs })
  const s = await openEtcdStore({
    url: tlsEtcd.url,
    ca: certs.ca,
    cert: certs.clientCert,
    key: certs.clientKey,
    logger,
  })
  try {
    const p = await s.put('/tls', enc('yes'))
    assert.is(dec((await s.get('/tls'))!.value), 'yes')
    assert.ok(p.revision > 0)
  } finally {
    await s.close()
  }
  for (const [what, o] of [
    ['no client certificate', { ca: certs.ca }],
    [
      'a certificate from another CA',
      { ca: certs.ca, cert: certs.strangerCert, key: certs.strangerKey },
    ],
  ] as const) {
    try {
      const bad = await openEtcdStore({ url: tlsEtcd.url, logger, timeoutMs: 3000, ...o })
      await bad.close()
      assert.unreachable(`${what} accepted`)
    } catch (err) {
      assert.is((err as { code?: string }).code, 'Unavailable', `${what}: ${String(err)}`)
    }
  }
  try {
    await openEtcdStore({ url: tlsEtcd.url, cert: certs.clientCert, logger })
    assert.unreachable('a cert without its key')
  } catch (err) {
    assert.match(String(err), /needs its key/)
  }
})

test.after(stopAll)
test.run()
