// Adapter: starting worker threads, and short-lived processes, from this component's own
// modules. Each module a thread runs is a named entry. Under tsx (tests, benches) the entry is
// its TypeScript source, imported once the thread has registered tsx; in the bundle it is
// dist/shoal-<name>.mjs beside dist/shoal.mjs, which esbuild.config.mjs emits from the same
// source (test/bundle.test.ts keeps the lists equal).
import { spawn } from 'node:child_process'
import { Worker, type WorkerOptions } from 'node:worker_threads'
import { ShoalError } from '../core/index.ts'

const fromSources = import.meta.url.endsWith('.ts')
/** tsx's register API, resolved from this file: an eval'd thread would resolve a bare 'tsx'
 *  from the process's cwd, and fail anywhere but the project root */
const tsxApi = fromSources ? import.meta.resolve('tsx/esm/api') : undefined

/** The modules run in threads of their own: entry name → source, relative to this file. */
export const threadEntries = {
  host: './worker/host-main.ts',
  io: './worker/io-main.ts',
  transpile: './transpile.ts',
  instrument: './module-cache.ts',
} as const

export type ThreadEntry = keyof typeof threadEntries

/** URL of an entry: its source under tsx, dist/shoal-<name>.mjs in the bundle. */
function threadUrl(entry: ThreadEntry): URL {
  return new URL(fromSources ? threadEntries[entry] : `./shoal-${entry}.mjs`, import.meta.url)
}

/** A long-lived thread running `entry`; `resourceLimits` for its V8 heap, `transferList` for
 *  the MessagePorts in `workerData`. */
export function spawnEntry(
  entry: ThreadEntry,
  workerData: unknown,
  opts: Pick<WorkerOptions, 'resourceLimits' | 'transferList'> = {},
): Worker {
  const url = threadUrl(entry)
  if (!fromSources) return new Worker(url, { workerData, ...opts })
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData, ...opts })
}

const offloadScript = `
process.once('message', ({ module, fn, args, tsx }) => {
  const answer = (m) => process.send(m, () => process.exit(0))
  ;(tsx ? import(tsx).then((t) => t.register()) : Promise.resolve())
    .then(() => import(module))
    .then((m) => m[fn](...args))
    .then(
      (result) => answer({ result }),
      (error) => answer({ error: String(error && error.message ? error.message : error) }),
    )
})
`

/**
 * Run `fn(...args)` exported by `entry` in a short-lived child process, and resolve with what it
 * returns. A process, not a thread: a thread's heap (jco's transpiler, a 12 MB module rewritten)
 * stays in this process's RSS after the thread ends — 66 → 259 MB in a plane that prepared two
 * images — where an ended process gives all of it back.
 */
export function offload<T>(entry: ThreadEntry, fn: string, args: unknown[]): Promise<T> {
  const child = spawn(process.execPath, ['-e', offloadScript], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced', // Uint8Arrays and Maps as they are
  })
  return new Promise<T>((resolve, reject) => {
    let answered = false
    child.once('message', (m: { result?: T; error?: string }) => {
      answered = true
      if (m.error !== undefined) reject(new ShoalError('Internal', m.error))
      else resolve(m.result as T)
    })
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      if (!answered)
        reject(
          new ShoalError('Internal', `offloaded ${entry} exited (${signal ?? `code ${code}`})`),
        )
    })
    child.send({ module: threadUrl(entry).href, fn, args, tsx: tsxApi })
  })
}
