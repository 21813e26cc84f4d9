// A throw-away single-member etcd for tests: Debian's /usr/bin/etcd on 127.0.0.1 free ports, its
// data in a temp dir; optional TLS with client-certificate auth (certs made with @peculiar/x509).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { webcrypto } from 'node:crypto'
import { freePort } from '../e2e/plane-process.ts'
import { loadX509, toPem } from '../../src/core/x509.ts'

export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd'
export const etcdPresent = existsSync(ETCD_BIN)

export interface TestCerts {
  ca: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** a client certificate from another CA: etcd must refuse it */
  strangerCert: string
  strangerKey: string
}

export async function makeCerts(): Promise<TestCerts> {
  const x509 = await loadX509()
  x509.cryptoProvider.set(webcrypto as unknown as Crypto)
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
  const subtle = webcrypto.subtle
  const keyPem = async (k: CryptoKey) => toPem(await subtle.exportKey('pkcs8', k), 'PRIVATE KEY')
  const now = Date.now()
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) }
  const mkCa = async (name: string) => {
    const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: `CN=${name}`,
      keys,
      signingAlgorithm: alg,
      ...validity,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      ],
    })
    return { keys, cert }
  }
  const leaf = async (ca: Awaited<ReturnType<typeof mkCa>>, cn: string, server: boolean) => {
    const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: String(Math.floor(Math.random() * 1e9)),
      subject: `CN=${cn}`,
      issuer: ca.cert.subject,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: alg,
      ...validity,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(
          server
            ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
            : [x509.ExtendedKeyUsage.clientAuth],
        ),
        ...(server
          ? [
              new x509.SubjectAlternativeNameExtension([
                { type: 'ip', value: '127.0.0.1' },
                { type: 'dns', value: 'localhost' },
              ]),
            ]
          : []),
      ],
    })
    return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) }
  }
  const ca = await mkCa('shoal test etcd CA')
  const other = await mkCa('some other CA')
  const server = await leaf(ca, 'etcd', true)
  const client = await leaf(ca, 'shoal-plane', false)
  const stranger = await leaf(other, 'stranger', false)
  return {
    ca: ca.cert.toString('pem'),
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    strangerCert: stranger.cert,
    strangerKey: stranger.key,
  }
}

export interface TestEtcd {
  /** etcd://127.0.0.1:port or etcds://… */
  url: string
  dir: string
  pid(): number | undefined
  /** SIGKILL, as a crash */
  kill(): Promise<void>
  /** starts again on the same ports and data */
  restart(): Promise<void>
  /** stops it and removes its data */
  stop(): Promise<void>
}

export async function startEtcd(o: { certs?: TestCerts } = {}): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-etcd-'))
  const clientPort = await freePort()
  let peerPort = await freePort()
  while (peerPort === clientPort) peerPort = await freePort()
  const tls = !!o.certs
  const clientUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`
  const peer = `http://127.0.0.1:${peerPort}`
  const tlsArgs: string[] = []
  if (o.certs) {
    for (const [f, v] of [
      ['ca.pem', o.certs.ca],
      ['server.pem', o.certs.serverCert],
      ['server-key.pem', o.certs.serverKey],
    ])
      writeFileSync(join(dir, f), v)
    tlsArgs.push(
      '--cert-file',
      join(dir, 'server.pem'),
      '--key-file',
      join(dir, 'server-key.pem'),
      '--trusted-ca-file',
      join(dir, 'ca.pem'),
      '--client-cert-auth',
    )
  }
  const args = [
    '--name',
    'test',
    '--data-dir',
    join(dir, 'data'),
    '--listen-client-urls',
    clientUrl,
    '--advertise-client-urls',
    clientUrl,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `test=${peer}`,
    '--initial-cluster-state',
    'new',
    '--log-level',
    'warn',
    '--logger',
    'zap',
    ...tlsArgs,
  ]
  let proc: ChildProcess | undefined
  const launch = async () => {
    const log = openSync(join(dir, 'etcd.log'), 'a')
    const p = spawn(ETCD_BIN, args, { stdio: ['ignore', log, log] })
    closeSync(log)
    proc = p
    const end = Date.now() + 30_000
    // healthy once a TCP connect succeeds and etcd has not exited (TLS makes /health need certs)
    const { connect } = await import('node:net')
    for (;;) {
      if (p.exitCode !== null)
        throw new Error(`etcd exited with ${p.exitCode} (log: ${dir}/etcd.log)`)
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(clientPort, '127.0.0.1', () => (s.destroy(), resolve(true)))
        s.on('error', () => resolve(false))
      })
      if (ok) break
      if (Date.now() > end)
        throw new Error(`etcd did not listen within 30 s (log: ${dir}/etcd.log)`)
      await sleep(50)
    }
    await sleep(300) // the member elects itself leader right after it listens
  }
  const halt = async (signal: NodeJS.Signals) => {
    const p = proc
    if (!p || p.exitCode !== null || p.signalCode !== null) return
    const exited = new Promise((r) => p.once('exit', r))
    p.kill(signal)
    const t = setTimeout(() => p.exitCode === null && p.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(t)
  }
  try {
    await launch()
  } catch (err) {
    await halt('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    url: `${tls ? 'etcds' : 'etcd'}://127.0.0.1:${clientPort}`,
    dir,
    pid: () => proc?.pid,
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGKILL')
      await launch()
    },
    stop: async () => {
      await halt('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
