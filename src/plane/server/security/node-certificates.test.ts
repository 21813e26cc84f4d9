import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { X509Certificate, webcrypto } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError, loadX509, NODE_KEY_ALGORITHM, type X509 } from '../../../core/index.ts'
import { createNodeSigner, type NodeSigner } from './node-certificates.ts'
import { ensurePki, type Pki } from './pki.ts'

let dir = ''
let pki: Pki
let signer: NodeSigner
let x509: X509
const NOW = Date.parse('2030-01-01T00:00:00Z')
const DAY = 24 * 60 * 60 * 1000

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-node-certs-'))
  pki = ensurePki(dir, { sans: ['10.0.0.1'], hostname: 'plane', now: () => new Date(NOW) })
  signer = createNodeSigner({
    ...{ caCert: pki.caCert, caKey: pki.caKey, reservedSans: pki.sans },
    ...{ lifetimeMs: 30 * DAY, now: () => NOW },
  })
  x509 = await loadX509()
})
test.after(() => rmSync(dir, { recursive: true, force: true }))

interface CsrSpec {
  name?: string
  names?: { type: 'dns' | 'ip' | 'email'; value: string }[]
  extensions?: InstanceType<X509['Extension']>[]
  curve?: 'P-256' | 'P-384'
}

async function csr(spec: CsrSpec = {}): Promise<string> {
  const alg = { ...NODE_KEY_ALGORITHM, namedCurve: spec.curve ?? 'P-256' }
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair
  const names = spec.names ?? [
    { type: 'dns', value: 'pi-07' },
    { type: 'ip', value: '192.168.1.7' },
  ]
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: spec.name ?? 'CN=system:node:pi-07, O=system:nodes',
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension(names), ...(spec.extensions ?? [])],
  })
  return req.toString('pem')
}

async function refused(pem: string, words: RegExp, node = 'pi-07') {
  try {
    await signer.sign(pem, node)
  } catch (err) {
    assert.ok(isShoalError(err, 'Invalid'), String(err))
    assert.match((err as Error).message, words)
    assert.match((err as Error).message, `node "${node}"`)
    return
  }
  assert.unreachable('the request was signed')
}

test('a good request is signed: chains to the CA, CN/O as the kubelet, SANs, both EKUs, no CA', async () => {
  const pem = await signer.sign(await csr(), 'pi-07')
  const cert = new X509Certificate(pem)
  const ca = new X509Certificate(pki.caCert)
  assert.ok(cert.verify(ca.publicKey))
  assert.ok(cert.checkIssued(ca))
  assert.is(cert.subject, 'CN=system:node:pi-07\nO=system:nodes')
  assert.is(cert.issuer, ca.subject)
  assert.is(cert.subjectAltName, 'DNS:pi-07, IP Address:192.168.1.7')
  assert.equal(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']) // serverAuth, clientAuth
  assert.is(cert.ca, false)
  assert.is(Date.parse(cert.validTo), NOW + 30 * DAY)
  assert.ok(Date.parse(cert.validFrom) < NOW)
  const parsed = new x509.X509Certificate(pem)
  const ku = parsed.getExtension(x509.KeyUsagesExtension)!
  assert.is(ku.usages, x509.KeyUsageFlags.digitalSignature)
  assert.ok(ku.critical)
  assert.ok(parsed.getExtension(x509.AuthorityKeyIdentifierExtension))
  assert.ok(parsed.getExtension(x509.SubjectKeyIdentifierExtension))
})

test("the plane's own addresses are left out of a node's certificate", async () => {
  const pem = await signer.sign(
    await csr({
      names: [
        { type: 'dns', value: 'pi-07' },
        { type: 'ip', value: '10.0.0.1' },
      ],
    }),
    'pi-07',
  )
  assert.is(new X509Certificate(pem).subjectAltName, 'DNS:pi-07')
})

test('a subject other than CN=system:node:<the node>, O=system:nodes is refused', async () => {
  await refused(await csr({ name: 'CN=system:node:pi-08, O=system:nodes' }), /subject must be/)
  await refused(await csr({ name: 'CN=system:node:pi-07' }), /subject must be exactly/)
  await refused(await csr({ name: 'CN=pi-07, O=system:nodes' }), /not "CN=pi-07/)
  await refused(await csr({ name: 'CN=system:node:pi-07, O=system:masters' }), /subject/)
  await refused(
    await csr({ name: 'CN=system:node:pi-07, O=system:nodes, OU=x' }),
    /subject must be exactly/,
  )
  await refused(await csr(), /subject must be/, 'pi-08')
})

test('a request whose signature does not verify is refused', async () => {
  const der = Buffer.from(
    (await csr()).replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''),
    'base64',
  )
  der[der.length - 1] ^= 0x01 // the signature's last byte
  const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`
  await refused(pem, /signature does not verify/)
})

test('key usages, CA and extended usages beyond a node client/server are refused', async () => {
  const F = x509.KeyUsageFlags
  await refused(
    await csr({ extensions: [new x509.KeyUsagesExtension(F.digitalSignature | F.keyCertSign)] }),
    /key usage beyond digitalSignature/,
  )
  await refused(
    await csr({ extensions: [new x509.BasicConstraintsExtension(true, 0, true)] }),
    /asks to be a CA/,
  )
  await refused(
    await csr({ extensions: [new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3'])] }),
    /extended key usage 1\.3\.6\.1\.5\.5\.7\.3\.3/,
  )
  const ok = await csr({
    extensions: [
      new x509.KeyUsagesExtension(F.digitalSignature | F.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2']),
      new x509.BasicConstraintsExtension(false),
    ],
  })
  assert.ok(new X509Certificate(await signer.sign(ok, 'pi-07')))
})

test('names a node may not claim, other keys and garbage are refused', async () => {
  const names = (value: string, type: 'dns' | 'ip' | 'email' = 'dns') => [
    { type: 'dns' as const, value: 'pi-07' },
    { type, value },
  ]
  await refused(await csr({ names: names('plane') }), /DNS name "plane" is not the node's name/)
  await refused(await csr({ names: names('127.0.0.1', 'ip') }), /127\.0\.0\.1 is a loopback/)
  await refused(await csr({ names: names('0.0.0.0', 'ip') }), /is unspecified/)
  await refused(await csr({ names: names('a@b.c', 'email') }), /email name/)
  await refused(await csr({ curve: 'P-384' }), /ECDSA P-256, not ECDSA P-384/)
  await refused('hello', /not a PEM PKCS#10 request/)
  await refused(
    '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
    /does not parse/,
  )
})

test.run()
