// plane/controllers — the controllers that drive actual state to desired state, each one
// reconciler a file on the framework in kit/ (informers, work queue, Controller runner,
// Events; see kit/index.ts). Contract: startControllers() takes the plane's objects (anything
// shaped like its ObjectStore over either store backend), lists and watches what the
// controllers read, and runs them until stop(), which waits for the reconciles under way.
// Running now: ReplicaSet (replicaset.ts), Deployment (deployment.ts), DaemonSet
// (daemonset.ts), node lifecycle (node-lifecycle.ts) and Endpoints (endpoints.ts).
import type { Clock, Logger } from '../../core/index.ts'
import { daemonSetController } from './daemonset.ts'
import { deploymentController } from './deployment.ts'
import { endpointsController } from './endpoints.ts'
import { jobController } from './job.ts'
import {
  eventRecorder,
  Informers,
  objectsSource,
  type Controller,
  type ControllerContext,
  type Objects,
} from './kit/index.ts'
import { nodeLifecycleController, type NodeLifecycleOptions } from './node-lifecycle.ts'
import { replicaSetController } from './replicaset.ts'

export type * from './kit/index.ts'
export { Controller, Informer, Informers, objectsSource } from './kit/index.ts'

export type { NodeLifecycleOptions } from './node-lifecycle.ts'

/** what the controllers may be told, each its own part */
export interface ControllersOptions {
  nodeLifecycle?: NodeLifecycleOptions
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
  'job-controller': jobController,
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
