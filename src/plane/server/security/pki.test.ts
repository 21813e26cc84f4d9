import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError } from '../../../core/index.ts'
import { caCertHash, ensurePki } from './pki.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'shoal-pki-'))
const ca = (pem: string) => new X509Certificate(pem)

test('first start creates a CA and a serving certificate signed by it, keys 0600', () => {
  const dir = tmp()
  const pki = ensurePki(dir, { hostname: 'pi-1', sans: ['10.0.0.7', 'plane.example'] })
  assert.is(pki.outcome, 'created')
  const caCert = ca(pki.caCert)
  const server = new X509Certificate(pki.serverCert)
  assert.ok(caCert.ca)
  assert.match(caCert.subject, 'CN=shoal-ca')
  assert.ok(server.verify(caCert.publicKey))
  assert.not.ok(server.ca)
  for (const ip of ['127.0.0.1', '::1', '10.0.0.7']) assert.is(server.checkIP(ip), ip)
  for (const host of ['localhost', 'pi-1', 'plane.example']) assert.is(server.checkHost(host), host)
  const years = (pem: string) => (Date.parse(ca(pem).validTo) - Date.now()) / (365 * 864e5)
  assert.ok(years(pki.caCert) > 9.9 && years(pki.serverCert) > 0.99 && years(pki.serverCert) < 1.01)
  for (const f of ['ca.key', 'server.key'])
    assert.is(statSync(join(dir, 'pki', f)).mode & 0o777, 0o600)
  assert.is(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), pki.caCert)
  rmSync(dir, { recursive: true })
})

test('a second start reuses the same files byte for byte', () => {
  const dir = tmp()
  const first = ensurePki(dir, { hostname: 'pi-1' })
  const second = ensurePki(dir, { hostname: 'pi-1' })
  assert.is(second.outcome, 'reused')
  assert.equal({ ...second, outcome: 'x' }, { ...first, outcome: 'x' })
  rmSync(dir, { recursive: true })
})

test('a new SAN remakes the serving certificate and keeps the CA', () => {
  const dir = tmp()
  const first = ensurePki(dir, { hostname: 'pi-1' })
  const second = ensurePki(dir, { hostname: 'pi-1', sans: ['192.168.1.50', '[fd00::5]'] })
  assert.is(second.outcome, 'renewed')
  assert.is(second.caCert, first.caCert)
  assert.is.not(second.serverCert, first.serverCert)
  const server = new X509Certificate(second.serverCert)
  assert.ok(server.verify(ca(first.caCert).publicKey))
  assert.is(server.checkIP('192.168.1.50'), '192.168.1.50')
  assert.is(server.checkIP('fd00::5'), 'fd00::5')
  assert.is(ensurePki(dir, { hostname: 'pi-1', sans: ['192.168.1.50'] }).outcome, 'reused')
  rmSync(dir, { recursive: true })
})

test('a serving certificate within 30 days of expiry is renewed under the same CA', () => {
  const dir = tmp()
  const first = ensurePki(dir, { hostname: 'pi-1' })
  const later = new Date(Date.now() + 340 * 864e5)
  const second = ensurePki(dir, { hostname: 'pi-1', now: () => later })
  assert.is(second.outcome, 'renewed')
  assert.is(second.caCert, first.caCert)
  assert.ok(Date.parse(ca(second.serverCert).validTo) > later.getTime() + 360 * 864e5)
  rmSync(dir, { recursive: true })
})

test('a damaged CA is reported, never silently replaced; a damaged server cert is remade', () => {
  const dir = tmp()
  const first = ensurePki(dir, { hostname: 'pi-1' })
  writeFileSync(join(dir, 'pki', 'server.crt'), 'garbage')
  const second = ensurePki(dir, { hostname: 'pi-1' })
  assert.is(second.outcome, 'renewed')
  assert.is(second.caCert, first.caCert)
  unlinkSync(join(dir, 'pki', 'ca.key'))
  try {
    ensurePki(dir, { hostname: 'pi-1' })
    assert.unreachable()
  } catch (err) {
    assert.ok(isShoalError(err, 'Corrupt'))
    assert.match((err as Error).message, 'ca.key is missing')
  }
  rmSync(dir, { recursive: true })
})

test('a real TLS handshake on 127.0.0.1 succeeds with only the CA trusted', async () => {
  const dir = tmp()
  const pki = ensurePki(dir, { hostname: 'pi-1' })
  const server = createServer({ cert: pki.serverCert, key: pki.serverKey }, (_req, res) =>
    res.end('ok'),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const get = (ca: string) =>
    new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/', ca }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c))
        res.on('end', () => resolve(body))
      })
        .on('error', reject)
        .end()
    })
  try {
    assert.is(await get(pki.caCert), 'ok')
    const other = ensurePki(tmp(), { hostname: 'pi-2' })
    const refused = await get(other.caCert).then(
      () => undefined,
      (err: Error) => err,
    )
    assert.ok(refused instanceof Error, 'a foreign CA must not verify')
  } finally {
    server.close()
    rmSync(dir, { recursive: true })
  }
})

test("caCertHash is sha256 of the CA certificate's DER, the same however the PEM is wrapped", () => {
  const dir = tmp()
  const { caCert } = ensurePki(dir)
  const b64 = caCert.replace(/-----[^-]+-----|\s/g, '')
  const want = `sha256:${createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex')}`
  assert.is(caCertHash(caCert), want)
  assert.is(caCertHash(caCert.replace(/\n/g, '\r\n')), want)
  assert.throws(() => caCertHash('not a certificate'))
  rmSync(dir, { recursive: true })
})

test.run()
