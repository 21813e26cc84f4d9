import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { X509Certificate } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, request } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, isShoalError } from '../../../core/index.ts'
import { authorize, ensureSecurity, type Kubeconfig } from './index.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'shoal-security-'))

test('first start makes every file (secrets 0600) and logs no token; a restart changes nothing', () => {
  const dir = tmp()
  const lines: string[] = []
  const logger = createLogger('security', { sink: (l) => lines.push(JSON.stringify(l)) })
  const first = ensureSecurity(dir, {
    serverUrl: 'https://plane.example:6443',
    sans: ['0.0.0.0'],
    hostname: 'pi_1',
    logger,
  })
  for (const f of [
    'pki/ca.key',
    'pki/server.key',
    'tokens.json',
    'admin.kubeconfig',
    'secret-keys.json',
  ]) {
    assert.is(statSync(join(dir, f)).mode & 0o777, 0o600, f)
  }
  const config = JSON.parse(readFileSync(first.adminKubeconfig, 'utf8')) as Kubeconfig
  const token = config.users[0]!.user.token
  assert.is(first.tokens.authenticate(`Bearer ${token}`)?.role, 'admin')
  assert.ok(lines.length >= 2)
  assert.not.ok(lines.join('\n').includes(token), 'no token in logs')
  assert.is(
    new X509Certificate(first.tls.cert).checkHost('plane.example'),
    'plane.example',
    'the URL host is a SAN',
  )
  const second = ensureSecurity(dir, { serverUrl: 'https://plane.example:6443', hostname: 'pi_1' })
  assert.equal(second.tls, first.tls)
  assert.is(
    readFileSync(second.adminKubeconfig, 'utf8'),
    readFileSync(first.adminKubeconfig, 'utf8'),
  )
  assert.is(second.secrets.primaryKeyId(), first.secrets.primaryKeyId())
  rmSync(dir, { recursive: true })
})

test('a plain http server URL is refused: kubectl would send no token', () => {
  const dir = tmp()
  assert.throws(
    () => ensureSecurity(dir, { serverUrl: 'http://127.0.0.1:8080' }),
    (err: unknown) => isShoalError(err, 'Invalid'),
  )
  assert.not.ok(existsSync(join(dir, 'admin.kubeconfig')))
  rmSync(dir, { recursive: true })
})

test('an https server on localhost: only the CA trusted, bearer token in, decision out', async () => {
  const dir = tmp()
  const sec = ensureSecurity(dir, { serverUrl: 'https://localhost:6443' })
  const viewerToken = sec.tokens.issue({ user: 'val', role: 'viewer' })
  const server = createServer(sec.tls, (req, res) => {
    const user = sec.tokens.authenticate(req.headers.authorization)
    if (!user) return res.writeHead(401).end()
    const decision = authorize(user, {
      verb: 'get',
      group: '',
      resource: 'secrets',
      namespace: 'default',
      name: 'db',
    })
    res.writeHead(decision.allowed ? 200 : 403).end(decision.allowed ? 'ok' : decision.reason)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const get = (token?: string) =>
    new Promise<string>((resolve, reject) => {
      const headers = token ? { authorization: `Bearer ${token}` } : undefined
      request(
        { host: '127.0.0.1', servername: 'localhost', port, ca: sec.caCert, headers },
        (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c))
          res.on('end', () => resolve(`${res.statusCode} ${body}`))
        },
      )
        .on('error', reject)
        .end()
    })
  try {
    assert.is(await get(), '401 ')
    assert.is(await get('shoal_nope'), '401 ')
    assert.is(
      await get(viewerToken),
      '403 User "val" cannot get resource "secrets" in API group "" in the namespace "default": viewers may not read secrets',
    )
  } finally {
    server.close()
    rmSync(dir, { recursive: true })
  }
})

test.run()
