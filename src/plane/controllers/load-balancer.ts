// The load-balancer controller: the "cloud controller manager" role of an edge site (Kubernetes'
// service-lb-controller). A `type: LoadBalancer` Service and every Ingress get, as
// status.loadBalancer.ingress, the InternalIPs of the Ready nodes labelled
// node-role.kubernetes.io/ingress (of every Ready node when none is labelled): the mesh on those
// nodes serves their node ports and Ingress rules. Kept current as nodes come, go, turn Ready or
// not and are labelled; a Service that stops being a LoadBalancer loses the status. Written only
// when it differs.
import {
  deepEqual,
  INGRESS_NODE_LABEL,
  ingressAddresses,
  resourceByKind,
  type Ingress,
  type LoadBalancerStatus,
  type Node,
  type Service,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import { Controller, keyOf, type ControllerContext, type Informer } from './kit/index.ts'

const SERVICES = resourceByKind('Service')!
const INGRESSES = resourceByKind('Ingress')!
const NODES = resourceByKind('Node')!

interface Caches {
  services: Informer<Service>
  ingresses: Informer<Ingress>
  nodes: Informer<Node>
}

/** queue keys: "svc:<ns>/<name>" and "ing:<ns>/<name>" */
export function loadBalancerController(ctx: ControllerContext): Controller {
  const caches: Caches = {
    services: ctx.informers.for<Service>(SERVICES),
    ingresses: ctx.informers.for<Ingress>(INGRESSES),
    nodes: ctx.informers.for<Node>(NODES),
  }
  const c = new Controller('load-balancer', (key) => reconcile(ctx, caches, key), ctx)
  const svc = (s: Service) => c.enqueue(`svc:${keyOf(s)}`)
  const ing = (i: Ingress) => c.enqueue(`ing:${keyOf(i)}`)
  caches.services.on({ added: svc, updated: svc })
  caches.ingresses.on({ added: ing, updated: ing })
  const all = () => {
    for (const s of caches.services.cache.list())
      if (s.spec?.type === 'LoadBalancer' || s.status?.loadBalancer?.ingress) svc(s)
    for (const i of caches.ingresses.cache.list()) ing(i)
  }
  caches.nodes.on({
    added: all,
    deleted: all,
    updated: (n, old) => {
      if (
        !deepEqual(ingressAddresses([n]), ingressAddresses([old])) ||
        labelled(n) !== labelled(old)
      )
        all()
    },
  })
  return c
}

const labelled = (n: Node) => n.metadata.labels?.[INGRESS_NODE_LABEL] !== undefined

export async function reconcile(ctx: ControllerContext, caches: Caches, key: string) {
  const [kind, name] = [key.slice(0, 3), key.slice(4)]
  const info = kind === 'svc' ? SERVICES : INGRESSES
  const obj = (kind === 'svc' ? caches.services : caches.ingresses).cache.get(name)
  if (!obj || obj.metadata.deletionTimestamp) return
  const balanced = kind === 'ing' || (obj as Service).spec?.type === 'LoadBalancer'
  const want: LoadBalancerStatus = balanced
    ? { ingress: ingressAddresses(caches.nodes.cache.list()).map((ip) => ({ ip })) }
    : {}
  const have = obj.status?.loadBalancer ?? {}
  if (deepEqual(normal(have), normal(want))) return
  const status = { ...obj.status, loadBalancer: want }
  const written = await ctx.store
    .replace(info, obj, { ...obj, status } as Service | Ingress)
    .catch((err: unknown) => {
      if (!isShoalError(err, 'NotFound')) throw err
    })
  if (written)
    await caches[kind === 'svc' ? 'services' : 'ingresses'].seen(
      Number(written.metadata.resourceVersion),
    )
}

/** an empty ingress list is no list */
const normal = (s: LoadBalancerStatus) => (s.ingress?.length ? s : {})
