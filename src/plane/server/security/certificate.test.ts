import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { X509Certificate } from 'node:crypto'
import { isShoalError } from '../../../core/index.ts'
import { buildCertificate, generateKeyPair, normalizeSan } from './certificate.ts'

const ca = generateKeyPair()
const issuer = { commonName: 'test-ca', ...ca }
const caPem = buildCertificate({
  commonName: 'test-ca',
  publicKey: ca.publicKey,
  issuer,
  notBefore: new Date('2026-01-01T00:00:00Z'),
  notAfter: new Date('2060-01-01T00:00:00Z'),
  ca: true,
})

test('a self-signed CA parses, is a CA, verifies itself and carries GeneralizedTime past 2049', () => {
  const x = new X509Certificate(caPem)
  assert.ok(x.ca)
  assert.ok(x.verify(ca.publicKey))
  assert.is(x.issuer, x.subject)
  assert.is(Date.parse(x.validTo), Date.parse('2060-01-01T00:00:00Z'))
  assert.ok(x.checkIssued(x))
})

test('a leaf lists DNS and IP SANs (v4, v6, v4-mapped) and is issued by the CA', () => {
  const leaf = generateKeyPair()
  const pem = buildCertificate({
    commonName: 'leaf',
    publicKey: leaf.publicKey,
    issuer,
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 864e5),
    ca: false,
    sans: ['Pi-7.Local.', '10.1.2.3', '[fd00::1:2]', '::ffff:192.168.0.1', 'fe80::1%eth0'],
  })
  const x = new X509Certificate(pem)
  assert.not.ok(x.ca)
  assert.ok(x.checkIssued(new X509Certificate(caPem)))
  assert.ok(x.verify(ca.publicKey))
  assert.ok(x.checkPrivateKey(leaf.privateKey))
  assert.is(x.checkHost('pi-7.local'), 'pi-7.local')
  for (const ip of ['10.1.2.3', 'fd00::1:2', '::ffff:192.168.0.1', 'fe80::1'])
    assert.is(x.checkIP(ip), ip)
  assert.is(x.checkIP('10.1.2.4'), undefined)
  assert.equal(x.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
})

test('names that are neither IPs nor DNS names are refused', () => {
  for (const bad of ['my_pi', 'a b', '-lead', 'x'.repeat(64) + '.com', '']) {
    assert.throws(
      () => normalizeSan(bad),
      (err: unknown) => isShoalError(err, 'Invalid'),
      bad,
    )
  }
  assert.is(normalizeSan('[::1]'), '::1')
})

test.run()
