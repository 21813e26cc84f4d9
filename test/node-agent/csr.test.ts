// The node's certificate request, made without an X.509 library (the agent never loads one: it
// would stay in its memory): the plane's checker accepts it, with the node's name and its IPs,
// IPv6 included, and loopback left out.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { createRequire } from 'node:module'
import { makeNodeRequest } from '../../src/node-agent/node-certificate.ts'
import { checkNodeCsr } from '../../src/plane/server/security/node-certificates.ts'

const loaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('@peculiar/x509'))

test("the plane's checker accepts the request; making it loaded no X.509 library", async () => {
  const req = await makeNodeRequest('pi-7', ['10.0.0.7', 'fd00::7', '127.0.0.1', '::1'])
  assert.not.ok(loaded(), 'an X.509 library was loaded to make the request')
  assert.match(req.csrPem, /^-----BEGIN CERTIFICATE REQUEST-----\n/)
  const { csr, ips } = await checkNodeCsr(req.csrPem, 'pi-7')
  assert.ok(loaded(), 'the check (the plane side) loads it: the probe above can see it')
  assert.equal(ips, ['10.0.0.7', 'fd00::7'])
  assert.is(csr.subject, 'CN=system:node:pi-7, O=system:nodes')
  const key = createPrivateKey(req.keyPem)
  assert.is(key.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  assert.equal(
    Buffer.from(csr.publicKey.rawData),
    createPublicKey(key).export({ type: 'spki', format: 'der' }),
  )
})

test('a request made for another node is refused by name', async () => {
  const req = await makeNodeRequest('pi-8', [])
  try {
    await checkNodeCsr(req.csrPem, 'pi-9')
    assert.unreachable('accepted')
  } catch (error) {
    assert.match((error as Error).message, /its subject must be exactly "CN=system:node:pi-9/)
  }
})

test.run()
