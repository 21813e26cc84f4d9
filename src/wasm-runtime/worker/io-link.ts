// Adapter (host thread): makes preview2-shim use the process's shared I/O thread (io-main.ts)
// instead of starting one of its own. The shim makes its I/O "worker" with `new Worker(url of its
// worker-thread.bundle.js, { workerData: { workerPort }, … })` when first imported and then only
// posts calls to it, listens for its incoming-request messages and unrefs it; so until then,
// node:worker_threads' Worker is one that, for that file alone, answers with the MessagePort the
// main thread handed this thread (workerData.io), after sending the shim's reply port through it.
// Must run before anything imports the shim (host-main.ts imports the rest after it).
import { createRequire, syncBuiltinESMExports } from 'node:module'
import type { MessagePort, WorkerOptions } from 'node:worker_threads'

type Threads = typeof import('node:worker_threads')
const shimIoFile = '/worker-thread.bundle.js'

/** What the shim uses of its I/O worker, on `port`. */
function sharedIoWorker(port: MessagePort, options: WorkerOptions): object {
  const reply = (options.workerData as { workerPort: MessagePort }).workerPort
  port.postMessage({ t: 'reply', port: reply }, [reply])
  const worker = {
    postMessage: (message: unknown) => port.postMessage(message),
    on(event: string, fn: (message: unknown) => void) {
      if (event === 'message') port.on('message', fn)
      return worker
    },
    unref: () => port.unref(),
  }
  return worker
}

/** Route this thread's shim to the shared I/O thread through `port`. */
export function linkSharedIo(port: MessagePort): void {
  const threads = createRequire(import.meta.url)('node:worker_threads') as Threads
  const Real = threads.Worker
  function Worker(url: string | URL, options: WorkerOptions = {}): object {
    if (String(url).endsWith(shimIoFile)) return sharedIoWorker(port, options)
    return new Real(url, options)
  }
  threads.Worker = Worker as unknown as Threads['Worker']
  syncBuiltinESMExports()
}
