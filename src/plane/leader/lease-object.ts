// The leader, shown as Kubernetes shows its controller-manager's: a coordination.k8s.io/v1
// Lease kube-system/shoal-controller-manager whose holderIdentity is the leading plane, written
// when it wins and at each renewal (`kubectl get leases -n kube-system`). Only what is shown:
// the election itself is the store key and its lease (election.ts), never this object.
import { resourceByKind, type KubeObject, type Lease, type ResourceInfo } from '../../api/index.ts'
import { isShoalError, type Clock } from '../../core/index.ts'

export const LEADER_LEASE_NAMESPACE = 'kube-system'
export const LEADER_LEASE_NAME = 'shoal-controller-manager'
const LEASES = resourceByKind('Lease', 'coordination.k8s.io')!

/** the plane's ObjectStore, as far as the Lease object needs it */
export interface LeaseObjects {
  get(
    info: ResourceInfo,
    where: { namespace?: string; name: string },
  ): Promise<KubeObject | undefined>
  create(info: ResourceInfo, obj: KubeObject): Promise<KubeObject>
  replace(info: ResourceInfo, current: KubeObject, next: KubeObject): Promise<KubeObject>
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z')

/** writes the Lease object: holder `identity`, renewed now; a new holder counts a transition */
export async function writeLeaderLease(
  objects: LeaseObjects,
  o: { identity: string; ttlSeconds: number; clock: Clock },
): Promise<void> {
  const where = { namespace: LEADER_LEASE_NAMESPACE, name: LEADER_LEASE_NAME }
  for (let attempt = 1; ; attempt++) {
    const now = microTime(o.clock.now())
    const cur = (await objects.get(LEASES, where)) as Lease | undefined
    const spec = {
      holderIdentity: o.identity,
      leaseDurationSeconds: o.ttlSeconds,
      renewTime: now,
    }
    try {
      if (!cur) {
        await objects.create(LEASES, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: where,
          spec: { ...spec, acquireTime: now, leaseTransitions: 0 },
        } as Lease)
        return
      }
      const moved = cur.spec?.holderIdentity !== o.identity
      const transition = moved
        ? { acquireTime: now, leaseTransitions: (cur.spec?.leaseTransitions ?? 0) + 1 }
        : {}
      const next: Lease = { ...cur, spec: { ...cur.spec, ...spec, ...transition } }
      await objects.replace(LEASES, cur, next)
      return
    } catch (err) {
      const raced = isShoalError(err, 'Conflict') || isShoalError(err, 'AlreadyExists')
      if (!raced || attempt >= 3) throw err
    }
  }
}
