// The TLS ingress listener's certificates: the table's ingressTls names which Secret serves
// which hosts; setIngressCertificates hands the mesh those Secrets' certificates and keys (only
// a node labelled for ingress has them). SNI picks: a Secret listing the name exactly, then one
// listing a `*.` wildcard of it (one label), then one listing no host; a name none serves, or a
// handshake without SNI, is refused (no certificate is shown to a client that names no host).
import { createSecureContext, type SecureContext } from 'node:tls'
import type { MeshIngressTls } from '../api/index.ts'

/** a kubernetes.io/tls Secret's certificate chain and key (PEM) */
export interface IngressCertificate {
  /** "namespace/name" of the Secret */
  secret: string
  cert: string
  key: string
}

export class IngressCertificates {
  #contexts = new Map<string, SecureContext>()
  constructor(readonly log: (line: string) => void) {}

  /** the certificates now held; a malformed one is logged and left out */
  set(certs: readonly IngressCertificate[]): void {
    const next = new Map<string, SecureContext>()
    for (const c of certs) {
      try {
        next.set(c.secret, createSecureContext({ cert: c.cert, key: c.key }))
      } catch (err) {
        this.log(
          `mesh: the certificate of Secret ${c.secret} is unusable: ${(err as Error).message}`,
        )
      }
    }
    this.#contexts = next
  }

  /** the context SNI `name` gets under these TLS entries, or undefined */
  pick(name: string, entries: readonly MeshIngressTls[]): SecureContext | undefined {
    const host = name.toLowerCase()
    const dot = host.indexOf('.')
    const wildcard = dot > 0 ? `*${host.slice(dot)}` : undefined
    for (const wanted of [
      (e: MeshIngressTls) => e.hosts.includes(host),
      (e: MeshIngressTls) => wildcard !== undefined && e.hosts.includes(wildcard),
      (e: MeshIngressTls) => e.hosts.length === 0,
    ])
      for (const e of entries) {
        const ctx = wanted(e) ? this.#contexts.get(e.secret) : undefined
        if (ctx) return ctx
      }
    return undefined
  }
}
