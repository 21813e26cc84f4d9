// Test harness for the mesh (not imported by the mesh itself): real backends on 127.0.0.1,
// a table builder, a client that sets the Host header, and a fleet CA with node certificates.
import { webcrypto } from 'node:crypto'
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { MeshEndpoint, MeshNode, MeshService, MeshTable } from '../api/index.ts'
import { loadX509, NODE_KEY_ALGORITHM, nodeCommonName, toPem } from '../core/index.ts'
import { createMesh } from './mesh.ts'
import type { Mesh, MeshOptions } from './types.ts'

export interface Backend {
  name: string
  port: number
  /** requests seen, by method */
  hits: string[]
  lastHeaders: IncomingHttpHeaders | undefined
  /** answer with this status (default 200) */
  status: number
  /** hold every answer until release() */
  hold: boolean
  release(): void
  close(): Promise<void>
}

export async function backend(name: string): Promise<Backend> {
  const held: (() => void)[] = []
  const b: Backend = {
    name,
    port: 0,
    hits: [],
    lastHeaders: undefined,
    status: 200,
    hold: false,
    release: () => held.splice(0).forEach((f) => f()),
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      b.hits.push(req.method!)
      b.lastHeaders = req.headers
      const answer = () => {
        res.writeHead(b.status, { 'content-type': 'text/plain', connection: 'keep-alive' })
        res.end(`${name} ${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`.trim())
      }
      if (b.hold) held.push(answer)
      else answer()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  b.port = (server.address() as AddressInfo).port
  return b
}

/** a port nothing listens on (bound then closed) */
export async function deadPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

export function endpoint(
  uid: string,
  node: string,
  port: number,
  o: Partial<MeshEndpoint> = {},
): MeshEndpoint {
  return {
    uid,
    pod: `default/${uid}`,
    node,
    ports: { '': port },
    ready: true,
    serving: true,
    terminating: false,
    ...o,
  }
}

export function service(
  name: string,
  endpoints: MeshEndpoint[],
  o: Partial<MeshService> = {},
): MeshService {
  return {
    namespace: 'default',
    name,
    resourceVersion: '1',
    type: 'ClusterIP',
    exposed: false,
    ports: [{ name: '', port: 80, protocol: 'TCP' }],
    sessionAffinity: 'None',
    loadBalancer: 'least-request',
    endpoints,
    ...o,
  }
}

export function node(name: string, meshPort = 0, online = true): MeshNode {
  return { name, address: '127.0.0.1', meshPort, online }
}

let revision = 0
export function table(services: MeshService[], nodes: MeshNode[] = [node('n1')]): MeshTable {
  return { revision: ++revision, services, nodes }
}

export interface Answer {
  status: number
  body: string
  headers: IncomingHttpHeaders
}

/** one request to 127.0.0.1:port with this Host header */
export function get(
  port: number,
  host: string,
  o: { method?: string; body?: string; path?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'GET',
        path: o.path ?? '/',
        headers: { host },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(o.body)
  })
}

export interface Pem {
  cert: string
  key: string
}

/** a CA (PEM) and a function signing certificates for nodes (O=system:nodes) or anyone else */
export async function fleetCa(
  name = 'shoal-ca',
): Promise<{ ca: string; issue(cn: string, o?: { org?: string; dns?: string }): Promise<Pem> }> {
  const x509 = await loadX509()
  const subtle = webcrypto.subtle
  const caKeys = (await subtle.generateKey(NODE_KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const now = Date.now()
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 86400_000),
    keys: caKeys,
    signingAlgorithm: NODE_KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  })
  let serial = 2
  return {
    ca: caCert.toString('pem'),
    async issue(cn, o = {}) {
      const keys = (await subtle.generateKey(NODE_KEY_ALGORITHM, true, [
        'sign',
        'verify',
      ])) as CryptoKeyPair
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        subject: `CN=${cn}, O=${o.org ?? 'system:nodes'}`,
        issuer: caCert.subject,
        notBefore: new Date(now - 3600_000),
        notAfter: new Date(now + 86400_000),
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: NODE_KEY_ALGORITHM,
        extensions: [
          new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
          new x509.SubjectAlternativeNameExtension([
            { type: 'dns', value: o.dns ?? cn.replace('system:node:', '') },
          ]),
        ],
      })
      const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey)
      return { cert: cert.toString('pem'), key: toPem(pkcs8, 'PRIVATE KEY') }
    },
  }
}

export { nodeCommonName }

export interface Fleet {
  meshes: Mesh[]
  /** each mesh's local listener port */
  local: number[]
  /** each mesh's mTLS listener port */
  tls: number[]
  ca: Awaited<ReturnType<typeof fleetCa>>
  /** MeshNode of node i (n1, n2, …) */
  node(i: number, online?: boolean): MeshNode
  /** the same table to every mesh; nodes default to all online */
  apply(services: MeshService[], nodes?: MeshNode[]): Promise<void>
  stop(): Promise<void>
}

/** `n` meshes (nodes n1…nN) on 127.0.0.1 with node certificates of one fleet CA */
export async function fleet(n: number, options: Partial<MeshOptions> = {}): Promise<Fleet> {
  const ca = await fleetCa()
  const meshes: Mesh[] = []
  const local: number[] = []
  const tls: number[] = []
  for (let i = 1; i <= n; i++) {
    const name = `n${i}`
    const id = await ca.issue(nodeCommonName(name))
    const mesh = createMesh({
      nodeName: name,
      local: { port: 0 },
      tls: { host: '127.0.0.1', port: 0, ca: ca.ca, ...id },
      ...options,
    })
    const ports = await mesh.start()
    meshes.push(mesh)
    local.push(ports.local!)
    tls.push(ports.tls!)
  }
  const f: Fleet = {
    meshes,
    local,
    tls,
    ca,
    node: (i, online = true) => node(`n${i}`, tls[i - 1], online),
    apply: async (services, nodes = meshes.map((_, i) => f.node(i + 1))) => {
      const t = table(services, nodes)
      await Promise.all(meshes.map((m) => m.setTable(t)))
    },
    stop: async () => void (await Promise.all(meshes.map((m) => m.stop()))),
  }
  return f
}
