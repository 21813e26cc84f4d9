// The node's own key and certificate, in <dataDir>/node.pem (0600: the certificate, then the
// private key), as the kubelet keeps kubelet-client-current.pem. The key is made here and never
// leaves the node: the plane gets a PKCS#10 request (CN=system:node:<name>, O=system:nodes,
// subjectAltName the node's name and its IPs) and answers the certificate its CA signed.
// Renewal (CertificateRenewer): at 2/3 of the certificate's life, with a new key, over the
// node's authenticated request (POST /shoal/v1/node-certificate); retried with back-off while
// the plane cannot be reached. A missing or unreadable node.pem is requested at start.
import { createPrivateKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { readFile } from 'node:fs/promises'
import {
  der,
  NODE_ORGANIZATION,
  nodeCommonName,
  ShoalError,
  toPem,
  writeFileAtomic,
} from '../core/index.ts'

export interface NodeRequest {
  /** PKCS#8 PEM of the new private key: for node.pem, never for the wire */
  keyPem: string
  /** the PKCS#10 request, PEM */
  csrPem: string
}

/** IPs worth naming in a certificate: not loopback or unspecified (the plane refuses those) */
export function certificateIps(addresses: readonly string[]): string[] {
  const local = /^(127\.|0\.0\.0\.0$|::1?$)/
  return [...new Set(addresses.filter((a) => isIP(a) && !local.test(a)))]
}

/** IPv4 or IPv6 text → the 4 or 16 bytes of an iPAddress GeneralName */
function ipBytes(ip: string): Uint8Array {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split('.').map(Number))
  const [head, tail = ''] = ip.split('::')
  const groups = (g: string) => (g ? g.split(':') : [])
  const h = groups(head)
  const t = groups(tail)
  const all = ip.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : h
  return Uint8Array.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]))
}

/**
 * A new key pair and the PKCS#10 request (RFC 2986) it signs for node `node` at these IPs:
 * subject CN=system:node:<name>, O=system:nodes; an extensionRequest with subjectAltName (the
 * node's name, its IPs); ECDSA P-256 with SHA-256. Encoded here with the DER encoder the plane's
 * CA uses (making a request is a few fixed fields; reading one, which the plane does with
 * @peculiar/x509, is where a parser earns its keep): the agent never loads an X.509 library,
 * which would stay in its memory for good (≈ 15 MB).
 */
export async function makeNodeRequest(node: string, ips: readonly string[]): Promise<NodeRequest> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const rdn = (oid: string, value: string) =>
    der.set(der.sequence(der.objectId(oid), der.utf8String(value)))
  const subject = der.sequence(
    rdn('2.5.4.3', nodeCommonName(node)),
    rdn('2.5.4.10', NODE_ORGANIZATION),
  )
  const names = der.sequence(
    der.implicit(2, new TextEncoder().encode(node)), // dNSName
    ...certificateIps(ips).map((ip) => der.implicit(7, ipBytes(ip))), // iPAddress
  )
  const extensionRequest = der.sequence(
    der.objectId('1.2.840.113549.1.9.14'),
    der.set(der.sequence(der.sequence(der.objectId('2.5.29.17'), der.octetString(names)))),
  )
  const info = der.sequence(
    der.smallInteger(0),
    subject,
    new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    der.explicit(0, extensionRequest), // attributes [0] IMPLICIT SET OF: a constructed [0]
  )
  const signature = sign('sha256', info, { key: privateKey, dsaEncoding: 'der' })
  const csr = der.sequence(
    info,
    der.sequence(der.objectId('1.2.840.10045.4.3.2')), // ecdsa-with-SHA256
    der.bitString(new Uint8Array(signature)),
  )
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  return { keyPem, csrPem: toPem(csr, 'CERTIFICATE REQUEST') }
}

/** the plane's answer is a certificate for this key and node, signed by the CA; or Invalid */
export function checkIssued(o: { certPem: string; keyPem: string; node: string; caCert: string }) {
  const bad = (why: string) =>
    new ShoalError('Invalid', `node certificate: the plane's certificate ${why}`)
  let cert: X509Certificate
  try {
    cert = new X509Certificate(o.certPem)
  } catch {
    throw bad('does not parse')
  }
  if (!cert.checkPrivateKey(createPrivateKey(o.keyPem))) throw bad("is not for this node's key")
  if (!cert.verify(new X509Certificate(o.caCert).publicKey)) throw bad('is not signed by the CA')
  if (!cert.subject.split('\n').includes(`CN=${nodeCommonName(o.node)}`))
    throw bad(`names ${cert.subject.replace(/\n/g, ', ')}, not ${nodeCommonName(o.node)}`)
  return cert
}

export interface NodeCertificate {
  cert: X509Certificate
  certPem: string
  keyPem: string
}

export async function saveNodeCertificate(path: string, certPem: string, keyPem: string) {
  await writeFileAtomic(path, `${certPem.trimEnd()}\n${keyPem.trimEnd()}\n`)
}

/** node.pem as saved; undefined when missing or unreadable (it is requested again) */
export async function readNodeCertificate(path: string): Promise<NodeCertificate | undefined> {
  try {
    const text = await readFile(path, 'utf8')
    const certPem = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/.exec(text)?.[0]
    const keyPem = /-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n/.exec(text)?.[0]
    if (!certPem || !keyPem) return undefined
    const cert = new X509Certificate(certPem)
    return cert.checkPrivateKey(createPrivateKey(keyPem)) ? { cert, certPem, keyPem } : undefined
  } catch {
    return undefined
  }
}

/** when a certificate is due for renewal: 2/3 of the way through its validity (epoch ms) */
export function renewalDue(cert: { validFrom: string; validTo: string }): number {
  const from = Date.parse(cert.validFrom)
  return from + ((Date.parse(cert.validTo) - from) * 2) / 3
}
