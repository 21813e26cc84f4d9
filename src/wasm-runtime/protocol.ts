// Messages between the runtime (main thread) and a worker thread hosting many instances.
// Instances are numbered per runtime (n); the worker knows nothing of pod ids.
import type { ExitReason, HandleResult, WorkloadKind } from './types.ts'

export interface ModuleSet {
  key: string
  glueFile: string
  modules: Record<string, WebAssembly.Module>
  fuelExports: string[]
}

export interface StartRequest {
  n: number
  kind: WorkloadKind
  /** set when this worker has not seen the key yet */
  load?: ModuleSet
  key: string
  env: Record<string, string>
  args: string[]
  preopens: Record<string, string>
  readOnlyPaths: string[]
  network: boolean
  /** InstanceSpec.namespace */
  namespace?: string
  /** fuel given before each call into the instance */
  fuelPerCall: bigint
  /** wall-clock budget of one call, for the watchdog (Infinity: none) */
  callBudgetMs: number
  memoryCapBytes?: number
  recycleAfterRequests?: number
  recycleAfterMemoryBytes?: number
}

export type ToWorker =
  | ({ t: 'start' } & StartRequest)
  | { t: 'stop'; n: number }
  | { t: 'stats'; n: number; req: number }
  | { t: 'ping'; seq: number }
  /** a request for handler instance n, handed over without its HTTP server (the mesh's) */
  | { t: 'handle'; n: number; req: number; body: Uint8Array }

export interface ExitReport {
  reason: ExitReason
  exitCode: number
  message: string
}

export type FromWorker =
  | { t: 'started'; n: number; port?: number }
  | { t: 'failed'; n: number; message: string }
  | ({ t: 'exited'; n: number } & ExitReport)
  | { t: 'stopped'; n: number }
  | { t: 'log'; n: number; stream: 'stdout' | 'stderr'; time: number; data: Uint8Array }
  | {
      t: 'stats'
      req: number
      memoryBytes: number
      requests: number
      recycles: number
      cpuMs: number
    }
  | { t: 'recycled'; n: number; recycles: number }
  | { t: 'pong'; seq: number }
  | ({ t: 'handled'; req: number } & HandleResult)

/** Layout of the shared "current call" slots the watchdog reads: [instance n (0 = idle), deadline
 *  (epoch ms, Infinity: none), budget ms, linear-memory bytes of instance n as of the last time it
 *  handed control to the host (call entry, output), since when the thread waits in a host call
 *  (epoch ms, 0: it does not), ms waited in host calls since the call began] — stats of an
 *  instance inside a call come from here, since the thread cannot answer a message until the call
 *  returns; time waited in a host call is not time run (worker/host-waits.ts) */
export const callSlotLength = 6
