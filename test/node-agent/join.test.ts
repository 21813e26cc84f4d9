// The agent's join against a real HTTPS server holding the plane's PKI (ensurePki) and its node
// certificate signer: the CA is pinned by hash, the join token traded for credentials kept 0600
// in a 0700 data dir, the node's key made on the node and only its request sent; renewal.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { FakeClock, memoryLogger } from '../../src/core/index.ts'
import { caCertHash, joinPlane, loadCredentials } from '../../src/node-agent/index.ts'
import { CertRenewer, planeSigner } from '../../src/node-agent/cert-renewer.ts'
import { httpsFetch } from '../../src/node-agent/https-fetch.ts'
import {
  caCertHash as planeCaCertHash,
  createNodeSigner,
  ensurePki,
  type NodeSigner,
  type Pki,
} from '../../src/plane/server/security/index.ts'

let dir = ''
let pki: Pki
let server: Server
let url = ''
let requests: string[] = []
/** every request body the plane was sent */
let bodies: string[] = []
let signer: NodeSigner
const DAY = 24 * 60 * 60 * 1000
/** more fields in the join answer (an external broker's CA) */
let joinExtra: Record<string, unknown> = {}

function answerJoin(body: string, res: import('node:http').ServerResponse) {
  const { node, csr } = JSON.parse(body) as { node: string; csr?: string }
  res.setHeader('content-type', 'application/json')
  void (csr ? signer.sign(csr, node) : Promise.resolve(undefined)).then(
    (certificate) =>
      res.end(
        JSON.stringify({
          node,
          token: `token-of-${node}`,
          caCert: pki.caCert,
          mqtt: 'mqtts://127.0.0.1:8883',
          certificate,
          ...joinExtra,
        }),
      ),
    (err: Error) => res.writeHead(422).end(JSON.stringify({ message: err.message })),
  )
}

function answerRenewal(
  auth: string | undefined,
  body: string,
  res: import('node:http').ServerResponse,
) {
  const node = /^Bearer token-of-(.+)$/.exec(auth ?? '')?.[1]
  if (!node) return res.writeHead(401).end()
  signer.sign((JSON.parse(body) as { csr: string }).csr, node).then(
    (certificate) => res.end(JSON.stringify({ certificate })),
    (err: Error) => res.writeHead(422).end(JSON.stringify({ message: err.message })),
  )
}

test.before(async () => {
  dir = mkdtempSync(joinPath(tmpdir(), 'shoal-join-'))
  pki = ensurePki(joinPath(dir, 'plane'), { sans: ['127.0.0.1'] })
  signer = createNodeSigner({ caCert: pki.caCert, caKey: pki.caKey, lifetimeMs: 30 * DAY })
  server = createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
    requests.push(`${req.method} ${req.url}`)
    if (req.method === 'GET' && req.url === '/shoal/v1/ca') return res.end(pki.caCert)
    const renewal = req.url === '/shoal/v1/node-certificate'
    if (req.method !== 'POST' || (req.url !== '/shoal/v1/join' && !renewal))
      return res.writeHead(404).end()
    if (!renewal && req.headers.authorization !== 'Bearer join-token')
      return res.writeHead(401).end('{"message":"bad join token"}')
    let body = ''
    req.on('data', (d: Buffer) => (body += d))
    req.on('end', () => {
      bodies.push(body)
      if (renewal) answerRenewal(req.headers.authorization, body, res)
      else answerJoin(body, res)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.before.each(() => {
  requests = []
  bodies = []
  joinExtra = {}
})
test.after(() => {
  server.close()
  rmSync(dir, { recursive: true, force: true })
})

const opts = (name: string, more: Partial<Parameters<typeof joinPlane>[0]> = {}) => ({
  plane: url,
  token: 'join-token',
  caCertHash: caCertHash(pki.caCert),
  node: name,
  dataDir: joinPath(dir, name),
  log: memoryLogger(),
  ...more,
})

test('the agent and the plane hash the CA alike', () => {
  assert.is(caCertHash(pki.caCert), planeCaCertHash(pki.caCert))
})

test('a join with the right hash saves the credentials 0600 in a 0700 dir; a second start reuses them', async () => {
  const c = await joinPlane(opts('pi-07'))
  assert.equal(c, {
    node: 'pi-07',
    token: 'token-of-pi-07',
    caCert: pki.caCert,
    mqtt: 'mqtts://127.0.0.1:8883',
    plane: url,
  })
  assert.equal(requests, ['GET /shoal/v1/ca', 'POST /shoal/v1/join'])
  const file = joinPath(dir, 'pi-07', 'credentials.json')
  assert.is(statSync(file).mode & 0o777, 0o600)
  assert.is(statSync(joinPath(dir, 'pi-07')).mode & 0o777, 0o700)
  assert.equal(await loadCredentials(joinPath(dir, 'pi-07'), memoryLogger()), c)
  assert.equal(await joinPlane(opts('pi-07')), c)
  assert.is(requests.length, 2, 'no second join')
})

test("an external broker's CA in the join answer is kept with the credentials; a bad one refused", async () => {
  const other = ensurePki(joinPath(dir, 'other-ca')).caCert
  joinExtra = { mqttCa: other }
  const c = await joinPlane(opts('pi-ext'))
  assert.is(c.mqttCa, other)
  assert.equal(await loadCredentials(joinPath(dir, 'pi-ext'), memoryLogger()), c)
  for (const [name, mqttCa] of [
    ['pi-bad-1', 'not a certificate'],
    ['pi-bad-2', 42],
  ] as const) {
    joinExtra = { mqttCa }
    const err = await joinPlane(opts(name)).then(
      () => undefined,
      (e: Error) => e,
    )
    assert.match(String(err), "join: the plane's mqttCa is not a PEM certificate")
  }
})

/** node.pem's certificate and key */
function nodePem(node: string) {
  const text = readFileSync(joinPath(dir, node, 'node.pem'), 'utf8')
  const cert = new X509Certificate(text)
  const key = createPrivateKey(text)
  return { cert, key, mode: statSync(joinPath(dir, node, 'node.pem')).mode & 0o777 }
}

test("the node's key is made on the node and never sent; its certificate chains to the CA, SANs and EKUs for mTLS", async () => {
  await joinPlane(opts('pi-20', { addresses: ['192.168.1.20', '127.0.0.1'] }))
  assert.is(bodies.length, 1)
  assert.not.match(bodies[0]!, /PRIVATE KEY/)
  const sent = JSON.parse(bodies[0]!) as { node: string; csr: string }
  assert.equal(Object.keys(sent).sort(), ['csr', 'node'])
  assert.match(sent.csr, /^-----BEGIN CERTIFICATE REQUEST-----/)
  const { cert, key, mode } = nodePem('pi-20')
  assert.is(mode, 0o600)
  assert.ok(cert.checkPrivateKey(key), 'the certificate is for the key kept on the node')
  assert.equal(
    createPublicKey(key).export({ type: 'spki', format: 'der' }),
    cert.publicKey.export({ type: 'spki', format: 'der' }),
  )
  assert.ok(cert.verify(new X509Certificate(pki.caCert).publicKey), 'signed by the CA')
  assert.is(cert.subject, 'CN=system:node:pi-20\nO=system:nodes')
  assert.is(cert.subjectAltName, 'DNS:pi-20, IP Address:192.168.1.20') // loopback left out
  assert.equal(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
  assert.is(cert.ca, false)
})

test('the certificate is renewed at 2/3 of its life with a new key, over the node token', async () => {
  const c = await joinPlane(opts('pi-21', { addresses: ['192.168.1.21'] }))
  const first = nodePem('pi-21')
  const clock = new FakeClock(Date.now())
  const log = memoryLogger()
  const handed: [string, string][] = []
  const renewer = new CertRenewer({
    ...{ path: joinPath(dir, 'pi-21', 'node.pem'), node: 'pi-21', caCert: c.caCert },
    ...{ ips: ['192.168.1.21'], sign: planeSigner(httpsFetch({ ca: c.caCert }), c), clock, log },
    renewed: (cert, key) => handed.push([cert, key]),
  })
  renewer.start()
  await renewer.settled()
  clock.advance(19 * DAY) // 19 of 30 days: not yet
  await renewer.settled()
  assert.ok(nodePem('pi-21').cert.fingerprint256 === first.cert.fingerprint256)
  assert.equal(requests, ['GET /shoal/v1/ca', 'POST /shoal/v1/join'])
  clock.advance(2 * DAY) // past 20 days and the hour it was backdated
  await renewer.settled()
  const second = nodePem('pi-21')
  assert.is.not(second.cert.fingerprint256, first.cert.fingerprint256)
  assert.ok(second.cert.checkPrivateKey(second.key))
  assert.not.ok(second.cert.checkPrivateKey(first.key), 'a new key')
  assert.ok(second.cert.verify(new X509Certificate(pki.caCert).publicKey))
  assert.is(second.cert.subjectAltName, 'DNS:pi-21, IP Address:192.168.1.21')
  assert.equal(requests.slice(2), ['POST /shoal/v1/node-certificate'])
  assert.not.match(bodies.join(), /PRIVATE KEY/)
  assert.is(handed.length, 1, 'the saved certificate and key are handed on (the mesh takes them)')
  assert.is(new X509Certificate(handed[0]![0]).fingerprint256, second.cert.fingerprint256)
  assert.ok(second.cert.checkPrivateKey(createPrivateKey(handed[0]![1])))
  renewer.stop()
})

test('a failed renewal keeps the certificate and is retried', async () => {
  const c = await joinPlane(opts('pi-22'))
  const first = nodePem('pi-22')
  const clock = new FakeClock(Date.now() + 25 * DAY) // already due
  const log = memoryLogger()
  const renewer = new CertRenewer({
    ...{ path: joinPath(dir, 'pi-22', 'node.pem'), node: 'pi-22', caCert: c.caCert, ips: [] },
    ...{ sign: planeSigner(httpsFetch({ ca: c.caCert }), { ...c, token: 'stolen' }) },
    ...{ clock, log, retry: { initialMs: 1000, maxMs: 1000 } },
  })
  renewer.start()
  await renewer.settled()
  clock.advance(0)
  await renewer.settled()
  assert.ok(
    log.lines.some(
      (l) => l.msg.includes('renewal failed') && String(l.fields?.error).includes('HTTP 401'),
    ),
    JSON.stringify(log.lines),
  )
  assert.is(nodePem('pi-22').cert.fingerprint256, first.cert.fingerprint256)
  clock.advance(1000)
  await renewer.settled()
  assert.equal(requests.filter((r) => r.endsWith('node-certificate')).length, 2)
  renewer.stop()
})

test('a CA with another hash is refused before the token is sent', async () => {
  const err = await joinPlane(opts('pi-08', { caCertHash: `sha256:${'ab'.repeat(32)}` })).catch(
    (e) => e,
  )
  assert.is(err.code, 'Forbidden')
  assert.match(err.message, `has hash ${caCertHash(pki.caCert)}, not sha256:abab`)
  assert.equal(requests, ['GET /shoal/v1/ca'])
  assert.is(await loadCredentials(joinPath(dir, 'pi-08'), memoryLogger()), undefined)
})

test('no hash is refused unless the check is skipped on purpose (and then said so)', async () => {
  const err = await joinPlane(opts('pi-09', { caCertHash: undefined })).catch((e) => e)
  assert.match(err.message, '--ca-cert-hash sha256:<hex> is needed')
  assert.equal(requests, [])
  const log = memoryLogger()
  const c = await joinPlane(
    opts('pi-09', { caCertHash: undefined, insecureSkipCaVerification: true, log }),
  )
  assert.is(c.token, 'token-of-pi-09')
  assert.ok(log.lines.some((l) => l.level === 'warn' && l.msg.includes('without verifying')))
})

test('a wrong join token, an http URL, a bad name, another node in the same dir: clear refusals', async () => {
  const bad = await joinPlane(opts('pi-10', { token: 'nope' })).catch((e) => e)
  assert.equal(
    [bad.code, bad.message],
    [
      'Unauthorized',
      'join: the plane refused to join "pi-10": HTTP 401 {"message":"bad join token"}',
    ],
  )
  const http = await joinPlane(opts('pi-10', { plane: url.replace('https', 'http') })).catch(
    (e) => e,
  )
  assert.match(http.message, 'must be an https:// URL')
  const name = await joinPlane(opts('Pi_10')).catch((e) => e)
  assert.match(name.message, 'is no node name')
  const taken = await joinPlane({ ...opts('pi-11'), dataDir: joinPath(dir, 'pi-07') }).catch(
    (e) => e,
  )
  assert.equal(taken.code, 'Conflict')
  assert.match(taken.message, 'already holds the credentials of node "pi-07"')
})

test.run()
