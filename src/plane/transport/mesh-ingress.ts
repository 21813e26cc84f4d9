// The mesh table's Ingress part from the Ingress objects, as a pure function (the contract:
// api/node-protocol/mesh-table.ts MeshIngressRoute, MeshIngressTls). Every Ingress is served,
// whatever its ingressClassName (Shoal's mesh is the one ingress controller of the fleet). The
// Ingresses go oldest first (creationTimestamp, then namespace/name), so the mesh takes the
// oldest of equal matches, as ingress-nginx does; each path in its rule's order. A path of
// pathType ImplementationSpecific is a Prefix (an empty one is "/"); resource backends (not
// Services) are left out, as are TLS entries without a secretName.
import type { Ingress, IngressBackend, MeshIngressRoute, MeshIngressTls } from '../../api/index.ts'

export interface IngressEntries {
  ingress: MeshIngressRoute[]
  ingressTls: MeshIngressTls[]
}

const order = (a: Ingress, b: Ingress) => {
  const ta = a.metadata.creationTimestamp ?? ''
  const tb = b.metadata.creationTimestamp ?? ''
  if (ta !== tb) return ta < tb ? -1 : 1
  const ka = `${a.metadata.namespace}/${a.metadata.name}`
  const kb = `${b.metadata.namespace}/${b.metadata.name}`
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

function target(backend: IngressBackend | undefined, namespace: string) {
  const svc = backend?.service
  const port = svc?.port?.name || svc?.port?.number
  if (!svc?.name || !port) return undefined
  return { namespace, service: svc.name, port }
}

function routesOf(ing: Ingress): MeshIngressRoute[] {
  const namespace = ing.metadata.namespace ?? 'default'
  const key = `${namespace}/${ing.metadata.name}`
  const out: MeshIngressRoute[] = []
  for (const rule of ing.spec?.rules ?? [])
    for (const p of rule?.http?.paths ?? []) {
      const to = target(p?.backend, namespace)
      if (!to) continue
      const pathType = p.pathType === 'Exact' ? 'Exact' : 'Prefix'
      out.push({ ingress: key, host: rule.host ?? '', pathType, path: p.path || '/', ...to })
    }
  const fallback = target(ing.spec?.defaultBackend, namespace)
  if (fallback)
    out.push({
      ...{ ingress: key, host: '', pathType: 'Prefix', path: '/', defaultBackend: true },
      ...fallback,
    })
  return out
}

/** the Ingress routes and TLS entries of these Ingresses */
export function ingressEntries(ingresses: Iterable<Ingress>): IngressEntries {
  const sorted = [...ingresses].sort(order)
  return {
    ingress: sorted.flatMap(routesOf),
    ingressTls: sorted.flatMap((ing) =>
      (ing.spec?.tls ?? [])
        .filter((t) => t?.secretName)
        .map((t) => ({
          secret: `${ing.metadata.namespace ?? 'default'}/${t.secretName}`,
          hosts: [...(t.hosts ?? [])],
        })),
    ),
  }
}
