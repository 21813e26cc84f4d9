// Worker side: hosts many instances in this thread. Each call into guest code is metered (fuel
// set from the CPU budget), recorded in the call slot for the watchdog, and guarded: a trap or
// exit ends that instance alone, reported with the reason the agent shows.
import { ShoalError } from '../../core/index.ts'
import type { ExitReport, FromWorker, ModuleSet, StartRequest } from '../protocol.ts'
import type { ServiceProxyCell } from '../service-proxy.ts'
import { CallSlot, type CallResult } from './call-guard.ts'
import {
  instantiateGeneration,
  memoryBytes,
  setFuel,
  type Generation,
  type InstantiateFn,
  type LoadedImage,
} from './generation.ts'
import { kindMismatch } from './kind-exports.ts'
import { completed, exitOutcome } from './outcome.ts'
import { serveHandler } from './serve-handler.ts'
import { serveHttp } from './serve-http.ts'
import { wasiImports } from './wasi-imports.ts'

interface Hosted {
  req: StartRequest
  image: LoadedImage
  gen: Generation
  server?: { port: number; stop(): void }
  requests: number
  /** ms spent inside calls into the guest */
  cpuMs: number
  recycles: number
  recycling: boolean
  dead: boolean
}

export interface HostDeps {
  post(message: FromWorker): void
  slot: CallSlot
  importGlue(file: string): Promise<{ instantiate: InstantiateFn }>
  /** the runtime's service proxy setting (instances without network reach Services through it) */
  serviceProxy?: ServiceProxyCell
}

export class InstanceHost {
  readonly #deps: HostDeps
  readonly #images = new Map<string, Promise<LoadedImage>>()
  readonly #hosted = new Map<number, Hosted>()
  constructor(deps: HostDeps) {
    this.#deps = deps
  }

  #image(key: string, load?: ModuleSet): Promise<LoadedImage> {
    let image = this.#images.get(key)
    if (!image && load) {
      image = this.#deps.importGlue(load.glueFile).then(({ instantiate }) => ({
        instantiate,
        modules: load.modules,
        fuelExports: new Set(load.fuelExports),
      }))
      this.#images.set(key, image)
    }
    if (!image) throw new ShoalError('Internal', `runtime: worker has no modules for ${key}`)
    return image
  }

  #generation(req: StartRequest, image: LoadedImage): Generation {
    const sink = (stream: 'stdout' | 'stderr', data: Uint8Array) => {
      const gen = this.#hosted.get(req.n)?.gen
      if (gen) this.#deps.slot.noteMemory(req.n, memoryBytes(gen))
      this.#deps.post({ t: 'log', n: req.n, stream, time: Date.now(), data })
    }
    const { env, args, preopens, readOnlyPaths, network, namespace } = req
    const { serviceProxy } = this.#deps
    const config = { env, args, preopens, readOnlyPaths, network, serviceProxy, namespace }
    const imports = wasiImports(config, sink)
    return instantiateGeneration(image, imports)
  }

  async start(req: StartRequest): Promise<void> {
    try {
      const image = await this.#image(req.key, req.load)
      const h: Hosted = {
        req,
        image,
        gen: this.#generation(req, image),
        requests: 0,
        cpuMs: 0,
        recycles: 0,
        recycling: false,
        dead: false,
      }
      const mismatch = kindMismatch(req.kind, h.gen.exports)
      if (mismatch) return this.#deps.post({ t: 'failed', n: req.n, message: mismatch })
      this.#hosted.set(req.n, h)
      if (req.kind === 'command') {
        this.#deps.post({ t: 'started', n: req.n })
        setImmediate(() => this.#run(h))
        return
      }
      h.server = req.kind === 'http' ? this.#serveHttp(h) : await this.#serveHandler(h)
      this.#deps.post({ t: 'started', n: req.n, port: h.server.port })
    } catch (error) {
      this.#hosted.delete(req.n)
      this.#deps.post({
        t: 'failed',
        n: req.n,
        message: `runtime: cannot instantiate: ${(error as Error)?.message ?? error}`,
      })
    }
  }

  #serveHttp(h: Hosted): { port: number; stop(): void } {
    type Handler = { handle(request: unknown, out: object): void }
    return serveHttp(
      (fn) => this.#call(h, fn),
      () => h.gen.exports.incomingHandler as Handler,
    )
  }

  #serveHandler(h: Hosted): Promise<{ port: number; stop(): void }> {
    return serveHandler(
      (fn) => this.#call(h, fn),
      () => h.gen.exports.handle as (b: Uint8Array) => Uint8Array,
    )
  }

  #run(h: Hosted): void {
    if (h.dead) return
    const run = (h.gen.exports.run as { run(): void }).run // checked at start (kind-exports.ts)
    const result = this.#call(h, () => run())
    if (result.ok) this.#exit(h, completed)
  }

  #call<T>(h: Hosted, fn: () => T): CallResult<T> {
    if (h.dead) return { ok: false, message: 'runtime: instance has exited' }
    const gen = h.gen
    setFuel(gen, h.req.fuelPerCall)
    this.#deps.slot.enter(h.req.n, h.req.callBudgetMs, memoryBytes(gen))
    const began = performance.now()
    try {
      const value = fn()
      this.#afterCall(h)
      return { ok: true, value }
    } catch (error) {
      const outcome = exitOutcome(error, gen, h.req.memoryCapBytes)
      this.#exit(h, outcome)
      return { ok: false, message: outcome.message }
    } finally {
      h.cpuMs += performance.now() - began
      this.#deps.slot.leave()
    }
  }

  #afterCall(h: Hosted): void {
    h.requests++
    h.gen.requests++
    const { recycleAfterRequests, recycleAfterMemoryBytes } = h.req
    const due =
      (recycleAfterRequests && h.gen.requests >= recycleAfterRequests) ||
      (recycleAfterMemoryBytes && memoryBytes(h.gen) >= recycleAfterMemoryBytes)
    if (due && !h.recycling && h.req.kind !== 'command') {
      h.recycling = true
      queueMicrotask(() => this.#recycle(h))
    }
  }

  /** Start a fresh generation, then switch to it. Runs as a microtask right after the call that
   *  made it due: calls are synchronous, so the old generation has nothing in flight by then. */
  #recycle(h: Hosted): void {
    if (h.dead) return
    try {
      h.gen = this.#generation(h.req, h.image)
      h.recycles++
      this.#deps.post({ t: 'recycled', n: h.req.n, recycles: h.recycles })
    } catch (error) {
      this.#exit(h, {
        reason: 'Error',
        exitCode: 1,
        message: `runtime: recycling failed: ${(error as Error).message}`,
      })
    } finally {
      h.recycling = false
    }
  }

  #exit(h: Hosted, outcome: ExitReport): void {
    if (h.dead) return
    h.dead = true
    h.server?.stop()
    this.#hosted.delete(h.req.n)
    this.#deps.post({ t: 'exited', n: h.req.n, ...outcome })
  }

  stop(n: number): void {
    const h = this.#hosted.get(n)
    if (h) {
      h.dead = true
      h.server?.stop()
      this.#hosted.delete(n)
    }
    this.#deps.post({ t: 'stopped', n })
  }

  /** a request for handler instance `n` handed over by the main thread (no HTTP server) */
  handle(n: number, req: number, body: Uint8Array): void {
    const h = this.#hosted.get(n)
    if (!h || h.req.kind !== 'handler') {
      const message = `runtime: instance ${n} is not a handler served here`
      return this.#deps.post({ t: 'handled', req, ok: false, message })
    }
    const handle = h.gen.exports.handle as (b: Uint8Array) => Uint8Array
    const result = this.#call(h, () => handle(body))
    if (result.ok) this.#deps.post({ t: 'handled', req, ok: true, body: result.value })
    else this.#deps.post({ t: 'handled', req, ok: false, message: result.message })
  }

  stats(n: number, req: number): void {
    const h = this.#hosted.get(n)
    this.#deps.post({
      t: 'stats',
      req,
      memoryBytes: h ? memoryBytes(h.gen) : 0,
      requests: h?.requests ?? 0,
      cpuMs: h?.cpuMs ?? 0,
      recycles: h?.recycles ?? 0,
    })
  }
}
