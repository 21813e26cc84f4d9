// Adapter: starting worker threads from this component's own modules, both from TypeScript
// sources (tests and benches run under tsx: the thread registers tsx before importing) and from a
// build that ships .js files beside each other.
import { Worker } from 'node:worker_threads'
import { ShoalError } from '../core/index.ts'

const fromSources = import.meta.url.endsWith('.ts')

/** URL of a sibling module, `.ts` under tsx and `.js` in a build. */
export function moduleUrl(relative: string, base: string): URL {
  return new URL(`${relative}.${fromSources ? 'ts' : 'js'}`, base)
}

export function spawnModule(url: URL, workerData: unknown): Worker {
  if (!fromSources) return new Worker(url, { workerData })
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData })
}

const offloadScript = `
const { parentPort, workerData } = require('node:worker_threads')
const { module, fn, args, tsx } = workerData
;(tsx ? import('tsx/esm/api').then((t) => t.register()) : Promise.resolve())
  .then(() => import(module))
  .then((m) => m[fn](...args))
  .then(
    (result) => parentPort.postMessage({ result }),
    (error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) }),
  )
`

/** Run `fn(...args)` exported by the module at `url` in a short-lived thread; its memory goes with it. */
export function offload<T>(url: URL, fn: string, args: unknown[]): Promise<T> {
  const worker = new Worker(offloadScript, {
    eval: true,
    workerData: { module: url.href, fn, args, tsx: fromSources },
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
