// Builds X.509 v3 certificates (RFC 5280) signed with ECDSA P-256 / SHA-256, using node:crypto
// for keys and signatures and der.ts for the encoding: no dependency, no native addon.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { isIP } from 'node:net'
import { InvalidError } from '../../../core/index.ts'
import { der } from '../../../core/index.ts'

const oid = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
}

export interface CertificateRequest {
  /** subject common name */
  commonName: string
  publicKey: KeyObject
  /** the signer; for a self-signed CA pass the certificate's own name and key pair */
  issuer: { commonName: string; privateKey: KeyObject; publicKey: KeyObject }
  notBefore: Date
  notAfter: Date
  /** a CA may sign certificates; otherwise a TLS serving/client certificate */
  ca: boolean
  /** DNS names and IP addresses (v4 or v6) */
  sans?: readonly string[]
}

export function generateKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
}

/** The certificate as PEM. */
export function buildCertificate(req: CertificateRequest): string {
  const algorithm = der.sequence(der.objectId(oid.ecdsaWithSha256))
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // v3
    der.unsignedInteger(serialNumber()),
    algorithm,
    name(req.issuer.commonName),
    der.sequence(der.time(req.notBefore), der.time(req.notAfter)),
    name(req.commonName),
    spki(req.publicKey),
    der.explicit(3, der.sequence(...extensions(req))),
  )
  const signature = sign('sha256', tbs, req.issuer.privateKey) // DER ECDSA-Sig-Value for EC keys
  const cert = der.sequence(tbs, algorithm, der.bitString(signature))
  const b64 = Buffer.from(cert).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}

/** Lower-cases DNS names, strips brackets and zone ids from IPs; rejects anything else. */
export function normalizeSan(san: string): string {
  const bare = san
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
  if (isIP(bare)) return bare.toLowerCase()
  const dns = bare.toLowerCase().replace(/\.$/, '')
  if (
    !/^(\*\.)?[a-z0-9]([a-z0-9-]{0,62})?(\.[a-z0-9]([a-z0-9-]{0,62})?)*$/.test(dns) ||
    dns.length > 253
  ) {
    throw new InvalidError(`pki: "${san}" is neither an IP address nor a DNS name`, [
      { field: 'sans', message: `invalid subject alternative name "${san}"` },
    ])
  }
  return dns
}

function serialNumber(): Uint8Array {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x40 // positive, 16 bytes, minimal
  return bytes
}

function name(commonName: string): Uint8Array {
  const rdn = (type: string, value: string) =>
    der.set(der.sequence(der.objectId(type), der.utf8String(value)))
  return der.sequence(rdn(oid.organization, 'shoal'), rdn(oid.commonName, commonName))
}

function spki(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (the last 65 bytes for P-256). */
function keyId(publicKey: KeyObject): Uint8Array {
  const point = spki(publicKey).subarray(-65)
  return new Uint8Array(createHash('sha1').update(point).digest())
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? der.sequence(der.objectId(id), der.boolean(true), der.octetString(value))
    : der.sequence(der.objectId(id), der.octetString(value))
}

function extensions(req: CertificateRequest): Uint8Array[] {
  const out = [
    // CA: digitalSignature|keyCertSign|cRLSign (bits 0,5,6); leaf: digitalSignature (bit 0)
    extension(
      oid.keyUsage,
      true,
      req.ca ? der.bitString(Uint8Array.of(0x86), 1) : der.bitString(Uint8Array.of(0x80), 7),
    ),
    extension(
      oid.basicConstraints,
      true,
      req.ca ? der.sequence(der.boolean(true), der.smallInteger(0)) : der.sequence(),
    ),
    extension(oid.subjectKeyId, false, der.octetString(keyId(req.publicKey))),
  ]
  if (!req.ca) {
    out.push(
      extension(
        oid.extKeyUsage,
        false,
        der.sequence(der.objectId(oid.serverAuth), der.objectId(oid.clientAuth)),
      ),
    )
    out.push(
      extension(
        oid.authorityKeyId,
        false,
        der.sequence(der.implicit(0, keyId(req.issuer.publicKey))),
      ),
    )
  }
  if (req.sans?.length)
    out.push(extension(oid.subjectAltName, false, der.sequence(...req.sans.map(generalName))))
  return out
}

function generalName(san: string): Uint8Array {
  const value = normalizeSan(san)
  const family = isIP(value)
  if (family === 4) return der.implicit(7, Uint8Array.from(value.split('.').map(Number)))
  if (family === 6) return der.implicit(7, ipv6Bytes(value))
  return der.implicit(2, new TextEncoder().encode(value)) // dNSName, IA5String
}

function ipv6Bytes(ip: string): Uint8Array {
  let text = ip
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  const out = new Uint8Array(16)
  groups.forEach((g, i) => {
    const v = parseInt(g, 16)
    out[2 * i] = v >> 8
    out[2 * i + 1] = v & 0xff
  })
  return out
}
