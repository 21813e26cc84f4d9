// The endpoints controller (Kubernetes' EndpointController): for each Service with a selector,
// a v1 Endpoints object of the same name listing the pods it selects (endpoint-subsets.ts:
// ready addresses, notReadyAddresses, ports resolved by targetPort number or name, and the
// shoal.dev/ports annotation the mesh reads), written only when it differs; deleted with its
// Service. A Service without a selector keeps the Endpoints someone else writes for it.
// The same pods as discovery.k8s.io/v1 EndpointSlices (what kubectl ≥ 1.31 reads for
// `describe service`, kubernetes#124598) are the EndpointSlice controller's (endpointslice.ts),
// built from the same per-pod helpers and pod ↔ Service lookups (service-pods.ts).
import {
  deepEqual,
  resourceByKind,
  type Endpoints,
  type Pod,
  type Service,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import { Controller, keyOf, type ControllerContext, type Informer } from './kit/index.ts'
import { endpointsFor } from './endpoint-subsets.ts'
import { podsOf, servicesOf } from './service-pods.ts'

const PODS = resourceByKind('Pod')!
const SERVICES = resourceByKind('Service')!
const ENDPOINTS = resourceByKind('Endpoints')!

interface Caches {
  pods: Informer<Pod>
  services: Informer<Service>
  endpoints: Informer<Endpoints>
}

export function endpointsController(ctx: ControllerContext): Controller {
  const caches: Caches = {
    pods: ctx.informers.for<Pod>(PODS),
    services: ctx.informers.for<Service>(SERVICES),
    endpoints: ctx.informers.for<Endpoints>(ENDPOINTS),
  }
  const c = new Controller('endpoints', (key) => reconcile(ctx, caches, key), ctx)
  const svc = (s: Service) => c.enqueue(keyOf(s))
  caches.services.on({ added: svc, updated: svc, deleted: svc })
  // an Endpoints object changed or deleted by someone else is put back
  const ep = (e: Endpoints) => c.enqueue(keyOf(e))
  caches.endpoints.on({ updated: ep, deleted: ep })
  const forPod = (...pods: Pod[]) => {
    for (const s of servicesOf(caches.services.cache, ...pods)) c.enqueue(keyOf(s))
  }
  caches.pods.on({
    added: (p) => forPod(p),
    updated: (p, old) => forPod(p, old),
    deleted: (p) => forPod(p),
  })
  return c
}

export async function reconcile(ctx: ControllerContext, caches: Caches, key: string) {
  const svc = caches.services.cache.get(key)
  const current = caches.endpoints.cache.get(key)
  if (!svc) {
    if (!current) return
    await ctx.store.remove(ENDPOINTS, current).catch((err: unknown) => {
      if (!isShoalError(err, 'NotFound')) throw err
    })
    return
  }
  if (!svc.spec?.selector || svc.metadata.deletionTimestamp) return
  const want = endpointsFor(svc, podsOf(caches.pods.cache, svc))
  let written
  if (!current) written = await ctx.store.create(ENDPOINTS, want)
  else if (!same(current, want)) {
    const next: Endpoints = {
      ...current,
      metadata: {
        ...current.metadata,
        labels: want.metadata.labels,
        annotations: annotations(current, want),
      },
      subsets: want.subsets,
    }
    if (!next.metadata.labels) delete next.metadata.labels
    if (!next.metadata.annotations) delete next.metadata.annotations
    if (!next.subsets) delete next.subsets
    written = await ctx.store.replace(ENDPOINTS, current, next)
  }
  if (written) await caches.endpoints.seen(Number(written.metadata.resourceVersion))
}

/** the current annotations with the ports annotation as wanted */
function annotations(current: Endpoints, want: Endpoints): Record<string, string> | undefined {
  const out = { ...(current.metadata.annotations ?? {}) }
  delete out['shoal.dev/ports']
  Object.assign(out, want.metadata.annotations ?? {})
  return Object.keys(out).length ? out : undefined
}

function same(current: Endpoints, want: Endpoints): boolean {
  return (
    deepEqual(current.subsets ?? [], want.subsets ?? []) &&
    deepEqual(current.metadata.labels ?? {}, want.metadata.labels ?? {}) &&
    current.metadata.annotations?.['shoal.dev/ports'] ===
      want.metadata.annotations?.['shoal.dev/ports']
  )
}
