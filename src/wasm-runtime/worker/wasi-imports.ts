// Adapter (worker side): the WASI import object of ONE instance. Built from preview2-shim's
// WASIShim sandbox (its own env, args, preopens for declared volumes only, network on/off; no
// host env), with these overrides: exit ends the instance (never the process); stdout/stderr
// are per-instance streams handed to `onOutput` instead of the process-global ones; and
// initial-cwd is none, as in wasmtime unless configured (the shim would return the host's cwd).
// Without network, outgoing wasi:http may still reach the cluster's Services when the runtime has
// a service proxy (service-proxy.ts): plain http to a Service name, which goes through the mesh.
// A bare `<svc>` names a Service in the instance's own namespace (SandboxConfig.namespace).
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation'
import { clocks, http, io } from '@bytecodealliance/preview2-shim'
import { inNamespace, isServiceHost, type ServiceProxyCell } from '../service-proxy.ts'
import { readOnlyPreopens } from './read-only-fs.ts'

/** Thrown by wasi:cli/exit; unwinds the guest back to the host, which reads the code. */
export class GuestExit extends Error {
  readonly code: number
  constructor(code: number) {
    super(`runtime: guest exited with code ${code}`)
    this.code = code
  }
}

export type OutputSink = (stream: 'stdout' | 'stderr', bytes: Uint8Array) => void

export interface SandboxConfig {
  env: Record<string, string>
  args: string[]
  preopens: Record<string, string>
  /** guest paths of the preopens the guest may only read */
  readOnlyPaths: string[]
  network: boolean
  /** the runtime's service proxy: without network, Services stay reachable through it */
  serviceProxy?: ServiceProxyCell
  /** the pod's namespace: a bare `<svc>` called is `<svc>.<namespace>.svc` */
  namespace?: string
}

type ImportObject = Record<string, unknown>
const outputStreamProto = (io.streams.OutputStream as unknown as { prototype: object }).prototype

/** An object the glue accepts as wasi:io/streams OutputStream, writing into `sink`. */
function captureStream(stream: 'stdout' | 'stderr', sink: OutputSink): object {
  const write = (buf: Uint8Array): void => sink(stream, Uint8Array.from(buf))
  return Object.assign(Object.create(outputStreamProto) as object, {
    checkWrite: () => 1n << 20n,
    write,
    blockingWriteAndFlush: write,
    flush: () => undefined,
    blockingFlush: () => undefined,
    writeZeroes: (len: bigint) => write(new Uint8Array(Number(len))),
    blockingWriteZeroesAndFlush: (len: bigint) => write(new Uint8Array(Number(len))),
    subscribe: () => clocks.monotonicClock.subscribeDuration(0n),
    [Symbol.dispose]: () => undefined,
  })
}

interface OutgoingRequest {
  scheme(): { tag: string } | undefined
  authority(): string | undefined
  setAuthority(authority: string | undefined): void
}

/**
 * The outgoing handler of an instance: Services through the mesh (a bare `<svc>` qualified with
 * `namespace`); other hosts directly with `network`, else wasi:http's HTTP-request-denied error
 * code (the shim's own denial throws a string the glue cannot lower, which traps the guest).
 */
function servicesFirst(
  cell: ServiceProxyCell | undefined,
  namespace: string | undefined,
  network: boolean,
): object {
  const open = http.outgoingHandler as unknown as { handle(...a: unknown[]): unknown }
  return {
    handle(request: OutgoingRequest, ...rest: unknown[]) {
      const proxy = cell?.get()
      const authority = request.authority()
      const plain = (request.scheme()?.tag ?? 'HTTP') === 'HTTP'
      if (proxy && plain && authority !== undefined && isServiceHost(authority, proxy)) {
        const qualified = inNamespace(authority, namespace)
        if (qualified !== authority) request.setAuthority(qualified)
        return open.handle(request, ...rest)
      }
      if (network) return open.handle(request, ...rest)
      throw { tag: 'HTTP-request-denied' }
    },
  }
}

export function wasiImports(config: SandboxConfig, sink: OutputSink): ImportObject {
  const shim = new WASIShim({
    sandbox: {
      env: config.env,
      args: config.args,
      preopens: config.preopens,
      enableNetwork: config.network,
    },
  })
  const stdout = captureStream('stdout', sink)
  const stderr = captureStream('stderr', sink)
  const exit = {
    exit: (status: { tag: string }) => {
      throw new GuestExit(status.tag === 'err' ? 1 : 0)
    },
    exitWithCode: (code: number) => {
      throw new GuestExit(code)
    },
  }
  const imports = shim.getImportObject() as ImportObject
  const environment = imports['wasi:cli/environment'] as object
  const preopens = imports['wasi:filesystem/preopens'] as Parameters<typeof readOnlyPreopens>[0]
  return {
    ...imports,
    'wasi:http/outgoing-handler': servicesFirst(
      config.serviceProxy,
      config.namespace,
      config.network,
    ),
    'wasi:filesystem/preopens': readOnlyPreopens(preopens, config.readOnlyPaths),
    'wasi:cli/environment': { ...environment, initialCwd: () => undefined },
    'wasi:cli/exit': exit,
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
  }
}
