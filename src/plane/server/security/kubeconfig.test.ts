import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureAdminKubeconfig, type Kubeconfig } from './kubeconfig.ts'
import { ensurePki } from './pki.ts'
import { createTokenStore } from './tokens.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'shoal-kubeconfig-'))
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Kubeconfig

test('first start writes an admin kubeconfig (0600) whose token authenticates as admin', () => {
  const dir = tmp()
  const tokens = createTokenStore(dir)
  const result = ensureAdminKubeconfig(dir, {
    server: 'https://127.0.0.1:6443',
    caCert: 'CA PEM',
    tokens,
  })
  assert.ok(result.issued)
  assert.is(result.path, join(dir, 'admin.kubeconfig'))
  assert.is(statSync(result.path).mode & 0o777, 0o600)
  const config = read(result.path)
  assert.is(config.kind, 'Config')
  assert.is(config['current-context'], 'shoal')
  assert.equal(config.contexts, [
    { name: 'shoal', context: { cluster: 'shoal', user: 'shoal-admin', namespace: 'default' } },
  ])
  assert.is(config.clusters[0]!.name, 'shoal')
  assert.is(config.clusters[0]!.cluster.server, 'https://127.0.0.1:6443')
  assert.is(
    Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(),
    'CA PEM',
  )
  const user = config.users[0]!
  assert.is(user.name, 'shoal-admin')
  assert.equal(tokens.authenticate(`Bearer ${user.user.token}`)?.role, 'admin')
  rmSync(dir, { recursive: true })
})

test('a restart keeps the token; a new server URL updates the file; a lost file revokes the old token', () => {
  const dir = tmp()
  const tokens = createTokenStore(dir)
  const opts = { server: 'https://127.0.0.1:6443', caCert: 'CA', tokens }
  const first = ensureAdminKubeconfig(dir, opts)
  const token = read(first.path).users[0]!.user.token
  assert.not.ok(ensureAdminKubeconfig(dir, opts).issued)
  assert.not.ok(ensureAdminKubeconfig(dir, { ...opts, server: 'https://10.0.0.7:6443' }).issued)
  assert.is(read(first.path).clusters[0]!.cluster.server, 'https://10.0.0.7:6443')
  assert.is(read(first.path).users[0]!.user.token, token)
  rmSync(first.path)
  assert.ok(ensureAdminKubeconfig(dir, opts).issued)
  assert.is(tokens.authenticate(`Bearer ${token}`), undefined)
  assert.equal(
    tokens.list().map((t) => t.user),
    ['shoal-admin'],
  )
  rmSync(dir, { recursive: true })
})

test('stock kubectl trusts the CA and sends the token (when kubectl is installed)', async () => {
  const dir = tmp()
  const pki = ensurePki(dir, { hostname: 'pi-1' })
  const tokens = createTokenStore(dir)
  const seen: string[] = []
  const server = createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
    const user = tokens.authenticate(req.headers.authorization)
    seen.push(`${req.url} ${user?.name ?? 'anonymous'}`)
    res.writeHead(user ? 200 : 401, { 'content-type': 'application/json' })
    res.end(
      req.url?.startsWith('/version')
        ? '{"major":"1","minor":"32","gitVersion":"v1.32.4"}'
        : user
          ? 'ok'
          : '{}',
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const { path } = ensureAdminKubeconfig(dir, {
    server: `https://127.0.0.1:${port}`,
    caCert: pki.caCert,
    tokens,
  })
  const env = { PATH: process.env.PATH ?? '', HOME: dir }
  const run = () =>
    new Promise<{ code: number | string; out: string }>((resolve) =>
      execFile(
        'kubectl',
        ['--kubeconfig', path, '--cache-dir', join(dir, 'cache'), 'get', '--raw', '/healthz'],
        { env, timeout: 30_000 },
        (err, stdout, stderr) =>
          resolve({ code: (err as NodeJS.ErrnoException | null)?.code ?? 0, out: stdout + stderr }),
      ),
    )
  try {
    const { code, out } = await run()
    if (code === 'ENOENT') return console.log('  (kubectl not installed: skipped)')
    assert.is(code, 0, out)
    assert.is(out.trim(), 'ok')
    assert.ok(seen.includes('/healthz shoal-admin'), seen.join('\n'))
  } finally {
    server.close()
    rmSync(dir, { recursive: true })
  }
})

test.run()
