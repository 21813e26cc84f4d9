// Each node's Lease (coordination.k8s.io/v1, kube-node-lease/<node>), as the kubelet keeps its
// node lease in Kubernetes: holderIdentity the node, leaseDurationSeconds 40, renewTime when the
// plane last heard the node. Renewed from the node's hello and heartbeats over MQTT, written at
// most every renewEveryMs per node (default LEASE_RENEW_EVERY_MS: the node-lifecycle
// controller's grace period is 5 s, so a node heartbeating every 2 s renews at each heartbeat;
// a larger fleet with a longer grace sets it higher), with the plane's clock (an edge device's clock is not trusted). The
// node-lifecycle controller reads these: a Lease not renewed for its duration means a silent node.
// Several planes: the plane serving the node writes its Lease and names itself in the
// annotation SERVED_BY (`kubectl get lease -n kube-node-lease -o yaml` shows who serves whom).
import { resourceByKind, type Lease } from '../../api/index.ts'
import { isShoalError, type Clock, type Logger } from '../../core/index.ts'
import type { Objects } from './ports.ts'

const LEASES = resourceByKind('Lease', 'coordination.k8s.io')!
export const NODE_LEASE_NAMESPACE = 'kube-node-lease'
export const NODE_LEASE_DURATION_SECONDS = 40
/** a node's Lease is written at most this often, by default */
export const LEASE_RENEW_EVERY_MS = 1000

/**
 * How often to write a node's Lease for a node-lifecycle grace period: a quarter of it, as the
 * kubelet renews its 40 s lease every 10 s — between 1 s and 10 s. Every write is a store write
 * (on etcd, a raft round and an fsync): at 1,000 nodes heartbeating every 2 s, a fixed 1 s was
 * 500 writes a second whatever the grace, more than etcd 3.4 kept up with on 2 vCPUs.
 */
export function leaseRenewEveryMs(graceMs: number): number {
  return Math.min(10_000, Math.max(LEASE_RENEW_EVERY_MS, Math.floor(graceMs / 4)))
}
/** several planes: the annotation naming the plane that serves the node (writes its Lease) */
export const SERVED_BY = 'shoal.dev/served-by'

/** RFC 3339 with microseconds, as Kubernetes writes a MicroTime */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z')

export class NodeLeases {
  readonly #objects: Objects
  readonly #clock: Clock
  readonly #log: Logger
  readonly #everyMs: number
  /** node → when its Lease was last written (clock ms) */
  readonly #renewed = new Map<string, number>()

  readonly #servedBy: string | undefined

  constructor(
    objects: Objects,
    o: { clock: Clock; log: Logger; renewEveryMs?: number; servedBy?: string },
  ) {
    this.#objects = objects
    this.#servedBy = o.servedBy
    this.#clock = o.clock
    this.#log = o.log
    this.#everyMs = o.renewEveryMs ?? LEASE_RENEW_EVERY_MS
  }

  /** the node was heard from (`at`, default now): its Lease is renewed unless it was within
   * renewEveryMs */
  async heard(node: string, at?: number): Promise<void> {
    const now = at ?? this.#clock.now()
    if (now - (this.#renewed.get(node) ?? -Infinity) < this.#everyMs) return
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#renew(node, now)
        this.#renewed.set(node, now)
        return
      } catch (err) {
        const raced = isShoalError(err, 'Conflict') || isShoalError(err, 'AlreadyExists')
        if (!raced || attempt >= 5) throw err
        this.#log.debug('node lease write raced; again', { node, attempt })
      }
    }
  }

  /** the node's connection ended: its next message renews at once */
  forget(node: string): void {
    this.#renewed.delete(node)
  }

  async #renew(node: string, now: number): Promise<void> {
    const where = { namespace: NODE_LEASE_NAMESPACE, name: node }
    const cur = (await this.#objects.get(LEASES, where)) as Lease | undefined
    const spec = {
      holderIdentity: node,
      leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS,
      renewTime: microTime(now),
    }
    const annotations = this.#servedBy ? { [SERVED_BY]: this.#servedBy } : undefined
    if (!cur) {
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { ...where, ...(await this.#owner(node)), ...(annotations && { annotations }) },
        spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
      }
      await this.#objects.create(LEASES, lease)
      return
    }
    const moved = cur.spec?.holderIdentity !== node
    const servedBy = cur.metadata.annotations?.[SERVED_BY]
    const next: Lease = {
      ...cur,
      ...(annotations && servedBy !== this.#servedBy
        ? {
            metadata: {
              ...cur.metadata,
              annotations: { ...cur.metadata.annotations, ...annotations },
            },
          }
        : {}),
      spec: {
        ...cur.spec,
        ...spec,
        ...(moved
          ? { acquireTime: microTime(now), leaseTransitions: (cur.spec?.leaseTransitions ?? 0) + 1 }
          : {}),
      },
    }
    await this.#objects.replace(LEASES, cur, next)
  }

  /** the Node as the Lease's owner, as the kubelet sets it (the Lease goes with its Node) */
  async #owner(node: string) {
    const n = await this.#objects.get(resourceByKind('Node')!, { name: node })
    if (!n?.metadata.uid) return {}
    const ref = { apiVersion: 'v1', kind: 'Node', name: node, uid: n.metadata.uid }
    return { ownerReferences: [ref] }
  }
}
