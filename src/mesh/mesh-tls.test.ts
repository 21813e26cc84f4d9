// The node-to-node listener: mutual TLS with the fleet CA, and never an open forwarder.
import { request } from 'node:https'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  backend,
  endpoint,
  fleet,
  fleetCa,
  nodeCommonName,
  service,
  type Backend,
  type Fleet,
  type Pem,
} from './mesh-fixture.ts'

let b: Backend, other: Backend, f: Fleet

test.before(async () => {
  ;[b, other] = await Promise.all([backend('b1'), backend('other')])
  f = await fleet(2)
  await f.apply([
    service('web', [endpoint('p2', 'n2', b.port)]),
    service('db', [endpoint('d2', 'n2', other.port)]),
  ])
})
test.after(async () => {
  await f.stop()
  await Promise.all([b, other].map((x) => x.close()))
})

/** a request straight to n2's mTLS listener, as another node's mesh would send it */
function hop(
  id: Pem | undefined,
  headers: Record<string, string>,
  ca = f.ca.ca,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: f.tls[1],
        path: '/',
        ca,
        servername: 'n2',
        headers,
        agent: false,
        ...(id ?? {}),
      },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

const target = (svc: string, port: number) => ({
  'x-shoal-target-service': svc,
  'x-shoal-target-port': String(port),
})

test('a node of the fleet reaches a local endpoint of the Service it names', async () => {
  const id = await f.ca.issue(nodeCommonName('n9'))
  const a = await hop(id, target('default/web', b.port))
  assert.equal(a, { status: 200, body: 'b1 GET /' })
})

test('a target port that is not an endpoint of that Service on this node is refused (403)', async () => {
  const id = await f.ca.issue(nodeCommonName('n9'))
  const a = await hop(id, target('default/web', other.port)) // db's endpoint, not web's
  assert.is(a.status, 403)
  assert.is(
    a.body,
    `mesh: port ${other.port} is not an endpoint of service default/web on node n2\n`,
  )
  assert.is((await hop(id, target('default/web', 22))).status, 403)
  assert.is((await hop(id, { 'x-shoal-target-service': 'default/web' })).status, 403)
  const none = await hop(id, target('default/ghost', b.port))
  assert.equal(none, { status: 404, body: 'mesh: no service "default/ghost" on node n2\n' })
  assert.equal(other.hits, [])
})

test("a port the sender's newer table has and ours not yet: 503 (the sender retries elsewhere)", async () => {
  const id = await f.ca.issue(nodeCommonName('n9'))
  const ahead = await hop(id, { ...target('default/web', 22), 'x-shoal-table-revision': '999999' })
  assert.equal(ahead, {
    status: 503,
    body: "mesh: port 22 is not yet an endpoint of service default/web on node n2 (its table is behind the sender's)\n",
  })
  const behind = await hop(id, { ...target('default/web', 22), 'x-shoal-table-revision': '0' })
  assert.is(behind.status, 403, 'a sender whose table is not newer: still refused')
  assert.equal(other.hits, [])
})

test('an endpoint that left the table lately: 503 (the sender retries elsewhere), not 403', async () => {
  const id = await f.ca.issue(nodeCommonName('n9'))
  await f.apply([service('web', []), service('db', [endpoint('d2', 'n2', other.port)])])
  const gone = await hop(id, target('default/web', b.port))
  assert.equal(gone, {
    status: 503,
    body: `mesh: port ${b.port} is no longer an endpoint of service default/web on node n2\n`,
  })
  assert.is((await hop(id, target('default/web', 22))).status, 403, 'never one: still 403')
  await f.apply([
    service('web', [endpoint('p2', 'n2', b.port)]),
    service('db', [endpoint('d2', 'n2', other.port)]),
  ])
  assert.is((await hop(id, target('default/web', b.port))).status, 200)
})

test('a client without a certificate, or with one of another CA, is refused in the handshake', async () => {
  await hop(undefined, target('default/web', b.port)).then(
    () => assert.unreachable('served without a client certificate'),
    (e: Error) => assert.match(e.message, /certificate|ECONNRESET|socket hang up/),
  )
  const stranger = await fleetCa('stranger-ca')
  const id = await stranger.issue(nodeCommonName('n9'))
  await hop(id, target('default/web', b.port)).then(
    () => assert.unreachable('served a certificate of another CA'),
    (e: Error) => assert.match(e.message, /certificate|ECONNRESET|socket hang up/),
  )
})

test('a fleet certificate that is not a node certificate (O ≠ system:nodes) is dropped', async () => {
  const id = await f.ca.issue('alice', { org: 'system:masters', dns: 'alice' })
  await hop(id, target('default/web', b.port)).then(
    () => assert.unreachable('served a non-node certificate'),
    (e: Error) => assert.match(e.message, /socket hang up|ECONNRESET/),
  )
  assert.equal(b.hits, ['GET', 'GET'])
})

test.run()
