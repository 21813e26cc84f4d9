// The scale subresource (autoscaling/v1 Scale) of Deployments: kubectl scale and the HPA
// read and write spec.replicas through it.
import { labelSelectorToString, type KubeObject, type ResourceInfo } from '../../api/index.ts'
import { readBody } from './body.ts'
import type { ObjectStore, Where } from './object-store.ts'
import { bad, patchObject, patchTypeOf } from './write-ops.ts'
import { applyPatchTo } from './scale-patch.ts'

type Scalable = KubeObject & { spec?: { replicas?: number; selector?: Parameters<typeof labelSelectorToString>[0] }; status?: { replicas?: number } }

export function getScale(_info: ResourceInfo, obj: KubeObject) {
  const o = obj as Scalable
  const sel = o.spec?.selector ? labelSelectorToString(o.spec.selector) : undefined
  const m = o.metadata
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: sel?.ok ? sel.value : '' },
  }
}

/** PUT or PATCH of a Scale: only spec.replicas reaches the object */
export async function updateScale(objects: ObjectStore, info: ResourceInfo, where: Where, req: Request, verb: string) {
  const body = (await readBody(req)) as { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } } | unknown[]
  let replicas: unknown
  if (verb === 'patch') {
    const type = patchTypeOf(req.headers.get('content-type') ?? undefined) ?? 'merge'
    const cur = getScale(info, await objects.mustGet(info, where))
    replicas = (applyPatchTo(cur, body, type) as { spec?: { replicas?: unknown } }).spec?.replicas
  } else replicas = (body as { spec?: { replicas?: unknown } }).spec?.replicas
  if (!Number.isSafeInteger(replicas) || (replicas as number) < 0) throw bad(`spec.replicas must be a whole number ≥ 0, got ${JSON.stringify(replicas)}`)
  const rv = Array.isArray(body) ? undefined : body.metadata?.resourceVersion
  const patch = { spec: { replicas }, ...(rv ? { metadata: { resourceVersion: rv } } : {}) }
  const r = await patchObject(objects, info, where, patch, 'merge')
  return getScale(info, r.obj)
}
