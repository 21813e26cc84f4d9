// The agent's join against a real HTTPS server holding the plane's PKI (ensurePki): the CA is
// pinned by hash, the join token traded for credentials kept 0600 in a 0700 data dir.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { caCertHash, joinPlane, loadCredentials } from '../../src/node-agent/index.ts'
import {
  caCertHash as planeCaCertHash,
  ensurePki,
  type Pki,
} from '../../src/plane/server/security/index.ts'

let dir = ''
let pki: Pki
let server: Server
let url = ''
let requests: string[] = []

test.before(async () => {
  dir = mkdtempSync(joinPath(tmpdir(), 'shoal-join-'))
  pki = ensurePki(joinPath(dir, 'plane'), { sans: ['127.0.0.1'] })
  server = createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
    requests.push(`${req.method} ${req.url}`)
    if (req.method === 'GET' && req.url === '/shoal/v1/ca') return res.end(pki.caCert)
    if (req.method !== 'POST' || req.url !== '/shoal/v1/join') return res.writeHead(404).end()
    if (req.headers.authorization !== 'Bearer join-token')
      return res.writeHead(401).end('{"message":"bad join token"}')
    let body = ''
    req.on('data', (d: Buffer) => (body += d))
    req.on('end', () => {
      const { node } = JSON.parse(body) as { node: string }
      res.setHeader('content-type', 'application/json')
      res.end(
        JSON.stringify({
          node,
          token: `token-of-${node}`,
          caCert: pki.caCert,
          mqtt: 'mqtts://127.0.0.1:8883',
        }),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.before.each(() => {
  requests = []
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
