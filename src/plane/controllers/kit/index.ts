// plane/controllers/kit — the controller framework, the Kubernetes controller pattern in small
// parts. Contract:
// - Source / Writer (source.ts): what controllers read (list + watch from a revision) and write
//   (create, replace on the resourceVersion read, remove); objectsSource() adapts the plane's
//   ObjectStore over any Store backend. Controllers touch nothing else of the plane.
// - Informer (informer.ts): a Cache of one kind (by key, namespace, controller owner uid), kept
//   by list-then-watch, every change told once, none missed across its own restarts; seen(rev)
//   to read one's own writes. Informers (informers.ts) shares one per kind.
// - WorkQueue (work-queue.ts): keys, deduped, one reconcile per key at a time, per-key
//   exponential back-off, addAfter. Controller (controller.ts) runs reconcile(key) over it.
// - EventRecorder (events.ts): core/v1 Events for what a controller did.
// - FakeObjects (fake-objects.ts): the in-memory store unit tests assert exact writes against.
// A controller is a function (ctx: ControllerContext) → Controller that registers informer
// handlers that only enqueue keys, and a reconcile(key) that writes only the difference.
import type { Clock, Logger } from '../../../core/index.ts'
import type { EventRecorder } from './events.ts'
import type { Informers } from './informers.ts'
import type { ControllerStore } from './source.ts'

export { Cache, controllerOf } from './cache.ts'
export { Controller, type ControllerOptions, type Reconcile, type Result } from './controller.ts'
export { eventRecorder, type EventRecorder } from './events.ts'
export { FakeObjects, type Write } from './fake-objects.ts'
export { Informer, type InformerHandlers } from './informer.ts'
export { Informers } from './informers.ts'
export {
  keyOf,
  objectsSource,
  splitKey,
  type Change,
  type ControllerStore,
  type Objects,
  type Source,
  type WatchSink,
  type Writer,
} from './source.ts'
export { WorkQueue, type BackOff } from './work-queue.ts'

/** what every controller is built from */
export interface ControllerContext {
  /** writes, live reads, and lists past the informers (the namespace controller's) */
  store: ControllerStore
  informers: Informers
  events: EventRecorder
  clock: Clock
  log: Logger
}
