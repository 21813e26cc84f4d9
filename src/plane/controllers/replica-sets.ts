// The ReplicaSets of a Deployment as it writes them: the new one made (<deployment>-<hash>,
// the hash label on its selector and template, the Deployment's annotations, the next
// revision) or found again and brought to the next revision, and scaling with the
// desired-replicas / max-replicas annotations and a ScalingReplicaSet Event.
import { deepEqual, resourceByKind, type Deployment, type ReplicaSet } from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import type { Rollout } from './deployment.ts'
import {
  copiedAnnotations,
  DESIRED_REPLICAS,
  fenceposts,
  HASH_LABEL,
  MAX_REPLICAS,
  newReplicasForRolling,
  REVISION,
  revisionOf,
  templateHash,
} from './deployment-rules.ts'

const RSS = resourceByKind('ReplicaSet')!
const DEPLOYS = resourceByKind('Deployment')!

export const ownerRef = (d: Deployment) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: d.metadata.name!,
  uid: d.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
})

export async function write(
  r: Rollout,
  current: ReplicaSet,
  next: ReplicaSet,
): Promise<ReplicaSet> {
  const written = (await r.ctx.store.replace(RSS, current, next)) as ReplicaSet
  await r.sets.seen(Number(written.metadata.resourceVersion))
  return written
}

function replicaAnnotations(d: Deployment): Record<string, string> {
  const replicas = d.spec.replicas ?? 1
  return {
    [DESIRED_REPLICAS]: String(replicas),
    [MAX_REPLICAS]: String(replicas + fenceposts(d).surge),
  }
}

export async function scaleSet(r: Rollout, rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
  const annotations = { ...rs.metadata.annotations, ...replicaAnnotations(r.d) }
  const from = rs.spec.replicas ?? 0
  if (from === replicas && deepEqual(annotations, rs.metadata.annotations ?? {})) return rs
  const next: ReplicaSet = {
    ...rs,
    metadata: {
      ...rs.metadata,
      annotations,
      generation: (rs.metadata.generation ?? 1) + (from === replicas ? 0 : 1),
    },
    spec: { ...rs.spec, replicas },
  }
  const written = await write(r, rs, next)
  if (from !== replicas) {
    const how = replicas > from ? 'up' : 'down'
    const message = `Scaled ${how} replica set ${rs.metadata.name} from ${from} to ${replicas}`
    r.ctx.events.event({ info: DEPLOYS, obj: r.d }, { reason: 'ScalingReplicaSet', message })
  }
  return written
}

/** the new ReplicaSet at the next revision: the one found (annotations brought up to date) or
 * one created (replicas: the first rolling step, or 0 for Recreate) */
export async function newReplicaSet(
  r: Rollout,
  owned: ReplicaSet[],
  found: ReplicaSet | undefined,
  recreate: boolean,
): Promise<{ rs: ReplicaSet; note?: 'NewReplicaSetCreated' | 'FoundNewReplicaSet' }> {
  const { d } = r
  const maxOld = Math.max(0, ...owned.filter((rs) => rs !== found).map(revisionOf))
  if (found) {
    const revision = Math.max(revisionOf(found), maxOld + 1)
    const annotations = {
      ...found.metadata.annotations,
      ...copiedAnnotations(d),
      [REVISION]: String(revision),
    }
    const minReadySeconds = d.spec.minReadySeconds
    if (
      deepEqual(annotations, found.metadata.annotations ?? {}) &&
      found.spec.minReadySeconds === minReadySeconds
    )
      return { rs: found }
    const next = {
      ...found,
      metadata: { ...found.metadata, annotations },
      spec: { ...found.spec, minReadySeconds },
    }
    const note = revisionOf(found) === revision ? undefined : 'FoundNewReplicaSet'
    return { rs: await write(r, found, next), note }
  }
  return {
    rs: await createSet(r, owned, { revision: maxOld + 1, recreate }),
    note: 'NewReplicaSetCreated',
  }
}

async function createSet(
  r: Rollout,
  owned: ReplicaSet[],
  o: { revision: number; recreate: boolean },
) {
  const { d } = r
  const hash = templateHash(d.spec.template, d.status?.collisionCount)
  const template = structuredClone(d.spec.template)
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [HASH_LABEL]: hash },
  }
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: template.metadata.labels,
      annotations: {
        ...copiedAnnotations(d),
        ...replicaAnnotations(d),
        [REVISION]: String(o.revision),
      },
      ownerReferences: [ownerRef(d)],
    },
    spec: {
      replicas: 0,
      minReadySeconds: d.spec.minReadySeconds,
      selector: {
        ...d.spec.selector,
        matchLabels: { ...d.spec.selector.matchLabels, [HASH_LABEL]: hash },
      },
      template,
    },
  }
  rs.spec.replicas = o.recreate ? 0 : newReplicasForRolling(d, owned, rs)
  try {
    const made = (await r.ctx.store.create(RSS, rs)) as ReplicaSet
    await r.sets.seen(Number(made.metadata.resourceVersion))
    if (rs.spec.replicas) {
      const message = `Scaled up replica set ${rs.metadata.name} from 0 to ${rs.spec.replicas}`
      r.ctx.events.event({ info: DEPLOYS, obj: d }, { reason: 'ScalingReplicaSet', message })
    }
    return made
  } catch (err) {
    if (!isShoalError(err, 'AlreadyExists')) throw err
    // a ReplicaSet of that name with another template: hash again with one more collision
    const collisionCount = (d.status?.collisionCount ?? 0) + 1
    await r.ctx.store.replace(DEPLOYS, d, {
      ...d,
      status: { ...d.status, collisionCount },
    } as Deployment)
    throw err
  }
}
