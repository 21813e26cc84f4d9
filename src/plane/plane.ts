// The plane as one object: store + API server + the MQTT transport to its nodes (embedded
// broker and node channel), the scheduler and the controllers. createPlane() is
// what `shoal plane` runs and what another program embeds.
import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import {
  BadRequestError,
  createLogger,
  isShoalError,
  systemClock,
  type Clock,
  type Logger,
} from '../core/index.ts'
import { resourceByKind } from '../api/index.ts'
import { openPlaneStore, storeGauges, type PlaneStoreOptions } from './plane-store.ts'
import { ensurePrivateDataDir } from './data-dir.ts'
import { createRegistry, type Registry } from './registry/index.ts'
import { addNodeLogin, readBrokerLogin, type BrokerLogin } from './broker-config.ts'
import {
  leaseRenewEveryMs,
  parseBrokerUrl,
  PLANE_USER,
  startTransport,
  type NodeStats,
  type Transport,
} from './transport/index.ts'
import { PlaneMembers } from './leader/index.ts'
import { imageDigests } from './image-digests.ts'
import { Scheduler } from './scheduler/index.ts'
import { runAlways, runWhileLeading, type LeaderWork, type WorkParts } from './leader-work.ts'
import {
  DEFAULT_NODE_GRACE_MS,
  metricsSources,
  requestMetrics,
  startControllers,
  usageMetrics,
  type EndpointSliceOptions,
  type HpaOptions,
  type NodeLifecycleOptions,
} from './controllers/index.ts'
import {
  BUILTIN_NAMESPACES,
  createAccess,
  createApiApp,
  createSecretBox,
  endAllWatches,
  ensureAdminKubeconfig,
  ensureSecurity,
  syncTokens,
  eventTtl,
  ObjectStore,
  type NodePortRange,
  podLogs,
  rotateSecretKeys,
  secretTransform,
  serveApi,
  type Security,
} from './server/index.ts'

/** `store`: absent, the CBOR log in <dataDir>/store; or etcd://host:2379[,…][/namespace],
 * etcds://… for TLS with etcdCa/etcdCert/etcdKey (PEM files; plane-store.ts) */
export interface PlaneOptions extends PlaneStoreOptions {
  dataDir: string
  /** host:port, default 127.0.0.1:6443 */
  listen?: string
  /** plain HTTP without authentication: loopback tests only */
  insecureHttp?: boolean
  logger?: Logger
  version?: string
  /** extra names and addresses for the serving certificate */
  sans?: string[]
  /** host:port of the embedded MQTT broker (TLS), default the --listen host, port 8883 (any
   * free port when --listen asks for port 0); port 0 takes any free port (read it back from
   * plane.mqttUrl). Not started with insecureHttp: nodes need TLS and tokens. */
  mqttListen?: string
  /** an external MQTT broker instead of the embedded one: mqtt://HOST:PORT or mqtts://…; the
   * plane logs in with <dataDir>/broker.json (`shoal broker-config`) or the URL's user:password,
   * and nodes are told this URL when they join */
  mqtt?: string
  /** with mqtt: a PEM file of the CA that signed the external broker's certificate when that is
   * not the plane's CA; the plane trusts it, and nodes are given it when they join */
  mqttCa?: string
  /** with mqtt: PEM files of a client certificate and its key the plane logs in to the external
   * broker with (a broker that takes the login from the certificate, e.g. Mosquitto's
   * require_certificate + use_identity_as_username) */
  mqttCert?: string
  mqttKey?: string
  /** with mqtt: the URL nodes are told to dial the broker at, when not mqtt's (another
   * listener or name: e.g. the plane logs in on a listener that requires a certificate) */
  mqttNodes?: string
  /** several planes on one etcd: only the elected leader runs the scheduler and the controllers
   * (leader-work.ts); every plane serves the API and runs the node channel for its share of the
   * nodes (plane/leader's PlaneMembers: rendezvous hashing over the live planes). Default: on
   * when the store is etcd and the broker external (or there is none: insecureHttp); false runs
   * them regardless. identity (default <hostname>_<data dir>) must be unique among the planes;
   * leaseSeconds: the leader's lease TTL (default 15; renewed every third of it);
   * memberSeconds: the TTL of each plane's own lease, after which a plane killed gives its nodes
   * to the others (default 3; keep it well under the node grace period) */
  leaderElect?: boolean | { identity?: string; leaseSeconds?: number; memberSeconds?: number }
  /** run the scheduler (default true); false leaves pods for another scheduler */
  scheduler?: boolean
  /** run the controllers (ReplicaSet, Deployment, node lifecycle, Endpoints; default true) */
  controllers?: boolean
  /** the controllers' clock (default the system's): a test hands a FakeClock to reach a
   * CronJob's next time without waiting for it */
  controllersClock?: Clock
  /** when a silent node is Unknown and tainted (gracePeriodMs, default 5 s) and how long its
   * pods stay (defaultTolerationSeconds, default 5); leaseRenewMs: a node's Lease is written at
   * most this often (default a quarter of the grace period, 1–10 s; keep it well under it) */
  nodeLifecycle?: NodeLifecycleOptions & { leaseRenewMs?: number }
  /** the HorizontalPodAutoscaler: syncPeriodMs (default 15 s), tolerance, windows */
  hpa?: HpaOptions
  /** the EndpointSlice controller's maxEndpointsPerSlice (default 100) */
  endpointSlice?: EndpointSliceOptions
  /** Events are deleted this long after their last write (default 3600, kube-apiserver's
   * --event-ttl); 0 keeps them forever */
  eventTtlSeconds?: number
  /** where Services of type NodePort / LoadBalancer get node ports (default 30000–32767,
   * kube-apiserver's --service-node-port-range) */
  serviceNodePortRange?: NodePortRange
  /** told the name of each node that joins (an embedding program's events) */
  onNodeJoined?: (node: string) => void
}

export interface Plane {
  url: string
  objects: ObjectStore
  /** <dataDir>/admin.kubeconfig (absent with insecureHttp) */
  adminKubeconfig?: string
  /** mqtts://host:port of the embedded broker, or the external one (absent with insecureHttp) */
  mqttUrl?: string
  /** the usage the nodes report (absent with insecureHttp: no nodes) */
  nodeStats?: NodeStats
  /** new secret key, every stored secret re-sealed with it, old keys retired */
  rotateSecretKeys(): Promise<{ keyId: string; resealed: number; retired: string[] }>
  close(): Promise<void>
}

/** kube-apiserver's --event-ttl default: one hour */
export const DEFAULT_EVENT_TTL = 3600

/** MQTT over TLS (IANA's secure-mqtt port) */
export const DEFAULT_MQTT_PORT = 8883

export function parseListen(listen: string, flag = '--listen'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen)
  if (!m) throw new BadRequestError(`plane: ${flag} must be host:port, got "${listen}"`)
  return { host: m[1] ?? m[2], port: Number(m[3]) }
}

const unspecified = (host: string) => host === '0.0.0.0' || host === '::' || host === ''

/** a listen host as it goes in a URL: unspecified → loopback, IPv6 in brackets */
function urlHost(host: string): string {
  if (unspecified(host)) return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/** even without TLS, secrets are sealed at rest */
function insecureSecretBox(dataDir: string) {
  return createSecretBox(dataDir)
}

async function ensureNamespaces(objects: ObjectStore): Promise<void> {
  const info = resourceByKind('Namespace')!
  for (const name of BUILTIN_NAMESPACES) {
    await objects
      .create(info, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      } as never)
      .catch((err) => {
        if (!isShoalError(err, 'AlreadyExists')) throw err
      })
  }
}

/** --mqtt-listen, or the --listen host at port 8883 (any free port when --listen takes port 0) */
function mqttListenOf(o: PlaneOptions, api: { host: string; port: number }) {
  const host = api.host.includes(':') ? `[${api.host}]` : api.host
  const fallback = `${host}:${api.port === 0 ? 0 : DEFAULT_MQTT_PORT}`
  return parseListen(o.mqttListen ?? fallback, '--mqtt-listen')
}

/** the external broker: its URL and the plane's login there */
function externalBroker(
  o: PlaneOptions,
):
  | (ExternalBroker & { login?: BrokerLogin; brokerCa?: string; nodesUrl: string; user: string })
  | undefined {
  if (!o.mqtt) {
    if (o.mqttCa || o.mqttCert || o.mqttKey || o.mqttNodes)
      throw new BadRequestError(
        'plane: --mqtt-ca, --mqtt-cert, --mqtt-key and --mqtt-nodes are for an external broker (--mqtt URL)',
      )
    return undefined
  }
  if (o.mqttListen)
    throw new BadRequestError(
      'plane: --mqtt (an external broker) and --mqtt-listen exclude each other',
    )
  const { url, username, password } = parseBrokerUrl(o.mqtt)
  const login = readBrokerLogin(o.dataDir)
  if (!o.mqttCert !== !o.mqttKey)
    throw new BadRequestError('plane: --mqtt-cert and --mqtt-key go together')
  const cert = o.mqttCert && readPem(o.mqttCert, '--mqtt-cert', 'CERTIFICATE')
  return {
    url,
    username: username ?? login?.username,
    password: password ?? login?.password,
    login,
    brokerCa: o.mqttCa && readPem(o.mqttCa, '--mqtt-ca', 'CERTIFICATE'),
    nodesUrl: o.mqttNodes === undefined ? url : parseBrokerUrl(o.mqttNodes, '--mqtt-nodes').url,
    cert,
    key: o.mqttKey && readPem(o.mqttKey, '--mqtt-key', 'PRIVATE KEY'),
    user: brokerUser(username, cert, login?.username),
  }
}

/** a PEM file's text; `label`: what its BEGIN line must name (…PRIVATE KEY: any key) */
function readPem(path: string, flag: string, label: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new BadRequestError(`plane: ${flag} ${path}: ${(err as Error).message}`)
  }
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text))
    throw new BadRequestError(`plane: ${flag} ${path} holds no PEM ${label}`)
  return text
}

/** is this plane one of several, elected? Several planes need a broker outside them all */
function leaderElect(o: PlaneOptions, external: unknown): boolean {
  const etcd = !!o.store
  if (o.leaderElect === undefined) return etcd && (!!external || !!o.insecureHttp)
  if (o.leaderElect === false) return false
  if (!etcd)
    throw new BadRequestError(
      'plane: --leader-elect is for several planes on one etcd (--store etcd://…); the CBOR log in a data dir serves one plane',
    )
  if (!external && !o.insecureHttp)
    throw new BadRequestError(
      'plane: --leader-elect needs an external broker (--mqtt URL): nodes must reach the node channel of whichever plane leads',
    )
  return true
}

type ExternalBroker = {
  url: string
  username?: string
  password?: string
  /** PEM: the CA(s) the broker's certificate may be signed by */
  ca?: string | string[]
  /** PEM: the plane's client certificate and key */
  cert?: string
  key?: string
}

/** the embedded broker (or an external one) and the node channel on it; a node authenticates
 * with its node token */
function startNodeTransport(
  security: Security,
  o: {
    listen: { host: string; port: number }
    external?: ExternalBroker
    objects: ObjectStore
    registry: Registry
    log: Logger
    leaseRenewMs?: number
    members?: PlaneMembers
  },
): Promise<Transport> {
  return startTransport({
    external: o.external,
    listen: o.listen,
    tls: security.tls,
    authenticateNode: (node, password) => {
      const user = security.tokens.authenticate(`Bearer ${password}`)
      return user?.role === 'node' && user.node === node
    },
    objects: o.objects,
    resolveImage: imageDigests(o.registry),
    log: o.log.child('transport'),
    leaseRenewMs: o.leaseRenewMs,
    ...(o.members && {
      owns: (node: string) => o.members!.owns(node),
      servedBy: o.members.identity,
    }),
  })
}

/** who the plane is at the external broker (several planes must differ): the URL's username,
 * else its client certificate's CN (use_identity_as_username), else broker.json's, else
 * PLANE_USER */
function brokerUser(inUrl?: string, cert?: string, inLogin?: string): string {
  if (inUrl) return inUrl
  let cn: string | undefined
  try {
    cn = cert && /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(cert).subject)?.[1]
  } catch {
    // not one X.509 certificate Node reads: the broker will say so when the plane logs in
  }
  return cn || inLogin || PLANE_USER
}

/** a short stable suffix of a plane's identity for its MQTT client id */
function clientSuffix(identity: string): string {
  return createHash('sha256').update(identity).digest('hex').slice(0, 12)
}

/** adds each joining node's login to the external broker's password file, one at a time */
function nodeLogins(passwordFile: string | undefined) {
  if (!passwordFile) return undefined
  let chain = Promise.resolve()
  return (node: string, token: string) => {
    const next = chain.then(() => addNodeLogin(passwordFile, node, token))
    chain = next.catch(() => undefined) // one failed write does not stop the next join's
    return next
  }
}

/** what a join does beyond the join itself: the broker's login, then telling onNodeJoined */
function onJoin(o: PlaneOptions, external: ReturnType<typeof externalBroker>) {
  const logins = nodeLogins(external?.login?.passwordFile)
  if (!o.onNodeJoined) return logins
  return async (node: string, token: string) => {
    await logins?.(node, token)
    o.onNodeJoined!(node)
  }
}

export async function createPlane(o: PlaneOptions): Promise<Plane> {
  const log = o.logger ?? createLogger('plane')
  ensurePrivateDataDir(o.dataDir, log) // 0700, as etcd's; fixed (with a warning) when open to others
  const { host, port } = parseListen(o.listen ?? '127.0.0.1:6443')
  const external = externalBroker(o)
  const electing = leaderElect(o, external) // before anything opens: a refusal leaks nothing
  const mqtt = mqttListenOf(o, { host, port })
  const security = o.insecureHttp
    ? undefined
    : ensureSecurity(o.dataDir, {
        serverUrl: `https://${urlHost(host)}:${port}`,
        sans: [host, mqtt.host, ...(o.sans ?? [])],
        logger: log,
      })
  const store = await openPlaneStore(o, log)
  // on etcd, where several planes may serve, the tokens are shared through it (token-sync.ts)
  const tokenSync =
    security && o.store
      ? await syncTokens(o.dataDir, store, { log: log.child('tokens') }).catch(
          async (err: unknown) => {
            await store.close()
            throw err
          },
        )
      : undefined
  const secretBox = security?.secrets ?? insecureSecretBox(o.dataDir)
  const objects = new ObjectStore(store, {
    clock: systemClock,
    transform: secretTransform(secretBox),
    ttl: o.eventTtlSeconds === 0 ? undefined : eventTtl(o.eventTtlSeconds ?? DEFAULT_EVENT_TTL),
    nodePortRange: o.serviceNodePortRange,
  })
  await ensureNamespaces(objects)
  // autoscalers read the pods' usage as kubectl top does, and their request rates (custom metric
  // http_requests_per_second, per pod or per Service): the nodes' stats, once the transport runs
  const stats = () => work?.transport()?.stats
  const list = async (kind: string, namespace: string) =>
    (await objects.list(resourceByKind(kind)!, { namespace })).items
  const metrics = metricsSources(
    usageMetrics({ usage: stats, pods: (namespace) => list('Pod', namespace) }),
    requestMetrics({ usage: stats, list }),
  )
  const registry = createRegistry({
    dir: join(o.dataDir, 'registry'),
    logger: log.child('registry'),
    prepareAtPush: true, // nodes pull images prepared, never transpiling them
  })
  // the single-writer work: for the plane's life, or while this plane leads (leader-work.ts)
  const parts: WorkParts = {
    scheduler:
      o.scheduler === false
        ? undefined
        : async () => {
            const scheduler = new Scheduler(objects, { log: log.child('scheduler') })
            await scheduler.start().catch(async (err: unknown) => {
              await scheduler.stop()
              throw err
            })
            return scheduler
          },
    controllers:
      o.controllers === false
        ? undefined
        : () =>
            startControllers(objects, {
              clock: o.controllersClock ?? systemClock,
              log: log.child('controllers'),
              nodeLifecycle: o.nodeLifecycle,
              hpa: o.hpa,
              endpointSlice: o.endpointSlice,
              metrics,
            }),
  }
  const nodeTransport = (members?: PlaneMembers) =>
    startNodeTransport(security!, {
      listen: mqtt,
      // the plane's CA, as the agents trust it, and the broker's own when it has one
      external: external && {
        ...external,
        ca: external.brokerCa ? [security!.caCert, external.brokerCa] : security!.caCert,
        // several planes each hold a session of their own
        ...(members && {
          clientId: `${external.user}-${clientSuffix(members.identity)}`,
        }),
      },
      objects,
      registry,
      log,
      leaseRenewMs:
        o.nodeLifecycle?.leaseRenewMs ??
        leaseRenewEveryMs(o.nodeLifecycle?.gracePeriodMs ?? DEFAULT_NODE_GRACE_MS),
      members,
    })
  const elect = typeof o.leaderElect === 'object' ? o.leaderElect : {}
  const identity = elect.identity ?? `${hostname()}_${resolve(o.dataDir)}`
  // several planes: every one serves its share of the nodes, whoever leads
  let shared: { members: PlaneMembers; transport: Transport } | undefined
  if (electing && security) shared = await startShared(identity).catch(failed)
  else if (security) parts.transport = () => nodeTransport()
  async function startShared(identity: string) {
    let transport: Transport | undefined
    const members = await PlaneMembers.start({
      store,
      identity,
      mqttUser: external?.user ?? PLANE_USER,
      ttlSeconds: elect.memberSeconds,
      clock: systemClock,
      log: log.child('planes'),
      changed: () => transport?.reown(),
    })
    try {
      transport = await nodeTransport(members)
    } catch (err) {
      await members.stop()
      throw err
    }
    transport.reown() // the live planes may have changed while it started
    return { members, transport }
  }
  async function failed(err: unknown): Promise<never> {
    await tokenSync?.close()
    await store.close()
    throw err
  }
  let work: LeaderWork | undefined = undefined // read by stats() once the parts run
  work = electing
    ? runWhileLeading(parts, {
        store,
        objects,
        identity,
        ttlSeconds: elect.leaseSeconds,
        clock: systemClock,
        log,
        transport: shared?.transport,
      })
    : await runAlways(parts).catch(failed)
  const transport = work.transport()
  // with leader election the broker is external: its URL, whether this plane leads or not
  const mqttUrl =
    security && (external?.nodesUrl ?? `mqtts://${urlHost(mqtt.host)}:${transport!.port}`)
  const onJoined = onJoin(o, external)
  // the node's token is in etcd before the answer: whichever plane leads lets the node in
  const joined =
    tokenSync || onJoined
      ? async (node: string, token: string) => {
          await tokenSync?.flush()
          await onJoined?.(node, token)
        }
      : undefined
  // the node channel stopped (no more writes), then the plane's lease revoked: the others take
  // its nodes at once
  async function closeShared() {
    await shared?.transport.close()
    await shared?.members.stop()
  }
  let ready = true
  const rotate = () => rotateSecretKeys(store, secretBox, log)
  const app = createApiApp({
    images: registry,
    admin: { rotateSecretKeys: rotate },
    objects,
    log: log.child('api'),
    version: o.version ?? '0.0.0',
    access: security && createAccess(security.tokens, objects),
    podLogs: security && podLogs(work.logs),
    usage: stats,
    join: security && {
      caCert: security.caCert,
      tokens: security.tokens,
      nodeCertificates: security.nodeCertificates,
      // a broker on every address is dialled at the address the node reached the API at
      mqttUrl: (apiHost) =>
        external?.nodesUrl ??
        `mqtts://${unspecified(mqtt.host) ? apiHost : urlHost(mqtt.host)}:${transport!.port}`,
      mqttCa: external?.brokerCa,
      joined,
      log: log.child('join'),
    },
    ready: () => ready,
    storeGauges: () => storeGauges(store),
  })
  const server = await serveApi(app.fetch, { host, port, tls: security?.tls }).catch(
    async (err: unknown) => {
      await work.close()
      await closeShared()
      await tokenSync?.close()
      await store.close()
      throw err
    },
  )
  // asked for any free port: the admin kubeconfig names the one taken
  if (security && port === 0)
    ensureAdminKubeconfig(o.dataDir, {
      server: server.url,
      caCert: security.caCert,
      tokens: security.tokens,
    })
  log.info('API server listening', {
    url: server.url,
    mqtt: mqttUrl,
    dataDir: o.dataDir,
    revision: store.revision,
  })
  return {
    url: server.url,
    mqttUrl,
    objects,
    adminKubeconfig: security?.adminKubeconfig,
    nodeStats: transport?.stats,
    rotateSecretKeys: rotate,
    async close() {
      ready = false
      const closing = server.close()
      endAllWatches()
      // the node channel first (in work.close()): it ends log streams too, so the server's close
      // is not held by them; a leader resigns, so another plane takes over at once
      await work.close()
      await closeShared()
      await closing
      await tokenSync?.close()
      await store.close()
      log.info('plane stopped')
    },
  }
}
