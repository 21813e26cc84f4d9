// Adapter: the process's one preview2-shim I/O thread (worker/io-main.ts), started with the first
// host thread that needs it; each host thread gets a MessagePort to it. If it ends, every host
// thread linked to it is stuck or soon will be (their shim calls wait for its answers), so the
// owner is told and ends them; the next host thread starts a new one.
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads'
import { spawnEntry } from './thread-spawn.ts'

export class SharedIo {
  #worker: Worker | undefined
  readonly #onEnd: (why: string) => void
  readonly #serviceProxy: SharedArrayBuffer | undefined

  /** `serviceProxy`: the runtime's ServiceProxyCell buffer, handed to the thread with each port */
  constructor(onEnd: (why: string) => void, serviceProxy?: SharedArrayBuffer) {
    this.#onEnd = onEnd
    this.#serviceProxy = serviceProxy
  }

  /** A port for one more host thread (transfer it in that thread's workerData). */
  connect(): MessagePort {
    const worker = this.#worker ?? this.#start()
    const { port1, port2 } = new MessageChannel()
    worker.postMessage({ client: port2, serviceProxy: this.#serviceProxy }, [port2])
    return port1
  }

  #start(): Worker {
    const worker = spawnEntry('io', undefined)
    const ended = (why: string) => {
      if (this.#worker !== worker) return
      this.#worker = undefined
      this.#onEnd(why)
    }
    worker.on('error', (error) => ended(`runtime: the I/O thread failed: ${error.message}`))
    worker.on('exit', (code) => ended(`runtime: the I/O thread exited (code ${code})`))
    worker.unref()
    this.#worker = worker
    return worker
  }

  close(): void {
    const worker = this.#worker
    this.#worker = undefined
    void worker?.terminate()
  }
}
