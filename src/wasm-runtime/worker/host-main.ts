// Adapter, worker thread entry: links preview2-shim to the process's shared I/O thread
// (io-link.ts), then — only then, so the shim sees the link when it starts — loads the host loop.
import { workerData, type MessagePort } from 'node:worker_threads'
import { linkSharedIo } from './io-link.ts'

linkSharedIo((workerData as { io: MessagePort }).io)
await import('./host-loop.ts')
