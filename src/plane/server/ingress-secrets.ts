// Whether a node serves an Ingress's TLS with a Secret: the node is labelled for ingress
// (node-role.kubernetes.io/ingress), the Secret is of type kubernetes.io/tls, and an Ingress of
// its namespace names it in spec.tls. Such a node may get that Secret (its certificate and key),
// as a node may get the Secrets its pods use — and no other node may (access.ts).
import {
  INGRESS_NODE_LABEL,
  resourceByKind,
  type Ingress,
  type Node,
  type Secret,
} from '../../api/index.ts'
import type { ObjectStore } from './object-store.ts'

const NODES = resourceByKind('Node')!
const SECRETS = resourceByKind('Secret')!
const INGRESSES = resourceByKind('Ingress')!

export async function servesIngressTls(
  objects: ObjectStore,
  node: string,
  secret: { namespace: string; name: string },
): Promise<boolean> {
  const n = (await objects.get(NODES, { name: node })) as Node | undefined
  if (n?.metadata.labels?.[INGRESS_NODE_LABEL] === undefined) return false
  const s = (await objects.get(SECRETS, secret)) as Secret | undefined
  if (s?.type !== 'kubernetes.io/tls') return false
  const { items } = await objects.list(INGRESSES, { namespace: secret.namespace })
  return (items as Ingress[]).some((i) => i.spec?.tls?.some((t) => t?.secretName === secret.name))
}
