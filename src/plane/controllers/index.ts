// plane/controllers — the controllers that drive actual state to desired state, each one
// reconciler a file on the framework in kit/ (informers, work queue, Controller runner,
// Events; see kit/index.ts). Contract: startControllers() takes the plane's objects (anything
// shaped like its ObjectStore over either store backend), lists and watches what the
// controllers read, and runs them until stop(), which waits for the reconciles under way.
// Deletion is theirs too: the garbage collector (garbage-collector.ts) cascades deletes through
// ownerReferences, the namespace controller (namespace.ts) empties a namespace being deleted.
// Running now: ReplicaSet (replicaset.ts), Deployment (deployment.ts), DaemonSet
// (daemonset.ts), node lifecycle (node-lifecycle.ts), Endpoints (endpoints.ts), EndpointSlices
// (endpointslice.ts), HorizontalPodAutoscaler (hpa.ts) and the load balancer addresses of
// LoadBalancer Services and Ingresses (load-balancer.ts).
import type { Clock, Logger } from '../../core/index.ts'
import { daemonSetController } from './daemonset.ts'
import { deploymentController } from './deployment.ts'
import { endpointsController } from './endpoints.ts'
import { endpointSliceController, type EndpointSliceOptions } from './endpointslice.ts'
import { garbageCollector } from './garbage-collector.ts'
import { hpaController, type HpaOptions } from './hpa.ts'
import type { MetricsSource } from './hpa-metrics.ts'
import { cronJobController } from './cronjob.ts'
import { jobController } from './job.ts'
import { loadBalancerController } from './load-balancer.ts'
import {
  eventRecorder,
  Informers,
  objectsSource,
  type Controller,
  type ControllerContext,
  type Objects,
} from './kit/index.ts'
import { namespaceController } from './namespace.ts'
import { nodeLifecycleController, type NodeLifecycleOptions } from './node-lifecycle.ts'
import { replicaSetController } from './replicaset.ts'

export type * from './kit/index.ts'
export { Controller, Informer, Informers, objectsSource } from './kit/index.ts'

export type { NodeLifecycleOptions } from './node-lifecycle.ts'
export { DEFAULT_NODE_GRACE_MS } from './node-lifecycle.ts'
export type { EndpointSliceOptions } from './endpointslice.ts'
export type { HpaOptions } from './hpa.ts'
export {
  metricsSources,
  noMetrics,
  type MetricsSource,
  type PodMetricValue,
  type PodResourceMetrics,
} from './hpa-metrics.ts'
export { usageMetrics, type PodUsageSource } from './usage-metrics.ts'
export { requestMetrics, REQUEST_METRICS, type PodRequestSource } from './request-metrics.ts'

/** what the controllers may be told, each its own part */
export interface ControllersOptions {
  nodeLifecycle?: NodeLifecycleOptions
  /** maxEndpointsPerSlice (default 100) */
  endpointSlice?: EndpointSliceOptions
  /** the HorizontalPodAutoscaler's sync period, tolerance, windows */
  hpa?: HpaOptions
  /** where autoscalers read pods' usage and custom metrics (none: every metric fails) */
  metrics?: MetricsSource
}

export interface Controllers {
  stop(): Promise<void>
}

/** name (as its Events' source component) → the controller's factory */
const registry: Record<string, (ctx: ControllerContext, o: ControllersOptions) => Controller> = {
  'replicaset-controller': replicaSetController,
  'deployment-controller': deploymentController,
  'daemonset-controller': daemonSetController,
  'node-controller': nodeLifecycleController,
  'endpoint-controller': endpointsController,
  'endpointslice-controller': endpointSliceController,
  'garbage-collector-controller': garbageCollector,
  'namespace-controller': namespaceController,
  'horizontal-pod-autoscaler': hpaController,
  'job-controller': jobController,
  'cronjob-controller': cronJobController,
  'service-lb-controller': loadBalancerController,
}

export async function startControllers(
  objects: Objects,
  o: { clock: Clock; log: Logger } & ControllersOptions,
): Promise<Controllers> {
  const store = objectsSource(objects)
  const informers = new Informers(store, o)
  const running = Object.entries(registry).map(([name, make]) => {
    const log = o.log.child(name)
    const events = eventRecorder(store, { component: name, clock: o.clock, log })
    return make({ store, informers, events, clock: o.clock, log }, o)
  })
  await informers.start()
  for (const c of running) c.start()
  return {
    async stop() {
      await Promise.all(running.map((c) => c.stop()))
      informers.stop()
    },
  }
}
