// Which of a component's outgoing wasi:http requests go to the node's mesh (RuntimeOptions
// .serviceProxy), and the cell that carries that setting to every thread of the runtime.
//
// The rule (Kubernetes' names for a Service, as the mesh's local listener takes them):
// - `<svc>`: one label (not `localhost`);
// - `<svc>.<ns>.svc` and `<svc>.<ns>.svc.<clusterDomain>`;
// - `<svc>.<ns>` when `<ns>` is one of `namespaces` (the namespaces of the mesh table's
//   Services): `api.example` is a Service if namespace `example` has Services, a public name else;
// never an IP literal or any other dotted name. Scheme http only: https goes out as asked.
// A request that matches is sent to `host:port` with its Host header kept (`backend.default`).
// A bare `<svc>` from an instance that knows its namespace (InstanceSpec.namespace) is sent as
// `<svc>.<ns>.svc`: the caller's namespace, as Kubernetes' DNS search path resolves it.
// No node: imports: the same code runs in the main thread, the host threads and the I/O thread.

export interface ServiceProxy {
  /** the node's local mesh listener, e.g. 127.0.0.1 and its port */
  host: string
  port: number
  /** default cluster.local */
  clusterDomain?: string
  /** namespaces whose `<svc>.<ns>` names a Service */
  namespaces?: string[]
}

/** `authority` (`host[:port]`) names a Service the mesh routes */
export function isServiceHost(authority: string, proxy: ServiceProxy): boolean {
  let host = authority.toLowerCase()
  if (host.startsWith('[')) return false // IPv6 literal
  const colon = host.indexOf(':')
  if (colon >= 0) host = host.slice(0, colon)
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (host === '' || host === 'localhost' || /^[0-9.]+$/.test(host)) return false
  const labels = host.split('.')
  if (labels.some((l) => l === '')) return false
  if (labels.length === 1) return true
  if (labels.length === 2) return proxy.namespaces?.includes(labels[1]!) === true
  if (labels[2] !== 'svc') return false
  return (
    labels.length === 3 || labels.slice(3).join('.') === (proxy.clusterDomain ?? 'cluster.local')
  )
}

/** `authority` with a bare `<svc>` host qualified as `<svc>.<namespace>.svc` (port kept);
 *  any other authority unchanged */
export function inNamespace(authority: string, namespace: string | undefined): string {
  if (!namespace || authority.startsWith('[')) return authority
  const colon = authority.indexOf(':')
  const host = colon >= 0 ? authority.slice(0, colon) : authority
  if (host === '' || host.includes('.')) return authority
  return `${host}.${namespace}.svc${colon >= 0 ? authority.slice(colon) : ''}`
}

const header = 2 // Int32 slots: [0] sequence (odd while written), [1] byte length
const defaultBytes = 64 * 1024

/**
 * A ServiceProxy (or none) in shared memory: the runtime writes it, any thread holding the buffer
 * reads the latest at each request (decoded again only after a change). One writer.
 */
export class ServiceProxyCell {
  readonly buffer: SharedArrayBuffer
  readonly #meta: Int32Array
  readonly #bytes: Uint8Array
  #seen = -1
  #value: ServiceProxy | undefined

  constructor(buffer = new SharedArrayBuffer(header * 4 + defaultBytes)) {
    this.buffer = buffer
    this.#meta = new Int32Array(buffer, 0, header)
    this.#bytes = new Uint8Array(buffer, header * 4)
  }

  /** store `proxy` (undefined: none); throws when it does not fit */
  set(proxy: ServiceProxy | undefined): void {
    const bytes = new TextEncoder().encode(proxy ? JSON.stringify(proxy) : '')
    if (bytes.length > this.#bytes.length)
      throw new RangeError(
        `runtime: the service proxy setting is ${bytes.length} bytes, more than ${this.#bytes.length}`,
      )
    Atomics.add(this.#meta, 0, 1)
    this.#bytes.set(bytes)
    Atomics.store(this.#meta, 1, bytes.length)
    Atomics.add(this.#meta, 0, 1)
  }

  get(): ServiceProxy | undefined {
    for (;;) {
      const seq = Atomics.load(this.#meta, 0)
      if (seq === this.#seen) return this.#value
      if (seq % 2 === 1) continue // being written (a few µs)
      const length = Atomics.load(this.#meta, 1)
      const text = new TextDecoder().decode(this.#bytes.slice(0, length))
      if (Atomics.load(this.#meta, 0) !== seq) continue
      this.#value = text ? (JSON.parse(text) as ServiceProxy) : undefined
      this.#seen = seq
      return this.#value
    }
  }
}
