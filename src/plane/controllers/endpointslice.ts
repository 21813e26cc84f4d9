// The EndpointSlice controller (Kubernetes' endpointslice-controller): for each Service with a
// selector, discovery.k8s.io/v1 EndpointSlices of its pods — what kubectl ≥ 1.31 reads for
// `describe service` and `get endpointslices` — labelled kubernetes.io/service-name=<svc> and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io, named <svc>-<5 chars>,
// controlled by the Service (blockOwnerDeletion). What they hold: endpointslice-desired.ts;
// the fewest writes (in place, fill before create, at most maxEndpointsPerSlice a slice,
// default 100): endpointslice-plan.ts; the last-change-trigger-time annotation:
// trigger-times.ts. A Service without a selector keeps the slices others write for it; a
// deleted Service's slices are deleted here, as the Endpoints controller deletes its Endpoints
// (the garbage collector would too, through the owner reference). A pod whose node is not in
// the cache is left out and the Service retried with back-off. The Endpoints controller
// (endpoints.ts) keeps publishing v1 Endpoints beside these, from the same per-pod helpers.
import {
  resourceByKind,
  type EndpointSlice,
  type Node,
  type Pod,
  type Service,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import { Controller, keyOf, splitKey, type ControllerContext, type Informer } from './kit/index.ts'
import { desiredEndpoints } from './endpointslice-desired.ts'
import {
  CONTROLLER_NAME,
  MANAGED_BY_LABEL,
  planSlices,
  SERVICE_NAME_LABEL,
} from './endpointslice-plan.ts'
import { nameSuffix } from './replicaset.ts'
import { podsOf, servicesOf } from './service-pods.ts'
import { TriggerTimes } from './trigger-times.ts'

const PODS = resourceByKind('Pod')!
const SERVICES = resourceByKind('Service')!
const NODES = resourceByKind('Node')!
export const SLICES = resourceByKind('EndpointSlice')!

export interface EndpointSliceOptions {
  /** endpoints a slice holds at most (kube-controller-manager's --max-endpoints-per-slice) */
  maxEndpointsPerSlice?: number
}

interface Caches {
  pods: Informer<Pod>
  services: Informer<Service>
  slices: Informer<EndpointSlice>
  nodes: Informer<Node>
}

interface State extends Caches {
  triggers: TriggerTimes
  max: number
}

/** the Service a slice we manage belongs to ("namespace/name"), if any */
function serviceKey(slice: EndpointSlice): string | undefined {
  const labels = slice.metadata.labels ?? {}
  const name = labels[SERVICE_NAME_LABEL]
  if (!name || labels[MANAGED_BY_LABEL] !== CONTROLLER_NAME) return undefined
  return `${slice.metadata.namespace ?? ''}/${name}`
}

export function endpointSliceController(
  ctx: ControllerContext,
  o: { endpointSlice?: EndpointSliceOptions } = {},
): Controller {
  const s: State = {
    pods: ctx.informers.for<Pod>(PODS),
    services: ctx.informers.for<Service>(SERVICES),
    slices: ctx.informers.for<EndpointSlice>(SLICES),
    nodes: ctx.informers.for<Node>(NODES),
    triggers: new TriggerTimes(),
    max: o.endpointSlice?.maxEndpointsPerSlice ?? 100,
  }
  const c = new Controller('endpointslice', (key) => reconcile(ctx, s, key), ctx)
  const svc = (x: Service) => c.enqueue(keyOf(x))
  s.services.on({ added: svc, updated: svc, deleted: svc })
  // a slice changed or deleted by someone else is put back; one moved to another Service too
  const slice = (...xs: EndpointSlice[]) => {
    for (const x of xs) {
      const key = serviceKey(x)
      if (key) c.enqueue(key)
    }
  }
  s.slices.on({ added: slice, updated: slice, deleted: slice })
  const forPod = (...pods: Pod[]) => {
    for (const x of servicesOf(s.services.cache, ...pods)) c.enqueue(keyOf(x))
  }
  s.pods.on({
    added: (p) => forPod(p),
    updated: (p, old) => forPod(p, old),
    deleted: (p) => forPod(p),
  })
  return c
}

/** the slices we manage for the Service `key` */
function slicesOf(s: State, key: string): EndpointSlice[] {
  const { namespace } = splitKey(key)
  return s.slices.cache.byNamespace(namespace ?? '').filter((x) => serviceKey(x) === key)
}

export async function reconcile(ctx: ControllerContext, s: State, key: string): Promise<void> {
  const svc = s.services.cache.get(key)
  const slices = slicesOf(s, key)
  if (!svc) {
    s.triggers.delete(key)
    await Promise.all(slices.map((x) => remove(ctx, x)))
    return
  }
  if (!svc.spec?.selector) return
  const pods = podsOf(s.pods.cache, svc)
  const want = desiredEndpoints(svc, pods, (name) => s.nodes.cache.get(name))
  const w = planSlices(svc, slices, want, {
    maxEndpointsPerSlice: s.max,
    triggerTime: s.triggers.compute(key, svc, pods),
    suffix: nameSuffix,
  })
  const revisions: number[] = []
  const written = (x: EndpointSlice | undefined) => {
    if (x) revisions.push(Number(x.metadata.resourceVersion))
  }
  // no new slices for a Service being deleted: the garbage collector is removing them
  if (!svc.metadata.deletionTimestamp)
    for (const x of w.create) written((await ctx.store.create(SLICES, x)) as EndpointSlice)
  for (const u of w.update)
    written((await ctx.store.replace(SLICES, u.current, u.next)) as EndpointSlice)
  for (const x of w.remove) written(await remove(ctx, x))
  if (revisions.length) await s.slices.seen(Math.max(...revisions))
  if (want.missingNodes.length)
    throw new Error(
      `endpointslice: pods ${want.missingNodes.join(', ')} of Service ${key} left out: their nodes are not known`,
    )
}

async function remove(ctx: ControllerContext, x: EndpointSlice) {
  try {
    return (await ctx.store.remove(SLICES, x)).obj as EndpointSlice
  } catch (err) {
    if (!isShoalError(err, 'NotFound')) throw err
    return undefined
  }
}
