// The node's own key and certificate, in <dataDir>/node.pem (0600: the certificate, then the
// private key), as the kubelet keeps kubelet-client-current.pem. The key is made here and never
// leaves the node: the plane gets a PKCS#10 request (CN=system:node:<name>, O=system:nodes,
// subjectAltName the node's name and its IPs) and answers the certificate its CA signed.
// Renewal (CertificateRenewer): at 2/3 of the certificate's life, with a new key, over the
// node's authenticated request (POST /shoal/v1/node-certificate); retried with back-off while
// the plane cannot be reached. A missing or unreadable node.pem is requested at start.
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { readFile } from 'node:fs/promises'
import {
  loadX509,
  NODE_KEY_ALGORITHM,
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

/** a new key pair and the request it signs for node `node` at these IPs */
export async function makeNodeRequest(node: string, ips: readonly string[]): Promise<NodeRequest> {
  const x509 = await loadX509()
  const keys = (await webcrypto.subtle.generateKey(NODE_KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${nodeCommonName(node)}, O=${NODE_ORGANIZATION}`,
    keys,
    signingAlgorithm: NODE_KEY_ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: node },
        ...certificateIps(ips).map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  })
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)
  return { keyPem: toPem(pkcs8, 'PRIVATE KEY'), csrPem: csr.toString('pem') }
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
