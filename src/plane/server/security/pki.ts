// The plane's PKI in <dataDir>/pki/: a self-signed CA (ECDSA P-256, 10 years, CN shoal-ca) and a
// serving certificate it signs (1 year). Files: ca.crt, ca.key, server.crt, server.key (keys 0600).
// The CA is made once and kept; the serving certificate is remade when it lacks a requested SAN,
// expires within 30 days, or no longer matches the CA or its key.
import { X509Certificate, createPrivateKey, hash, type KeyObject } from 'node:crypto'
import { hostname as osHostname } from 'node:os'
import { join } from 'node:path'
import { isIP } from 'node:net'
import { CorruptError } from '../../../core/index.ts'
import { buildCertificate, generateKeyPair, normalizeSan } from './certificate.ts'
import { readTextIfExists, writePrivateFile } from './private-file.ts'

const DAY = 24 * 60 * 60 * 1000
const CA_DAYS = 3650
const SERVER_DAYS = 365
const RENEW_BEFORE_DAYS = 30
/** Backdating tolerates clients whose clocks run a little behind (edge devices often do). */
const BACKDATE = 60 * 60 * 1000

export interface PkiOptions {
  /** extra SANs: the --listen host, other IPs and DNS names */
  sans?: readonly string[]
  /** defaults to os.hostname() */
  hostname?: string
  now?: () => Date
}

export interface Pki {
  /** PEM; give it to clients (kubeconfig certificate-authority-data) */
  caCert: string
  /** PEM; https.createServer({ cert: serverCert, key: serverKey }) */
  serverCert: string
  serverKey: string
  /** the CA's private key, for signing node certificates (never leaves the plane) */
  caKey: KeyObject
  /** the serving certificate's SANs: the plane's own names and addresses */
  sans: readonly string[]
  /** what ensurePki did: made a new CA (and server cert), a new server cert, or nothing */
  outcome: 'created' | 'renewed' | 'reused'
}

interface Ca {
  cert: string
  x509: X509Certificate
  privateKey: KeyObject
}

export function ensurePki(dataDir: string, opts: PkiOptions = {}): Pki {
  const dir = join(dataDir, 'pki')
  const now = opts.now?.() ?? new Date()
  const sans = requiredSans(opts)
  const existing = loadCa(dir)
  const ca = existing ?? createCa(dir, now)
  const current = existing && loadServer(dir, ca, sans, now)
  const server = current ?? createServer(dir, ca, sans, now)
  const outcome = existing ? (current ? 'reused' : 'renewed') : 'created'
  return {
    ...{ caCert: ca.cert, serverCert: server.cert, serverKey: server.key },
    ...{ caKey: ca.privateKey, sans, outcome },
  }
}

/** Unspecified listen addresses are dropped; a machine hostname that is no DNS name (my_pi) is skipped. */
function requiredSans(opts: PkiOptions): string[] {
  const unspecified = new Set(['0.0.0.0', '::', ''])
  const explicit = (opts.sans ?? [])
    .filter((s) => !unspecified.has(s.trim().replace(/^\[|\]$/g, '')))
    .map(normalizeSan)
  const host = opts.hostname ?? osHostname()
  const machine = tryNormalize(host)
  return [...new Set(['localhost', '127.0.0.1', '::1', ...(machine ? [machine] : []), ...explicit])]
}

function tryNormalize(san: string): string | undefined {
  try {
    return normalizeSan(san)
  } catch {
    return undefined
  }
}

function readPair(dir: string, name: string): { cert?: string; key?: string } {
  return {
    cert: readTextIfExists(join(dir, `${name}.crt`)),
    key: readTextIfExists(join(dir, `${name}.key`)),
  }
}

function parse<T>(file: string, what: () => T): T {
  try {
    return what()
  } catch (err) {
    throw new CorruptError(
      `pki: ${file} is not a valid PEM file`,
      { file, offset: 0 },
      { cause: err },
    )
  }
}

/** undefined when there is no CA yet (a ca.key without ca.crt is a crash during creation). */
function loadCa(dir: string): Ca | undefined {
  const { cert, key } = readPair(dir, 'ca')
  if (cert === undefined) return undefined
  const certFile = join(dir, 'ca.crt')
  const keyFile = join(dir, 'ca.key')
  if (key === undefined)
    throw new CorruptError(`pki: ${certFile} exists but ${keyFile} is missing`, {
      file: keyFile,
      offset: 0,
    })
  const x509 = parse(certFile, () => new X509Certificate(cert))
  const privateKey = parse(keyFile, () => createPrivateKey(key))
  if (!x509.checkPrivateKey(privateKey)) {
    throw new CorruptError(`pki: ${keyFile} does not match ${certFile}`, {
      file: keyFile,
      offset: 0,
    })
  }
  return { cert, x509, privateKey }
}

function createCa(dir: string, now: Date): Ca {
  const pair = generateKeyPair()
  const cert = buildCertificate({
    commonName: 'shoal-ca',
    publicKey: pair.publicKey,
    issuer: { commonName: 'shoal-ca', ...pair },
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    ca: true,
  })
  writePrivateFile(join(dir, 'ca.key'), exportKey(pair.privateKey))
  writePrivateFile(join(dir, 'ca.crt'), cert) // last: its presence means the CA is complete
  return { cert, x509: new X509Certificate(cert), privateKey: pair.privateKey }
}

/** The current serving pair when it is still good for these SANs; undefined to remake it. */
function loadServer(
  dir: string,
  ca: Ca,
  sans: readonly string[],
  now: Date,
): { cert: string; key: string } | undefined {
  const { cert, key } = readPair(dir, 'server')
  if (cert === undefined || key === undefined) return undefined
  try {
    const x509 = new X509Certificate(cert)
    if (!x509.verify(ca.x509.publicKey) || !x509.checkPrivateKey(createPrivateKey(key)))
      return undefined
    if (Date.parse(x509.validTo) - now.getTime() < RENEW_BEFORE_DAYS * DAY) return undefined
    const covered = (san: string) =>
      isIP(san) ? x509.checkIP(san) : x509.checkHost(san, { wildcards: false })
    return sans.every((san) => covered(san) !== undefined) ? { cert, key } : undefined
  } catch {
    return undefined // unreadable serving files are remade: only the CA is precious
  }
}

function createServer(
  dir: string,
  ca: Ca,
  sans: readonly string[],
  now: Date,
): { cert: string; key: string } {
  const pair = generateKeyPair()
  const cert = buildCertificate({
    commonName: 'shoal-plane',
    publicKey: pair.publicKey,
    issuer: { commonName: 'shoal-ca', privateKey: ca.privateKey, publicKey: ca.x509.publicKey },
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY),
    ca: false,
    sans,
  })
  const key = exportKey(pair.privateKey)
  writePrivateFile(join(dir, 'server.key'), key)
  writePrivateFile(join(dir, 'server.crt'), cert)
  return { cert, key }
}

/**
 * "sha256:<hex>" of the certificate's DER, as kubeadm's --discovery-token-ca-cert-hash hashes
 * it (theirs covers the public key; ours the whole certificate): an agent that fetched the CA
 * over an untrusted channel checks it against this before trusting anything signed by it.
 */
export function caCertHash(pem: string): string {
  return `sha256:${hash('sha256', new X509Certificate(pem).raw, 'hex')}`
}

function exportKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString()
}
