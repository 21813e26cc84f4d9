// Adapter: starting worker threads from this component's own modules. Each module a thread runs
// is a named entry. Under tsx (tests, benches) the entry is its TypeScript source, imported once
// the thread has registered tsx; in the bundle it is dist/shoal-<name>.mjs beside dist/shoal.mjs,
// which esbuild.config.mjs emits from the same source (test/bundle.test.ts keeps the lists equal).
import { Worker, type WorkerOptions } from 'node:worker_threads'
import { ShoalError } from '../core/index.ts'

const fromSources = import.meta.url.endsWith('.ts')
/** tsx's register API, resolved from this file: an eval'd thread would resolve a bare 'tsx'
 *  from the process's cwd, and fail anywhere but the project root */
const tsxApi = fromSources ? import.meta.resolve('tsx/esm/api') : undefined

/** The modules run in threads of their own: entry name → source, relative to this file. */
export const threadEntries = {
  host: './worker/host-main.ts',
  transpile: './transpile.ts',
  instrument: './module-cache.ts',
} as const

export type ThreadEntry = keyof typeof threadEntries

/** URL of an entry: its source under tsx, dist/shoal-<name>.mjs in the bundle. */
function threadUrl(entry: ThreadEntry): URL {
  return new URL(fromSources ? threadEntries[entry] : `./shoal-${entry}.mjs`, import.meta.url)
}

/** A long-lived thread running `entry`; `resourceLimits` for its V8 heap. */
export function spawnEntry(
  entry: ThreadEntry,
  workerData: unknown,
  resourceLimits?: WorkerOptions['resourceLimits'],
): Worker {
  const url = threadUrl(entry)
  if (!fromSources) return new Worker(url, { workerData, resourceLimits })
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits })
}

const offloadScript = `
const { parentPort, workerData } = require('node:worker_threads')
const { module, fn, args, tsx } = workerData
;(tsx ? import(tsx).then((t) => t.register()) : Promise.resolve())
  .then(() => import(module))
  .then((m) => m[fn](...args))
  .then(
    (result) => parentPort.postMessage({ result }),
    (error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) }),
  )
`

/** Run `fn(...args)` exported by `entry` in a short-lived thread; its memory goes with it. */
export function offload<T>(entry: ThreadEntry, fn: string, args: unknown[]): Promise<T> {
  const worker = new Worker(offloadScript, {
    eval: true,
    workerData: { module: threadUrl(entry).href, fn, args, tsx: tsxApi },
  })
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (m: { result?: T; error?: string }) => {
      void worker.terminate()
      if (m.error !== undefined) reject(new ShoalError('Internal', m.error))
      else resolve(m.result as T)
    })
    worker.once('error', reject)
    worker.once('exit', (code) =>
      reject(new ShoalError('Internal', `thread exited with code ${code}`)),
    )
  })
}
