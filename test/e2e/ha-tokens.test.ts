// Several planes on one etcd share their tokens (issue 17, security/token-sync.ts): two planes
// on a real etcd, the second started with a copy of the first one's identity. A token issued
// into plane A's tokens.json (as `shoal token issue --data-dir A` does) authenticates on plane
// B; a node joined through A authenticates on B with the token the join gave it; a token revoked
// through A is refused by B; and a third plane started with an old copy of tokens.json (the
// revoked token still in it, the node's not) refuses the one and takes the other.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, createTokenStore, type Plane } from '../../src/plane/index.ts'
import { skipFileWithout } from '../peers.ts'
import { etcdPresent, ETCD_BIN, startEtcd, type TestEtcd } from '../store/etcd-server.ts'
import { freePort } from './plane-process.ts'

skipFileWithout(import.meta.url, 'etcd', etcdPresent, `apt-get install etcd-server (${ETCD_BIN})`)

const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-tokens-'))
const dirs = { a: join(dir, 'a'), b: join(dir, 'b'), c: join(dir, 'c') }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let etcd: TestEtcd | undefined
const planes: Plane[] = []
let ca: string
let oldTokens: string // plane A's tokens.json before the revoke below

/** a plane on the shared etcd; no scheduler or controllers: the tokens are under test */
async function plane(dataDir: string): Promise<Plane> {
  const p = await createPlane({
    dataDir,
    listen: `127.0.0.1:${await freePort()}`,
    mqttListen: '127.0.0.1:0',
    store: `${etcd!.url}/tokens-test`,
    leaderElect: false,
    scheduler: false,
    controllers: false,
    logger: memoryLogger(),
  })
  planes.push(p)
  return p
}

/** plane A's identity, copied as the README says, before the plane's first start */
function copyIdentity(to: string): void {
  mkdirSync(to, { mode: 0o700 })
  for (const f of ['pki', 'tokens.json', 'secret-keys.json', 'admin.kubeconfig'])
    cpSync(join(dirs.a, f), join(to, f), { recursive: true, preserveTimestamps: true })
}

function call(base: string, method: string, path: string, o: { token?: string; body?: unknown }) {
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        ca,
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode!, json })
        })
      },
    )
    req.on('error', reject)
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body))
  })
}

/** the user a token is on a plane (SelfSubjectReview), or its HTTP status when refused */
async function who(base: string, token: string): Promise<string | number> {
  const r = await call(base, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    token,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  })
  return r.status === 201 || r.status === 200 ? r.json?.status?.userInfo?.username : r.status
}

/** waits (up to a generous minute) for `fn` to give `want`; the last answer is asserted */
async function until(fn: () => Promise<unknown>, want: unknown): Promise<void> {
  const end = Date.now() + 60_000
  let got: unknown
  while (Date.now() < end) {
    got = await fn()
    if (got === want) return
    await sleep(100)
  }
  assert.is(got, want)
}

test.before(async () => {
  try {
    etcd = await startEtcd()
    await plane(dirs.a)
    ca = readFileSync(join(dirs.a, 'pki', 'ca.crt'), 'utf8')
    copyIdentity(dirs.b)
    await plane(dirs.b)
  } catch (err) {
    await stopAll()
    throw err
  }
})

async function stopAll(): Promise<void> {
  for (const p of planes.splice(0)) await p.close().catch(() => undefined)
  await etcd?.stop()
  rmSync(dir, { recursive: true, force: true })
}
test.after(stopAll)

test('a token issued into plane A’s tokens.json authenticates on plane B', async () => {
  const [a, b] = planes as [Plane, Plane]
  const eve = createTokenStore(dirs.a).issue({ role: 'viewer', user: 'eve' })
  assert.is(await who(a.url, eve), 'eve')
  await until(() => who(b.url, eve), 'eve')
  assert.is(await who(b.url, 'shoal_not-a-token-at-all-0000000000000000000000'), 401)
})

let nodeToken = ''
test('a node joined through plane A authenticates on plane B with its node token', async () => {
  const [a, b] = planes as [Plane, Plane]
  const joinToken = createTokenStore(dirs.a).issue({ role: 'join' })
  const joined = await call(a.url, 'POST', '/shoal/v1/join', {
    token: joinToken,
    body: { node: 'ha-node-1' },
  })
  assert.is(joined.status, 200, JSON.stringify(joined.json))
  nodeToken = joined.json.token
  await until(() => who(b.url, nodeToken), 'system:node:ha-node-1')
  // B acts on it as that node's: it may read the nodes, not Secrets
  assert.is((await call(b.url, 'GET', '/api/v1/nodes', { token: nodeToken })).status, 200)
  const secret = await call(b.url, 'GET', '/api/v1/namespaces/default/secrets/x', {
    token: nodeToken,
  })
  assert.is(secret.status, 403)
})

test('a token revoked through plane A is refused by plane B', async () => {
  const [, b] = planes as [Plane, Plane]
  const eve = createTokenStore(dirs.a).issue({ role: 'viewer', user: 'eve-2' })
  await until(() => who(b.url, eve), 'eve-2')
  oldTokens = readFileSync(join(dirs.a, 'tokens.json'), 'utf8') // eve-2 in it
  assert.is(createTokenStore(dirs.a).revoke('eve-2'), 1)
  await until(() => who(b.url, eve), 401)
  // a third plane from an old copy: eve-2's record in its tokens.json (revoked in etcd since),
  // the node's not (issued since)
  copyIdentity(dirs.c)
  const old = JSON.parse(oldTokens) as { tokens: { user: string }[] }
  old.tokens = old.tokens.filter((t) => t.user !== 'system:node:ha-node-1')
  writeFileSync(join(dirs.c, 'tokens.json'), JSON.stringify(old), { mode: 0o600 })
  const c = await plane(dirs.c)
  // (a plane's token store looks at tokens.json again within a second for a token it knows)
  await until(() => who(c.url, eve), 401)
  assert.is(await who(c.url, nodeToken), 'system:node:ha-node-1')
})

test.run()
