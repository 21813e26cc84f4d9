// The pods/binding write, as Kubernetes' BindingREST: spec.nodeName set and PodScheduled=True,
// with a compare of the pod's version, refused (Conflict) when the pod is already bound or is
// being deleted. The API's POST …/pods/NAME/binding and the scheduler both bind through bindPod.
import {
  resourceByKind,
  type Binding,
  type Condition,
  type FieldCause,
  type Pod,
} from '../../api/index.ts'
import {
  BadRequestError,
  ConflictError,
  InvalidError,
  isShoalError,
  NotFoundError,
} from '../../core/index.ts'
import type { Objects, Where } from './ports.ts'

const PODS = resourceByKind('Pod')!
const ATTEMPTS = 5

export interface BindTarget {
  node: string
  /** the pod's uid, when the binder knows it: another pod by that name is not bound */
  uid?: string
  /** annotations of the Binding, added to the pod's */
  annotations?: Record<string, string>
}

/** a v1 Binding body for the pod at `where`, checked; what to bind it to */
export function parseBinding(body: unknown, where: Where): BindTarget {
  const b = (body ?? {}) as Partial<Binding>
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequestError('pods/binding: the body must be a v1 Binding object')
  if (b.kind !== undefined && b.kind !== 'Binding')
    throw new BadRequestError(
      `pods/binding: the body's kind must be Binding, got "${String(b.kind)}"`,
    )
  const name = b.metadata?.name
  if (name !== undefined && name !== where.name)
    throw new BadRequestError(
      `pods/binding: metadata.name "${String(name)}" does not match the pod in the path "${where.name}"`,
    )
  const causes: FieldCause[] = []
  const target = b.target
  if (!target || typeof target.name !== 'string' || !target.name)
    causes.push({ field: 'target.name', message: 'Required value' })
  if (target?.kind !== undefined && target.kind !== '' && target.kind !== 'Node')
    causes.push({
      field: 'target.kind',
      message: `Unsupported value: "${String(target.kind)}": supported values: "Node"`,
    })
  if (causes.length)
    throw new InvalidError(
      `Binding.core "${where.name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
      causes,
    )
  const uid = b.metadata?.uid
  const annotations = b.metadata?.annotations
  return { node: target!.name!, uid: typeof uid === 'string' ? uid : undefined, annotations }
}

function scheduled(pod: Pod, now: string): Condition[] {
  const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled')
  return [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now }, ...others]
}

/** the pod bound to `t.node`, or the Conflict Kubernetes answers */
export function boundTo(pod: Pod, t: BindTarget, now: string): Pod {
  const name = pod.metadata.name
  const refuse = (why: string) =>
    new ConflictError(`Operation cannot be fulfilled on pods/binding "${name}": ${why}`)
  if (t.uid && t.uid !== pod.metadata.uid)
    throw refuse(`the UID in the binding (${t.uid}) does not match the pod's (${pod.metadata.uid})`)
  if (pod.metadata.deletionTimestamp)
    throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`)
  if (pod.spec.nodeName)
    throw refuse(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`)
  const annotations = t.annotations
    ? { ...(pod.metadata.annotations ?? {}), ...t.annotations }
    : pod.metadata.annotations
  return {
    ...pod,
    metadata: annotations ? { ...pod.metadata, annotations } : pod.metadata,
    spec: { ...pod.spec, nodeName: t.node },
    status: { ...pod.status, conditions: scheduled(pod, now) },
  }
}

/**
 * Binds the pod at `where` with a compare-and-swap write, retried on a concurrent change of the
 * pod; `current`, when the caller holds the pod already, saves the first read.
 */
export async function bindPod(
  objects: Objects,
  where: Where,
  o: { target: BindTarget; current?: Pod },
): Promise<Pod> {
  let pod = o.current
  for (let attempt = 1; ; attempt++) {
    pod ??= (await objects.get(PODS, where)) as Pod | undefined
    if (!pod) throw new NotFoundError(`pods "${where.name}" not found`)
    const next = boundTo(pod, o.target, objects.now())
    try {
      return (await objects.replace(PODS, pod, next)) as Pod
    } catch (err) {
      if (!isShoalError(err, 'Conflict') || attempt >= ATTEMPTS) throw err
      pod = undefined
    }
  }
}
