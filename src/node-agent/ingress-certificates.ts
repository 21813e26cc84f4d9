// The certificates an ingress node serves on its mesh's TLS ingress listener: for each Secret
// the mesh table's ingressTls names, its tls.crt and tls.key as the plane gives them to this node
// (a node labelled node-role.kubernetes.io/ingress may get exactly the kubernetes.io/tls Secrets
// Ingresses name; any other node is refused, and serves none). Fetched again whenever the
// table's ingressTls changes, one refresh at a time; a Secret refused, missing or without both
// keys is left out with a log line.
import type { MeshIngressTls, MeshTable } from '../api/index.ts'
import type { Logger } from '../core/index.ts'
import type { IngressCertificate, Mesh } from '../mesh/index.ts'

/** a Secret's data, decoded (ConfigSource.get('Secret', …)); undefined when there is none */
export type TlsSecretLookup = (
  namespace: string,
  name: string,
) => Promise<Record<string, string> | undefined>

export async function ingressCertificates(
  entries: readonly MeshIngressTls[],
  lookup: TlsSecretLookup,
  log: Logger,
): Promise<IngressCertificate[]> {
  const out: IngressCertificate[] = []
  for (const secret of new Set(entries.map((e) => e.secret))) {
    const [namespace, name] = secret.split('/') as [string, string]
    try {
      const data = await lookup(namespace, name)
      if (data?.['tls.crt'] && data['tls.key'])
        out.push({ secret, cert: data['tls.crt'], key: data['tls.key'] })
      else log.warn('an Ingress TLS Secret has no tls.crt and tls.key', { secret })
    } catch (error) {
      log.warn('cannot read an Ingress TLS Secret', { secret, error: (error as Error).message })
    }
  }
  return out
}

/** keeps `mesh`'s certificates those of the tables' ingressTls; returns the listener to give
 * MeshCache.listen */
export function followIngressTls(
  mesh: Pick<Mesh, 'setIngressCertificates'>,
  lookup: TlsSecretLookup,
  log: Logger,
): (table: MeshTable) => Promise<void> {
  let held = '[]'
  let chain = Promise.resolve()
  return (table) => {
    const entries = table.ingressTls ?? []
    const key = JSON.stringify(entries)
    if (key === held) return chain
    held = key
    chain = chain.then(async () => {
      const certs = await ingressCertificates(entries, lookup, log)
      if (held === key) mesh.setIngressCertificates(certs)
    })
    return chain
  }
}
