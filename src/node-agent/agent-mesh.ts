// The node's mesh (src/mesh) run by the agent: its listeners opened before the first hello (so
// the node-to-node port told to the plane is the one bound, even when 0 asked for any), the
// table held (mesh.json) set at once — routing works with no plane in sight — and every table
// taken after; node-to-node mutual TLS with the node's certificate and key (node.pem) and the
// plane's CA (credentials.json). A small /metrics listener serves the mesh's counters. An
// optional TLS ingress listener serves Ingress TLS with the certificates ingress-certificates.ts
// fetches. Requests for this node's handler pods are handed to the runtime in process
// (local-dispatch.ts), with no loopback TCP hop.
import { createServer, type Server } from 'node:http'
import { createMesh, type ListenOptions, type Mesh, type MeshPorts } from '../mesh/index.ts'
import type { Logger } from '../core/index.ts'
import { followIngressTls, type TlsSecretLookup } from './ingress-certificates.ts'
import type { MeshCache } from './mesh-cache.ts'
import { localDispatcher } from './local-dispatch.ts'
import { readNodeCertificate } from './node-certificate.ts'
import type { Runtime } from '../wasm-runtime/index.ts'

/** where the agent's mesh listens (AgentOptions.mesh; `shoal agent --mesh-*` flags) */
export interface AgentMeshOptions {
  /** trusted listener: any Service by Host (default 127.0.0.1:10080); false: none */
  local?: ListenOptions | false
  /** listener for outside the fleet: exposed Services only (default 0.0.0.0:10081); false: none */
  public?: ListenOptions | false
  /** node-to-node mTLS port on the node's address (default DEFAULT_MESH_PORT; 0: any free) */
  port?: number
  /** where NodePort listeners bind (default 0.0.0.0) */
  nodePortHost?: string
  /** GET /metrics: the mesh's Prometheus text (default 127.0.0.1:10249); false: none */
  metrics?: ListenOptions | false
  /**
   * TLS ingress listener (default none): Ingress rules over TLS with the certificates of the
   * Secrets the table's ingressTls names, which only a node labelled for ingress may read
   * (StartMeshOptions.tlsSecret fetches them)
   */
  ingressTls?: ListenOptions | false
}

export const MESH_DEFAULTS = {
  local: { host: '127.0.0.1', port: 10080 },
  public: { host: '0.0.0.0', port: 10081 },
  metrics: { host: '127.0.0.1', port: 10249 },
} as const

export interface AgentMeshPorts extends MeshPorts {
  metrics?: number
}

export interface AgentMesh {
  mesh: Mesh
  ports: AgentMeshPorts
  stop(): Promise<void>
}

export interface StartMeshOptions {
  node: string
  /** the node's address: the mTLS listener binds it */
  address: string
  caCert: string
  /** <dataDir>/node.pem */
  certificatePath: string
  cache: MeshCache
  defaultPort: number
  log: Logger
  /** reads a Secret's data with the node's token (ConfigSource.get): for the TLS ingress listener */
  tlsSecret?: TlsSecretLookup
  /** the node's runtime: its handler instances are served in process (none: all over HTTP) */
  runtime?: Runtime
}

/** opens the mesh's listeners and hands it the table held; rejects when a port cannot be bound */
export async function startAgentMesh(o: AgentMeshOptions, s: StartMeshOptions): Promise<AgentMesh> {
  const node = await readNodeCertificate(s.certificatePath)
  if (!node)
    s.log.warn('no node certificate yet: the mesh starts without its node-to-node listener', {
      path: s.certificatePath,
    })
  const local = s.runtime && localDispatcher(s.runtime)
  const mesh = createMesh({
    nodeName: s.node,
    dispatchLocal: local && ((target, req, res, body) => local.dispatch(target, req, res, body)),
    servesLocal: local && ((target) => local.serves(target)),
    local: o.local === false ? undefined : (o.local ?? MESH_DEFAULTS.local),
    public: o.public === false ? undefined : (o.public ?? MESH_DEFAULTS.public),
    tls: node && {
      ...{ host: s.address, port: o.port ?? s.defaultPort },
      ...{ ca: s.caCert, cert: node.certPem, key: node.keyPem },
    },
    nodePortHost: o.nodePortHost,
    ingressTls: o.ingressTls || undefined,
    log: (line) => s.log.warn(line),
  })
  let ports: AgentMeshPorts
  let metrics: Server | undefined
  const m = o.metrics === false ? undefined : (o.metrics ?? MESH_DEFAULTS.metrics)
  try {
    ports = await mesh.start()
    if (m) [metrics, ports.metrics] = await metricsServer(mesh, m)
  } catch (error) {
    local?.stop()
    await mesh.stop()
    throw error
  }
  const follow =
    o.ingressTls && s.tlsSecret ? followIngressTls(mesh, s.tlsSecret, s.log) : undefined
  const unlisten = s.cache.listen((t) => {
    void mesh.setTable(t)
    void follow?.(t)
  })
  void mesh.setTable(s.cache.table)
  void follow?.(s.cache.table)
  s.log.info('mesh listening', { ...ports })
  return {
    mesh,
    ports,
    async stop() {
      unlisten()
      local?.stop()
      if (metrics) {
        const closed = new Promise((r) => metrics!.close(r))
        metrics.closeAllConnections()
        await closed
      }
      await mesh.stop()
    },
  }
}

function metricsServer(mesh: Mesh, o: ListenOptions): Promise<[Server, number]> {
  const server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('agent: only /metrics here\n')
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
    res.end(mesh.metricsText())
  })
  const host = o.host ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`agent: cannot listen for /metrics on ${host}:${o.port}: ${err.message}`)),
    )
    server.listen(o.port, host, () =>
      resolve([server, (server.address() as { port: number }).port]),
    )
  })
}
