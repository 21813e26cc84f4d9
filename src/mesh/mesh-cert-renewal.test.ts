// A renewed node certificate (setNodeCertificate) is taken without a restart: the node-to-node
// listener presents it to new connections, and hops out use it on new connections while a
// request already in flight over the old pool finishes. Node n2 is a spy: a plain https server
// with n2's certificate that answers with the fingerprint of the client certificate it saw.
import { X509Certificate } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import { connect } from 'node:tls'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMesh } from './mesh.ts'
import { endpoint, fleetCa, nodeCommonName, get, service, table, type Pem } from './mesh-fixture.ts'
import type { Mesh } from './types.ts'

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256

let ca: Awaited<ReturnType<typeof fleetCa>>
let mesh: Mesh | undefined
let spy: Server | undefined
let ports: { local: number; tls: number }
let first: Pem
const held: (() => void)[] = []

test.before(async () => {
  ca = await fleetCa()
  first = await ca.issue(nodeCommonName('n1'))
  const n2 = await ca.issue(nodeCommonName('n2'))
  spy = createServer(
    { ca: ca.ca, ...n2, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const seen = (req.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256
      const answer = () => res.end(seen)
      if (req.url === '/slow') held.push(answer)
      else answer()
    },
  )
  const spyPort = await new Promise<number>((r) =>
    spy!.listen(0, '127.0.0.1', () => r((spy!.address() as { port: number }).port)),
  )
  mesh = createMesh({
    nodeName: 'n1',
    local: { port: 0 },
    tls: { host: '127.0.0.1', port: 0, ca: ca.ca, ...first },
  })
  const p = await mesh.start()
  ports = { local: p.local!, tls: p.tls! }
  await mesh.setTable(
    table(
      [service('web', [endpoint('p2', 'n2', 8080)])],
      [
        { name: 'n1', address: '127.0.0.1', meshPort: ports.tls, online: true },
        { name: 'n2', address: '127.0.0.1', meshPort: spyPort, online: true },
      ],
    ),
  )
})

test.after(async () => {
  for (const answer of held.splice(0)) answer()
  await mesh?.stop()
  if (spy) {
    spy.closeAllConnections()
    await new Promise((r) => spy!.close(r))
  }
})

/** the fingerprint of the certificate n1's listener presents to a new connection */
async function presented(): Promise<string> {
  const client = await ca.issue(nodeCommonName('n9'))
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: ports.tls, ca: ca.ca, servername: 'n1', ...client },
      () => {
        resolve(socket.getPeerCertificate().fingerprint256)
        socket.destroy()
      },
    )
    socket.on('error', reject)
  })
}

const viaMesh = (path = '/') => get(ports.local, 'web', { path })

test('the listener and the hops out take a renewed certificate; a request in flight finishes', async () => {
  assert.is(await presented(), fingerprint(first.cert))
  assert.is((await viaMesh()).body, fingerprint(first.cert))
  const slow = viaMesh('/slow')
  while (held.length === 0) await new Promise((r) => setTimeout(r, 10))

  const renewed = await ca.issue(nodeCommonName('n1'))
  assert.ok(mesh!.setNodeCertificate(renewed.cert, renewed.key))
  assert.is(await presented(), fingerprint(renewed.cert), 'new connections: the new certificate')
  const after = await viaMesh()
  assert.equal([after.status, after.body], [200, fingerprint(renewed.cert)])

  held.shift()!()
  const old = await slow
  assert.equal([old.status, old.body], [200, fingerprint(first.cert)], 'the old pool finished')
})

test('a key that does not match the certificate is refused; the one in use stays', async () => {
  const a = await ca.issue(nodeCommonName('n1'))
  const b = await ca.issue(nodeCommonName('n1'))
  const before = await presented()
  assert.throws(() => mesh!.setNodeCertificate(a.cert, b.key))
  assert.is(await presented(), before)
  assert.is((await viaMesh()).status, 200)
})

test('a mesh started without a node-to-node listener cannot take one: false', async () => {
  const bare = createMesh({ nodeName: 'n3', local: { port: 0 } })
  await bare.start()
  try {
    assert.is(bare.setNodeCertificate(first.cert, first.key), false)
  } finally {
    await bare.stop()
  }
})

test.run()
