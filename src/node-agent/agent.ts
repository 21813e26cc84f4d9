// createAgent(): the node agent as one object, composed of its parts — desired-state cache,
// status queue, image cache, config source, reconciler, log streams, and the session on the
// channel. Offline first: the desired state saved on disk runs before (and without) any link;
// the channel connects in the background (session.ts says what happens then).
import { randomUUID } from 'node:crypto'
import type { DesiredPod, FromNode, MeshTable, PodStatusUpdate } from '../api/index.ts'
import { createLogger, NotFoundError, systemClock, type Clock, type Logger } from '../core/index.ts'
import { createRuntime, type Runtime } from '../wasm-runtime/index.ts'
import { RESTART_BACKOFF, type BackoffOptions } from './backoff.ts'
import { CertRenewer, planeSigner } from './cert-renewer.ts'
import { MqttChannel } from './channel.ts'
import { ConfigSource } from './config-source.ts'
import { ensurePrivateDir, layout } from './data-dir.ts'
import { DesiredCache, podProblem } from './desired-cache.ts'
import type { PressureThresholds } from './heartbeat.ts'
import { httpsFetch } from './https-fetch.ts'
import { DiskWatch, imagesOf, statfsFree } from './disk-watch.ts'
import { ImageCache } from './image-cache.ts'
import type { DiskFree } from './image-gc.ts'
import { imagePull } from './image-pull.ts'
import { loadCredentials } from './join.ts'
import { LogStreams } from './log-stream.ts'
import { MeshCache, type MeshListener } from './mesh-cache.ts'
import { linkServiceProxy } from './service-proxy-link.ts'
import {
  startAgentMesh,
  type AgentMesh,
  type AgentMeshOptions,
  type AgentMeshPorts,
} from './agent-mesh.ts'
import { nodeAddress, nodeInfo } from './node-info.ts'
import { Reconciler } from './reconciler.ts'
import { Session } from './session.ts'
import { readState, writeState } from './state-file.ts'
import { StatsReporter } from './stats-reporter.ts'
import { StatusQueue } from './status-queue.ts'
import type { Channel, Credentials } from './types.ts'
import { encodeMessage } from './wire.ts'

export interface AgentOptions {
  dataDir: string
  /** default: <dataDir>/credentials.json, as a join left it */
  credentials?: Credentials
  /** default: createRuntime() caching in <dataDir>/runtime, logging to <dataDir>/logs */
  runtime?: Runtime
  /** default: MQTT over TLS to the credentials' broker */
  channel?: Channel
  /** HTTPS to the plane (images, Secrets, ConfigMaps); default: node:https trusting its CA */
  fetch?: typeof fetch
  logger?: Logger
  clock?: Clock
  version?: string
  labels?: Record<string, string>
  /** the node's address (hostIP, podIP); default: the first non-internal IPv4, else 127.0.0.1 */
  address?: string
  /** without `mesh`: the node-to-node port reported in hello, where something else listens
   * (default DEFAULT_MESH_PORT; 0: none). With `mesh`, the port its mTLS listener bound. */
  meshPort?: number
  /** run the mesh (src/mesh) in the agent, listening as these say (`shoal agent` always does);
   * `port` defaults to meshPort. Pods being stopped are drained through it first. */
  mesh?: AgentMeshOptions
  /** capacity.pods (default 110) */
  maxPods?: number
  /** heartbeat period (default 2000 ms: the plane's node lifecycle calls a node silent after 5 s) */
  heartbeatMs?: number
  /** stats period (default 10000 ms) */
  statsMs?: number
  /** unacknowledged statuses are sent again after this long (default 30000 ms) */
  statusResendMs?: number
  /** statuses changing within this window go in one report (default 50 ms) */
  statusBatchMs?: number
  /** desired.json and status-queue.json: a change waits this long for the ones after it, and
   * one write saves them all (default 50 ms; `applied` waits for the write) */
  saveBatchMs?: number
  /** container restarts: default 10 s doubling to 5 min, reset after 10 min of running */
  restartBackoff?: BackoffOptions
  /** image pulls and containers that could not start: same defaults */
  retryBackoff?: BackoffOptions
  /** DiskPressure and image garbage collection: the disk fraction free, the images' budget */
  pressure?: PressureThresholds
  /** reads the data dir's filesystem (default statfs; a fake in tests) */
  diskFree?: DiskFree
  /** the longest a pod is given to stop when the agent shuts down (default 10000 ms) */
  shutdownGraceMs?: number
  logChunks?: { maxLines?: number; maxBytes?: number; flushMs?: number }
  /** keep <dataDir>/node.pem renewed; default: when the credentials come from the data dir */
  renewCertificate?: boolean
  /** told every pod status the agent reports (an embedding program's events) */
  onPodStatus?: (update: PodStatusUpdate) => void
  /** told the uid of each pod stopped and forgotten without a report (it left the node's set) */
  onPodForgotten?: (uid: string) => void
}

export interface Agent {
  readonly node: string
  /** changes with every agent process */
  readonly bootId: string
  /** the mesh table held (revision 0: none yet): the last the plane sent, or the one on disk */
  meshTable(): MeshTable
  /** `listener` is called with each mesh table taken from now on; returns its removal */
  onMeshTable(listener: MeshListener): () => void
  /** the ports the mesh listens on (undefined: the agent runs no mesh) */
  meshPorts(): AgentMeshPorts | undefined
  /** resolves once no pod is being reconciled and queued statuses were handed to the channel */
  idle(): Promise<void>
  /** stops every pod (the desired state stays on disk for the next start) and the link */
  close(): Promise<void>
}

/** how long a change of desired.json or status-queue.json waits for more before one write */
export const SAVE_BATCH_MS = 50

/** the mesh's node-to-node (mTLS) port unless --mesh-port says otherwise */
export const DEFAULT_MESH_PORT = 10443

async function credentialsOf(o: AgentOptions, log: Logger): Promise<Credentials> {
  const c = o.credentials ?? (await loadCredentials(o.dataDir, log))
  if (!c)
    throw new NotFoundError(
      `agent: ${o.dataDir} holds no credentials; join a plane first: shoal agent --join https://PLANE:6443 --token T --ca-cert-hash sha256:HEX --name NODE --data-dir ${o.dataDir}`,
    )
  return c
}

interface Wiring {
  o: AgentOptions
  paths: ReturnType<typeof layout>
  credentials: Credentials
  clock: Clock
  log: Logger
  channel: Channel
  planeFetch: typeof fetch
  retryBackoff: BackoffOptions
  bootId: string
  address: string
  send(message: FromNode): boolean
  /** the mesh, once started (pods are drained through it before they stop) */
  mesh?: AgentMesh
}

interface Parts {
  runtime: Runtime
  desired: DesiredCache
  queue: StatusQueue
  images: ImageCache
  reconciler: Reconciler
  mesh: MeshCache
  /** Secrets and ConfigMaps read with the node's token, cached on disk */
  config: ConfigSource
  logs: LogStreams
  /** runs a desired set */
  run(pods: DesiredPod[]): void
  /** image garbage collection under disk pressure, and what DiskPressure says */
  disk: DiskWatch
}

async function wiring(o: AgentOptions): Promise<Wiring> {
  const log = o.logger ?? createLogger('agent')
  ensurePrivateDir(o.dataDir, log)
  const credentials = await credentialsOf(o, log)
  const channel = o.channel ?? new MqttChannel({ credentials, log })
  return {
    o,
    paths: layout(o.dataDir),
    credentials,
    clock: o.clock ?? systemClock,
    log,
    channel,
    planeFetch: o.fetch ?? httpsFetch({ ca: credentials.caCert }),
    retryBackoff: o.retryBackoff ?? RESTART_BACKOFF,
    bootId: randomUUID(),
    address: nodeAddress(o.address),
    send: (m) => {
      const { leaf, payload } = encodeMessage(m)
      return channel.send(leaf, payload)
    },
  }
}

async function openStatusQueue(w: Wiring): Promise<StatusQueue> {
  const saved = await readState<{ updates?: PodStatusUpdate[] }>(w.paths.statusQueue, w.log)
  return new StatusQueue(
    {
      send: w.send,
      save: (updates) => writeState(w.paths.statusQueue, { updates }),
      clock: w.clock,
      resendMs: w.o.statusResendMs ?? 30_000,
      batchMs: w.o.statusBatchMs ?? 50,
      saveDelayMs: w.o.saveBatchMs ?? SAVE_BATCH_MS,
      idPrefix: w.bootId.slice(0, 8),
      log: w.log,
    },
    Array.isArray(saved?.updates) ? saved.updates : [],
  )
}

async function openImageCache(w: Wiring, onChange: () => void): Promise<ImageCache> {
  const { o, credentials, planeFetch, retryBackoff } = w
  const images = new ImageCache({
    dir: w.paths.images,
    ...imagePull({
      ...{ plane: credentials.plane, token: credentials.token, fetch: planeFetch },
      retryDelayMs: Math.min(500, retryBackoff.initialMs),
    }),
    runtimeCache: w.paths.runtimeCache,
    gc: {
      minFreeFraction: o.pressure?.diskFraction ?? 0.1,
      maxImageBytes: o.pressure?.imageBytes,
      diskFree: o.diskFree ?? statfsFree,
    },
    backoff: retryBackoff,
    clock: w.clock,
    log: w.log,
    onChange,
  })
  await images.load()
  return images
}

/** podProblem of each pod object held: a desired-change keeps the pods it does not touch, so
 * only the pods it brings are checked (not the whole set again for every pod created) */
const problems = new WeakMap<DesiredPod, string | undefined>()

/** the desired pods that can be run (a damaged entry is logged and left out) */
function usable(pods: DesiredPod[], log: Logger): DesiredPod[] {
  return pods.filter((p) => {
    if (!problems.has(p)) problems.set(p, podProblem(p))
    const problem = problems.get(p)
    if (problem) log.error('refused a desired pod', { pod: `${p.namespace}/${p.name}`, problem })
    return !problem
  })
}

async function openParts(w: Wiring): Promise<Parts> {
  const { o, paths, credentials, clock, log, channel } = w
  const runtime =
    o.runtime ??
    createRuntime({ cacheDir: paths.runtimeCache, logDir: paths.logs, transpile: false })
  const queue = await openStatusQueue(w)
  const images = await openImageCache(w, () => reconciler.enqueueAll())
  const config = new ConfigSource({
    ...{ dir: paths.config, plane: credentials.plane, token: credentials.token },
    ...{ fetch: w.planeFetch, online: () => channel.connected, log },
  })
  const reconciler = new Reconciler({
    ...{ runtime, images, config, clock, log, hostIP: w.address, podsDir: paths.pods },
    restartBackoff: o.restartBackoff ?? RESTART_BACKOFF,
    retryBackoff: w.retryBackoff,
    report: (update) => {
      queue.put(update)
      o.onPodStatus?.(update)
    },
    forget: (uid) => {
      queue.drop(uid)
      o.onPodForgotten?.(uid)
    },
    drain: (uid) => w.mesh?.mesh.drainLocal(uid),
  })
  const logs = new LogStreams({
    runtime,
    pods: reconciler,
    send: w.send,
    clock,
    log,
    ...o.logChunks,
  })
  const run = (pods: DesiredPod[]) => {
    const ok = usable(pods, log)
    if (ok.length) runtime.warm() // threads only once there is something to run
    wanted = imagesOf(ok)
    reconciler.setDesired(ok)
    config
      .prune(ok)
      .catch((e: Error) => log.warn('pruning cached config failed', { error: e.message }))
  }
  let wanted = new Set<string>()
  const desired = await DesiredCache.load(paths.desired, log, {
    clock: o.clock, // a fake one in tests; else refClock, whose timers keep the process alive
    delayMs: o.saveBatchMs ?? SAVE_BATCH_MS,
  })
  const mesh = await MeshCache.load(paths.mesh, log)
  const disk = new DiskWatch(images, () => wanted, { clock, periodMs: o.heartbeatMs ?? 2000, log })
  return { runtime, desired, mesh, config, queue, images, reconciler, logs, run, disk }
}

function openSession(w: Wiring, p: Parts): Session {
  const { o, channel, send, bootId, clock, log } = w
  const { desired, mesh, run, queue, logs, images, reconciler } = p
  const session = new Session({
    ...{ channel, send, desired, mesh, run, queue, logs, bootId, clock, log },
    retry: () => {
      images.retryNow()
      reconciler.retryNow()
    },
    images: () => images.digests(),
    info: nodeInfo({
      ...{ version: o.version ?? 'unknown', labels: o.labels ?? {}, address: w.address },
      maxPods: o.maxPods ?? 110,
      meshPort: o.mesh ? (w.mesh?.ports.tls ?? 0) : (o.meshPort ?? DEFAULT_MESH_PORT),
    }),
    ...{ dataDir: o.dataDir, pressure: o.pressure, heartbeatMs: o.heartbeatMs ?? 2000 },
    diskProblem: () => p.disk.problem,
  })
  session.open()
  return session
}

function startRenewer(w: Wiring): CertRenewer {
  const { credentials: c, clock, log } = w
  const renewer = new CertRenewer({
    ...{ path: w.paths.certificate, node: c.node, caCert: c.caCert, ips: [w.address] },
    ...{ sign: planeSigner(w.planeFetch, c), clock, log },
    // the mesh's node-to-node TLS takes the new certificate at once (no restart)
    renewed: (cert, key) => {
      if (w.mesh && !w.mesh.mesh.setNodeCertificate(cert, key))
        log.warn(
          'the mesh has no node-to-node listener: the renewed certificate is used after a restart',
        )
    },
  })
  renewer.start()
  return renewer
}

/** the mesh, routing by the table on disk from the start; a port that cannot be bound ends the start */
async function startMesh(m: AgentMeshOptions, w: Wiring, p: Parts): Promise<AgentMesh> {
  const { o, credentials: c, paths, address, log } = w
  try {
    return await startAgentMesh(m, {
      ...{ node: c.node, address, caCert: c.caCert, certificatePath: paths.certificate },
      ...{ cache: p.mesh, defaultPort: o.meshPort ?? DEFAULT_MESH_PORT, log },
      tlsSecret: (namespace, name) => p.config.get('Secret', namespace, name),
      runtime: p.runtime,
    })
  } catch (error) {
    await p.disk.close()
    if (!o.runtime) await p.runtime.close()
    throw error
  }
}

export async function createAgent(o: AgentOptions): Promise<Agent> {
  const w = await wiring(o)
  const p = await openParts(w)
  if (o.mesh) w.mesh = await startMesh(o.mesh, w, p) // before the first hello: it tells the port
  if (o.mesh && w.mesh) linkServiceProxy(p.runtime, w.mesh, { options: o.mesh, cache: p.mesh })
  p.run(p.desired.pods) // offline first: the saved state runs before any link
  const session = openSession(w, p)
  const stats = new StatsReporter({
    ...{ runtime: p.runtime, pods: () => p.reconciler.held(), send: w.send },
    ...{ online: () => w.channel.connected, clock: w.clock, log: w.log, everyMs: o.statsMs },
    mesh: w.mesh && (() => w.mesh!.mesh.endpointStats()),
  })
  stats.start()
  const renewer = (o.renewCertificate ?? !o.credentials) ? startRenewer(w) : undefined
  const { node } = w.credentials
  w.log.info('agent started', {
    ...{ node, pods: p.desired.pods.length, revision: p.desired.revision },
    meshRevision: p.mesh.table.revision,
  })
  let closing: Promise<void> | undefined
  return {
    node,
    bootId: w.bootId,
    meshTable: () => p.mesh.table,
    onMeshTable: (listener) => p.mesh.listen(listener),
    meshPorts: () => w.mesh?.ports,
    async idle() {
      await p.desired.flush()
      await session.settled()
      await p.reconciler.idle()
      p.queue.flush()
      await p.queue.saved()
    },
    close: () =>
      (closing ??= (async () => {
        await p.desired.flush()
        await session.close()
        stats.close()
        renewer?.stop()
        p.queue.close()
        await p.reconciler.close(o.shutdownGraceMs ?? 10_000)
        await w.mesh?.stop()
        await p.disk.close()
        await w.channel.close()
        if (!o.runtime) await p.runtime.close()
        await p.queue.saved()
      })()),
  }
}
