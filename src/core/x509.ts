// X.509 for node identities (adapter over @peculiar/x509 and Node's WebCrypto): the agent makes
// its key and a PKCS#10 request, the plane checks the request and signs the certificate. Loaded
// on first use, so processes that never touch a certificate (the runtime's worker threads) never
// load it; @peculiar/x509 asks for a Reflect metadata polyfill (tsyringe), loaded just before it.
// Node certificates follow Kubernetes' kubelet client certificates: subject CN=system:node:<name>,
// O=system:nodes; keys are ECDSA P-256 with SHA-256 signatures.
import { webcrypto } from 'node:crypto'

export type X509 = typeof import('@peculiar/x509')

/** the one key and signature algorithm of node certificates */
export const NODE_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
/** Kubernetes' group of nodes: the O of every node certificate */
export const NODE_ORGANIZATION = 'system:nodes'

/** the CN of node `node`'s certificate (and the user its bearer token names) */
export const nodeCommonName = (node: string) => `system:node:${node}`

let loading: Promise<X509> | undefined

export function loadX509(): Promise<X509> {
  return (loading ??= (async () => {
    await import('reflect-metadata')
    // a CommonJS module: its exports are the namespace under Node and tsx, but only its
    // `default` when it sits in a chunk of its own in the split bundle
    const mod = (await import('@peculiar/x509')) as X509 & { default?: X509 }
    const x509 = mod.cryptoProvider ? mod : mod.default!
    x509.cryptoProvider.set(webcrypto as unknown as Crypto)
    return x509
  })())
}

/** a PEM block of this label ("PRIVATE KEY") → its DER bytes; undefined when there is none */
export function pemBlock(pem: string, label: string): Uint8Array | undefined {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(
    pem,
  )
  return m ? new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')) : undefined
}

/** DER bytes → a PEM block of this label */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64')
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`
}
