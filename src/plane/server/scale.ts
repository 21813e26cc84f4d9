// The scale subresource (autoscaling/v1 Scale) of Deployments: kubectl scale and the HPA
// read and write spec.replicas through it.
import {
  isObject,
  labelSelectorToString,
  type KubeObject,
  type PatchType,
  type ResourceInfo,
} from '../../api/index.ts'
import { BadRequestError } from '../../core/index.ts'
import type { ObjectStore, Where } from './object-store.ts'
import { checkedBody, checkedPatch, patchObject, type FieldCheck } from './write-ops.ts'
import { applyPatchTo } from './scale-patch.ts'

type Scalable = KubeObject & {
  spec?: { replicas?: number; selector?: Parameters<typeof labelSelectorToString>[0] }
  status?: { replicas?: number }
}

export function getScale(_info: ResourceInfo, obj: KubeObject) {
  const o = obj as Scalable
  const sel = o.spec?.selector ? labelSelectorToString(o.spec.selector) : undefined
  const m = o.metadata
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: sel?.ok ? sel.value : '' },
  }
}

const scaleKind = { kind: 'Scale', version: 'v1' }
type ScaleBody = { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } }

/**
 * PUT (`patchType` undefined) or PATCH of a Scale, its body already read: judged against the
 * Scale schema when `check` says so; only spec.replicas reaches the object.
 */
export async function updateScale(
  objects: ObjectStore,
  info: ResourceInfo,
  where: Where,
  o: { body: unknown; patchType?: PatchType; check: FieldCheck },
) {
  const { body, patchType, check } = o
  let scale: ScaleBody | undefined
  if (patchType) {
    scale = applyPatchTo(getScale(info, await objects.mustGet(info, where)), body, patchType) as
      ScaleBody | undefined
    if (check.directive !== 'Ignore') checkedPatch(scale, { kind: 'Scale', patch: body, check })
  } else {
    if (!isObject(body)) throw new BadRequestError('the request body must be a Scale object')
    if (check.directive !== 'Ignore') checkedBody(body, { type: scaleKind, check })
    scale = body as ScaleBody
  }
  const replicas = scale?.spec?.replicas
  if (!Number.isSafeInteger(replicas) || (replicas as number) < 0)
    throw new BadRequestError(
      `spec.replicas must be a whole number ≥ 0, got ${JSON.stringify(replicas)}`,
    )
  const rv = isObject(body) ? (body as ScaleBody).metadata?.resourceVersion : undefined
  const patch = { spec: { replicas }, ...(rv ? { metadata: { resourceVersion: rv } } : {}) }
  const r = await patchObject(objects, info, { where, patch, type: 'merge' })
  return getScale(info, r.obj)
}
