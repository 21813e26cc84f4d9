// Node certificates: the plane checks a node's PKCS#10 request and signs it with its CA, as
// Kubernetes' kube-apiserver-client-kubelet signer does for kubelets — and, so the mesh can use
// the same certificate both ways for mutual TLS, with serverAuth beside clientAuth.
// A request is taken only when: it parses; its signature verifies with the key it carries (the
// node holds the private key); the key is ECDSA P-256; the subject is exactly
// CN=system:node:<the node>, O=system:nodes; it asks for no extension but subjectAltName, keyUsage
// (digitalSignature, keyEncipherment), extKeyUsage (serverAuth, clientAuth) and basicConstraints
// without CA; its DNS names are the node's name and its IPs are no loopback, unspecified or
// multicast address. Anything else is refused with the reason named (InvalidError).
// The certificate: the request's subject and key; SANs the node's name and the IPs asked for,
// less the plane's own (a node on the plane's host may not serve as the plane to other nodes);
// keyUsage digitalSignature (critical), extKeyUsage serverAuth + clientAuth, basicConstraints
// CA:false (critical), subject and authority key ids; valid from an hour ago (edge clocks lag)
// for `lifetimeMs` (default a year), never past the CA's own end.
import { createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto'
import { isIP } from 'node:net'
import {
  InvalidError,
  loadX509,
  NODE_KEY_ALGORITHM,
  NODE_ORGANIZATION,
  nodeCommonName,
  type X509,
} from '../../../core/index.ts'

const HOUR = 60 * 60 * 1000
export const NODE_CERT_LIFETIME_MS = 365 * 24 * HOUR

type Csr = InstanceType<X509['Pkcs10CertificateRequest']>
type Extension = InstanceType<X509['Extension']>

const OID = {
  subjectAltName: '2.5.29.17',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
}

export interface NodeSignerOptions {
  /** PEM of the CA certificate, and its private key */
  caCert: string
  caKey: KeyObject | string
  /** addresses and names of the plane itself, which no node certificate may claim */
  reservedSans?: readonly string[]
  lifetimeMs?: number
  now?: () => number
}

export interface NodeSigner {
  /** the PEM certificate for node `node`'s request (PEM), or InvalidError naming what is wrong */
  sign(csrPem: string, node: string): Promise<string>
}

export function createNodeSigner(o: NodeSignerOptions): NodeSigner {
  const reserved = new Set((o.reservedSans ?? []).map((s) => s.toLowerCase()))
  const lifetime = o.lifetimeMs ?? NODE_CERT_LIFETIME_MS
  const now = o.now ?? Date.now
  const key = typeof o.caKey === 'string' ? createPrivateKey(o.caKey) : o.caKey
  let signingKey: Promise<CryptoKey> | undefined
  return {
    async sign(csrPem, node) {
      const x509 = await loadX509()
      const { csr, ips: asked } = await checkNodeCsr(csrPem, node)
      const ips = asked.filter((ip) => !reserved.has(ip.toLowerCase()))
      const ca = new x509.X509Certificate(o.caCert)
      signingKey ??= webcrypto.subtle.importKey(
        'pkcs8',
        key.export({ type: 'pkcs8', format: 'der' }),
        NODE_KEY_ALGORITHM,
        false,
        ['sign'],
      ) as Promise<CryptoKey>
      const t = now()
      const notAfter = Math.min(t + lifetime, ca.notAfter.getTime())
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: csr.subjectName,
        issuer: ca.subjectName,
        notBefore: new Date(t - HOUR),
        notAfter: new Date(notAfter),
        publicKey: csr.publicKey,
        signingKey: await signingKey,
        signingAlgorithm: NODE_KEY_ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([OID.serverAuth, OID.clientAuth]),
          new x509.SubjectAlternativeNameExtension([
            { type: 'dns', value: node },
            ...ips.map((value) => ({ type: 'ip' as const, value })),
          ]),
          await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
          await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
        ],
      })
      return cert.toString('pem') + '\n'
    },
  }
}

/** 16 random bytes, positive, as hex */
function serial(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x40
  return bytes.toString('hex')
}

const refuse = (node: string, why: string) =>
  new InvalidError(`csr: the certificate request of node "${node}" is refused: ${why}`, [
    { field: 'csr', message: why },
  ])

/** the request, parsed and checked, with the IP addresses it may have; InvalidError otherwise */
export async function checkNodeCsr(
  pem: string,
  node: string,
): Promise<{ csr: Csr; ips: string[] }> {
  const x509 = await loadX509()
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE REQUEST-----'))
    throw refuse(node, 'it is not a PEM PKCS#10 request (BEGIN CERTIFICATE REQUEST)')
  let csr: Csr
  try {
    csr = new x509.Pkcs10CertificateRequest(pem)
  } catch (cause) {
    throw refuse(node, `it does not parse: ${(cause as Error).message}`)
  }
  const alg = csr.publicKey.algorithm as EcKeyAlgorithm
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256')
    throw refuse(node, `its key must be ECDSA P-256, not ${alg.name} ${alg.namedCurve ?? ''}`)
  const signed = await csr.verify().catch(() => false)
  if (!signed) throw refuse(node, 'its signature does not verify with the key it carries')
  checkSubject(csr, node)
  const ips = checkExtensions(x509, csr.extensions, node)
  return { csr, ips }
}

function checkSubject(csr: Csr, node: string): void {
  const want = `CN=${nodeCommonName(node)}, O=${NODE_ORGANIZATION}`
  const fields = csr.subjectName.toJSON().flatMap((rdn) => Object.entries(rdn))
  const values = (type: string) => fields.filter(([t]) => t === type).flatMap(([, v]) => v)
  const ok =
    fields.length === 2 &&
    fields.every(([, v]) => v.length === 1) &&
    values('CN').join() === nodeCommonName(node) &&
    values('O').join() === NODE_ORGANIZATION
  if (!ok) throw refuse(node, `its subject must be exactly "${want}", not "${csr.subject}"`)
}

/** the IPs the request names; refuses any extension or name it may not ask for */
function checkExtensions(x509: X509, extensions: readonly Extension[], node: string): string[] {
  const ips: string[] = []
  for (const ext of extensions) {
    switch (ext.type) {
      case OID.keyUsage: {
        const allowed = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
        const usages = new x509.KeyUsagesExtension(ext.rawData).usages
        if (usages & ~allowed)
          throw refuse(node, 'it asks for a key usage beyond digitalSignature and keyEncipherment')
        break
      }
      case OID.extKeyUsage: {
        const usages = new x509.ExtendedKeyUsageExtension(ext.rawData).usages.map(String)
        const other = usages.find((u) => u !== OID.serverAuth && u !== OID.clientAuth)
        if (other)
          throw refuse(
            node,
            `it asks for extended key usage ${other} (only serverAuth, clientAuth)`,
          )
        break
      }
      case OID.basicConstraints:
        if (new x509.BasicConstraintsExtension(ext.rawData).ca)
          throw refuse(node, 'it asks to be a CA')
        break
      case OID.subjectAltName:
        ips.push(...checkNames(new x509.SubjectAlternativeNameExtension(ext.rawData), node))
        break
      default:
        throw refuse(
          node,
          `it asks for extension ${ext.type}, which node certificates do not carry`,
        )
    }
  }
  return [...new Set(ips)]
}

function checkNames(
  san: InstanceType<X509['SubjectAlternativeNameExtension']>,
  node: string,
): string[] {
  const ips: string[] = []
  for (const { type, value } of san.names.items) {
    if (type === 'dns') {
      if (value.toLowerCase() !== node)
        throw refuse(node, `DNS name "${value}" is not the node's name`)
    } else if (type === 'ip') {
      const why = ipProblem(value)
      if (why) throw refuse(node, `IP address ${value} ${why}`)
      ips.push(value)
    } else throw refuse(node, `a ${type} name (${value}) is not for node certificates`)
  }
  return ips
}

function ipProblem(ip: string): string | undefined {
  const family = isIP(ip)
  if (!family) return 'does not parse'
  const v4 = family === 4 ? ip : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1]
  const first = v4 ? Number(v4.split('.')[0]) : undefined
  if (first === 127 || /^(0:){7}0*1$|^::1$/.test(ip)) return 'is a loopback address'
  if (v4 === '0.0.0.0' || /^(0:){7}0+$|^::$/.test(ip)) return 'is unspecified'
  if ((first !== undefined && first >= 224) || /^ff/i.test(ip)) return 'is multicast or reserved'
  return undefined
}
