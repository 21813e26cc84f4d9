// wasm-runtime: runs WebAssembly components as sandboxed, limited, restartable workloads for the
// node agent.
//
// Contract:
// - Images are prepared once, where they are pushed: prepareComponent() (the plane's registry)
//   transpiles a component with jco in a short-lived thread into one CBOR file, its own sha256
//   its address (prepared-image.ts states the format); decodePrepared() reads one back.
// - start(spec) with spec.image.prepared verifies that file (its sha256, the component digest it
//   names) and unpacks it under cacheDir: jco is never loaded. Without it (the local path: tests,
//   benches, in-process users) it verifies the component (sha256 = spec.image.digest, preamble)
//   and transpiles it once per digest + jco version (disk cache under cacheDir) — unless the
//   runtime was made with transpile: false (the node agent's), which refuses it. Then it
//   instruments every core module (memory cap from limits.memoryBytes, fuel metering; in a
//   short-lived thread) and compiles it once per process, then instantiates it in a shared worker thread (commands: a
//   worker of their own; http and handler instances whose component may wait in a host call — a
//   sleep, a poll, outgoing HTTP, sockets — share threads of their own, waitersPerThread to a
//   thread, soloWorkers threads at most; once a call has waited for waitStallMs, its thread keeps
//   it alone and the others move: each starts afresh in another thread, its url changes; every
//   thread's WASI I/O — sockets, HTTP servers,
//   timers, file streams — goes through one preview2-shim I/O thread for the process; guest
//   code is compiled by V8's baseline compiler alone unless codeTier says 'optimized'). Bad
//   input (missing file, digest mismatch, a core module or garbage, a bad spec, exports that do
//   not fit the kind) rejects with InvalidError "runtime: …"; nothing crashes.
// - Each instance gets only what the spec grants: its env and args (no host env; initial-cwd is
//   none, never the host's cwd), preopens for its volumes only, network on/off; wasi:cli/exit
//   ends the instance, never the process; stdout and stderr are captured per instance as
//   timestamped lines (ring buffer + <logDir>/<id>.log). stats() of an instance inside a call
//   (a command's run, a service waiting in a host call) answers at once, from memory sizes its
//   thread shares.
// - Status events (onStatus): starting → running → ready (readiness) → exited with reason
//   Completed | Error (exitCode) | OOMKilled (memory cap hit) | DeadlineExceeded (CPU budget of a
//   call used up: limits.cpuMillis × limits.requestTimeoutMs, enforced by fuel). Liveness failure
//   is reported and the instance is replaced in place (restartCount + 1). A worker thread that
//   stops answering is terminated; its instances exit with a message saying so. Time waited in a
//   host call is not run time: it never counts against a deadline and never ends anybody; a
//   request to an instance that waits waits with it (or times out by its client's deadline), and
//   a liveness probe that fails meanwhile restarts it as any other. A neighbour in its thread is
//   held up to waitStallMs plus a start (then moved; requests it had been sent meanwhile wait with
//   the waiter's thread); a probe sent to an instance that has since moved counts neither way.
// - http (wasi:http/proxy) and handler (handle: list<u8> → list<u8>) instances listen on
//   url(id) = http://127.0.0.1:<port>; both are recycled (new instance first, then the old one
//   dropped) after recycleAfterRequests requests or recycleAfterMemoryBytes of linear memory
//   (default 80 % of limits.memoryBytes). Once an instance has exited, its port may be given to
//   a later instance: follow url(id), never a remembered port.
// - Service calls: with a service proxy (RuntimeOptions.serviceProxy, setServiceProxy), an
//   instance's outgoing plain-http request to a Service name (`<svc>`, `<svc>.<ns>` for the
//   namespaces it lists, `<svc>.<ns>.svc[.<clusterDomain>]`; service-proxy.ts) is sent to the
//   node's mesh with its Host kept; other hosts go out directly, and only with network: true —
//   an instance without network reaches Services and nothing else.
// - FakeRuntime implements the same Runtime interface in memory, for the agent's unit tests.
export { createRuntime } from './runtime.ts'
export { FakeRuntime } from './fake-runtime.ts'
export {
  decodePrepared,
  encodePrepared,
  kindOfExports,
  prepareComponent,
  transpilerVersion,
  PREPARED_FORMAT,
  type PreparedImage,
} from './prepared-image.ts'
export { isServiceHost, type ServiceProxy } from './service-proxy.ts'
export type {
  ExitReason,
  HandleResult,
  HttpGetAction,
  InstanceHandle,
  InstanceLimits,
  InstanceSpec,
  InstanceState,
  InstanceStats,
  InstanceStatus,
  LogLine,
  LogOptions,
  ProbeSpec,
  Runtime,
  RuntimeOptions,
  StatusListener,
  VolumeMount,
  WorkloadKind,
} from './types.ts'
