// The runtime's vocabulary: what the node agent asks for (InstanceSpec) and what it hears back
// (InstanceStatus, InstanceStats, log lines). Pure types, shared by the real and the fake runtime.
import type { ServiceProxy } from './service-proxy.ts'

export type WorkloadKind = 'http' | 'handler' | 'command'

/** a handler's answer to a request handed over in process (Runtime.handle) */
export type HandleResult = { ok: true; body: Uint8Array } | { ok: false; message: string }

export interface VolumeMount {
  guestPath: string
  hostPath: string
  readOnly?: boolean
}

export interface InstanceLimits {
  /** caps every linear memory of the instance; growth past it fails (→ OOMKilled) */
  memoryBytes?: number
  /** CPU budget in millicores (1000 = one core) while a call runs */
  cpuMillis?: number
  /** deadline of one call into the instance: an HTTP request, or a command's whole run */
  requestTimeoutMs?: number
}

export interface HttpGetAction {
  path: string
}

/** A Kubernetes-style probe: an HTTP GET to the instance, or (without httpGet) "still running". */
export interface ProbeSpec {
  httpGet?: HttpGetAction
  initialDelaySeconds?: number
  periodSeconds?: number
  timeoutSeconds?: number
  successThreshold?: number
  failureThreshold?: number
}

export interface InstanceSpec {
  /** pod uid + container name; unique among live instances */
  id: string
  /**
   * digest: the component's. path: the component itself, or — with `prepared`, the digest of
   * that file — the image as the plane's registry prepared it (prepared-image.ts), which is
   * unpacked and never transpiled.
   */
  image: { digest: string; path: string; prepared?: string }
  kind: WorkloadKind
  env: Record<string, string>
  args: string[]
  volumes: VolumeMount[]
  network: boolean
  /** the pod's namespace: a bare `http://<svc>` the instance calls through the service proxy
   *  names a Service there (`<svc>.<namespace>.svc`), as Kubernetes' DNS search path; default:
   *  the mesh's default namespace */
  namespace?: string
  limits: InstanceLimits
  /** replace the instance (start new, drain old) after this many requests */
  recycleAfterRequests?: number
  /** …or once its linear memory passes this many bytes (default 80 % of limits.memoryBytes) */
  recycleAfterMemoryBytes?: number
  readinessProbe?: ProbeSpec
  livenessProbe?: ProbeSpec
}

export type InstanceState = 'starting' | 'running' | 'ready' | 'exited'
export type ExitReason = 'Completed' | 'Error' | 'OOMKilled' | 'DeadlineExceeded'

export interface InstanceStatus {
  id: string
  state: InstanceState
  ready: boolean
  /** set when state is 'exited' */
  reason?: ExitReason
  exitCode?: number
  /** a human sentence: why it exited, which probe failed */
  message?: string
  /** loopback URL of http and handler instances, e.g. http://127.0.0.1:41234 */
  url?: string
  /** restarts done by the runtime itself (liveness failures) */
  restartCount: number
  startedAt?: number
  finishedAt?: number
}

export interface InstanceStats {
  /** bytes of all linear memories of the current instance */
  memoryBytes: number
  requests: number
  /** time spent running the instance's code (its calls; a command: its run so far), ms */
  cpuMs: number
  uptimeMs: number
  /** how many times the instance was recycled (replaced after N requests or memory growth) */
  recycles: number
}

export interface LogOptions {
  tailLines?: number
  follow?: boolean
  timestamps?: boolean
}

export interface LogLine {
  time: number
  stream: 'stdout' | 'stderr'
  text: string
}

export interface InstanceHandle {
  id: string
  /** resolves once the instance runs (or rejects: bad image, bad spec) */
  status: InstanceStatus
}

export type StatusListener = (status: InstanceStatus) => void

/** What the node agent drives; createRuntime() and FakeRuntime both implement it. */
export interface Runtime {
  start(spec: InstanceSpec): Promise<InstanceHandle>
  stop(id: string, opts?: { graceMs?: number }): Promise<void>
  status(id: string): InstanceStatus | undefined
  list(): InstanceStatus[]
  /** returns an unsubscribe function */
  onStatus(listener: StatusListener): () => void
  logs(id: string, opts?: LogOptions): AsyncIterable<string>
  stats(id: string): Promise<InstanceStats>
  /** where the mesh sends a request for an http or handler instance */
  url(id: string): string | undefined
  /**
   * for a live handler instance, a function handing a request body to its thread without its
   * HTTP server (the mesh's in-process path) that resolves to its answer or a failure (the call
   * failed, the instance is gone); undefined when `id` is no live handler (use url(id)).
   * Optional: FakeRuntime has none.
   */
  handler?(id: string): ((body: Uint8Array) => Promise<HandleResult>) | undefined
  /** forget an exited instance (its status and log buffer; the log file stays) */
  remove(id: string): void
  /** get ready to start instances (the real runtime starts its threads only when asked, or at
   *  the first start: a runtime with nothing to run costs no thread) */
  warm(): void
  /** where outgoing http to a Service goes from now on (undefined: nowhere; see
   *  RuntimeOptions.serviceProxy) — e.g. the mesh's port once bound, its namespaces per table */
  setServiceProxy(proxy: ServiceProxy | undefined): void
  close(): Promise<void>
}

export interface RuntimeOptions {
  cacheDir: string
  logDir: string
  /** worker threads hosting http and handler instances (default 1); commands get their own */
  workers?: number
  /** most worker threads for http and handler instances that may wait in a host call (default:
   *  one per 128 MiB of RAM, 2 to 16); with all of them full (waitersPerThread), the
   *  least-loaded one takes more */
  soloWorkers?: number
  /** instances that may wait in a host call hosted per such thread (default 10) */
  waitersPerThread?: number
  /** a call that has waited in a host call for this long (default 1000 ms) makes its thread's
   *  other instances move to another thread (their url changes) */
  waitStallMs?: number
  /** lines kept in memory per instance (default 1000) */
  logLines?: number
  /** a worker that does not answer a heartbeat within this is replaced (default 3000 ms) */
  hangMs?: number
  /** fuel units per ms of CPU budget (default: calibrated, see fuel-budget.ts) */
  fuelPerMs?: number
  /**
   * false: only prepared images run (InstanceSpec.image.prepared); a bare component is refused
   * and the transpiler is never loaded — the node agent's runtime. Default true (the local path).
   */
  transpile?: boolean
  /**
   * V8's tier for guest code, process-wide, set by the first runtime of the process: 'baseline'
   * (default; Liftoff alone, 30–55 MB less RSS with a JS image, see code-tier.ts) or 'optimized'
   * (tier-up to TurboFan: CPU-heavy guests faster, more memory).
   */
  codeTier?: 'baseline' | 'optimized'
  /**
   * the node's local mesh listener: an instance's outgoing plain-http request to a Service name
   * (`<svc>`, `<svc>.<ns>` for a namespace listed, `<svc>.<ns>.svc[.<clusterDomain>]`;
   * service-proxy.ts) goes there, Host kept, so it is balanced and confined by the mesh; other
   * hosts go out directly (network: true) or not at all. An instance without network may still
   * reach Services this way. Default: none (Service names are looked up like any host).
   */
  serviceProxy?: ServiceProxy
}
