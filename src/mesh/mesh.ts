// createMesh: the listeners (local, public, node-to-node mTLS, NodePorts) over one routing
// table, the upstream pools and the counters.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { Server as TlsServer, TLSSocket } from 'node:tls'
import type { MeshTable } from '../api/index.ts'
import { handleEntry, handleHop, HostResolver, type EntryContext, type EntryKind } from './entry.ts'
import { IngressCertificates } from './ingress-tls.ts'
import { FastPath } from './fast-path.ts'
import { endpointStats, metricsText } from './metrics.ts'
import { closeServer, NodePorts } from './node-ports.ts'
import { RoutingTable } from './routing-table.ts'
import type { ListenOptions, Mesh, MeshOptions, MeshPorts } from './types.ts'
import { Upstreams } from './upstreams.ts'

/** the O of every node certificate (src/core's NODE_ORGANIZATION) */
const NODES_ORG = 'system:nodes'

export function createMesh(options: MeshOptions): Mesh {
  const table = new RoutingTable()
  const upstreams = new Upstreams(options.tls)
  const ctx: EntryContext = {
    nodeName: options.nodeName,
    via: `1.1 ${options.nodeName}`,
    namespace: options.namespace ?? 'default',
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    timeoutMs: options.timeoutMs ?? 15_000,
    overloadOutstanding: options.overloadOutstanding ?? 32,
    retryBodyBytes: options.retryBodyBytes ?? 64 * 1024,
    outlier: {
      consecutive5xx: options.outlier?.consecutive5xx ?? 3,
      baseEjectionMs: options.outlier?.baseEjectionMs ?? 5_000,
      maxEjectionMs: options.outlier?.maxEjectionMs ?? 300_000,
    },
    table,
    upstreams,
    dispatchLocal: options.dispatchLocal,
    servesLocal: options.servesLocal,
    log: options.log ?? (() => {}),
  }
  const resolver = new HostResolver(ctx)
  const nodePorts = new NodePorts(ctx, options.nodePortHost ?? '0.0.0.0')
  const certificates = new IngressCertificates(ctx.log)
  const servers: Server[] = []
  let fast: FastPath | undefined
  let mtls: TlsServer | undefined
  let syncing: Promise<void> = Promise.resolve()

  const entry = (kind: EntryKind) => (req: IncomingMessage, res: ServerResponse) =>
    handleEntry(kind, resolver, req, res)

  return {
    async start() {
      const ports: MeshPorts = {}
      if (options.local) {
        const server = createServer({ keepAlive: true }, entry('local'))
        if (options.fastPath === false)
          ports.local = await listen(servers, server, options.local, '127.0.0.1')
        else {
          // plain HTTP/1.1 at the socket level; node:http takes the connections it hands over
          fast = new FastPath(ctx, resolver, server)
          ports.local = await listen(
            [],
            fast.server as unknown as Server,
            options.local,
            '127.0.0.1',
          )
        }
      }
      if (options.public)
        ports.public = await listen(
          servers,
          createServer({ keepAlive: true }, entry('public')),
          options.public,
        )
      if (options.tls) {
        mtls = mtlsServer(ctx, options)
        ports.tls = await listen(servers, mtls as unknown as Server, options.tls)
      }
      if (options.ingressTls) {
        const server = createTlsServer(
          {
            keepAlive: true,
            SNICallback: (name, done) => {
              const sc = certificates.pick(name, table.ingressTls)
              if (sc) return done(null, sc)
              done(new Error(`mesh: no Ingress TLS certificate for "${name}"`))
            },
          },
          entry('ingress-tls'),
        )
        ports.ingressTls = await listen(servers, server as unknown as Server, options.ingressTls)
      }
      await syncing
      return ports
    },
    async stop() {
      await Promise.all([...servers.splice(0).map(closeServer), nodePorts.close(), fast?.close()])
      await upstreams.close()
    },
    setTable(t: MeshTable) {
      if (!table.apply(t, options.nodeName)) return syncing
      resolver.cache.clear()
      const localPorts = new Set<number>()
      for (const e of table.services.values())
        for (const p of e.localPorts.keys()) localPorts.add(p)
      upstreams.prune(table.nodes, localPorts)
      fast?.prune(localPorts)
      if (t.services.some((s) => s.endpoints.length > 0)) void upstreams.load()
      return (syncing = syncing.then(() => nodePorts.sync(t)))
    },
    drainLocal(uid) {
      table.draining.add(uid)
      const waits: Promise<void>[] = []
      for (const [, s] of table.states())
        if (s.local && s.endpoint.uid === uid) {
          s.draining = true
          waits.push(s.idle())
        }
      return Promise.all(waits).then(() => {})
    },
    metricsText: () => metricsText(table, Date.now()),
    serviceStats: () =>
      [...table.counters()].map(([key, c]) => {
        const [namespace, name] = key.split('/') as [string, string]
        return { namespace, name, requests: c.requests, errors: c.errors }
      }),
    endpointStats: () => endpointStats(table),
    nodePorts: () => nodePorts.bound(),
    setIngressCertificates: (certs) => certificates.set(certs),
    setNodeCertificate(cert, key) {
      if (!options.tls) return false
      // throws on a key that does not match the certificate: the one in use stays
      mtls?.setSecureContext({ ca: options.tls.ca, cert, key })
      upstreams.setIdentity(cert, key)
      return true
    },
  }
}

function mtlsServer(ctx: EntryContext, options: MeshOptions): TlsServer {
  const tls = options.tls!
  const server = createTlsServer(
    {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      requestCert: true,
      rejectUnauthorized: true,
      keepAlive: true,
    },
    (req, res) => handleHop(ctx, req, res),
  )
  // the CA signs node certificates only, but say so: a peer must be a node of the fleet
  server.on('secureConnection', (socket: TLSSocket) => {
    const subject = socket.getPeerCertificate()?.subject
    if (subject?.O !== NODES_ORG) {
      ctx.log(`mesh: refused a TLS peer that is not a node (subject ${JSON.stringify(subject)})`)
      socket.destroy()
    }
  })
  return server
}

function listen(
  servers: Server[],
  server: Server,
  o: ListenOptions,
  defaultHost?: string,
): Promise<number> {
  const host = o.host ?? defaultHost
  if (!host) throw new Error('mesh: a listener needs a host')
  servers.push(server)
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`mesh: cannot listen on ${host}:${o.port}: ${err.message}`, { cause: err })),
    )
    server.listen(o.port, host, () => resolve((server.address() as { port: number }).port))
  })
}
