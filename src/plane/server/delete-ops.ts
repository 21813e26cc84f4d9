// Deletion with Kubernetes' propagation policies. Background: the object goes now and its
// dependents (objects whose ownerReferences name its uid) after it; Foreground: dependents
// first, then the owner; Orphan: dependents lose the owner reference and stay. Deleting a
// namespace deletes everything in it. Objects with finalizers are only marked.
import { allResources, type KubeObject, type ResourceInfo } from '../../api/index.ts'
import { BadRequestError, isShoalError, type Logger } from '../../core/index.ts'
import type { ObjectStore, Where } from './object-store.ts'
import { checkDeletable } from './builtin-namespaces.ts'

export type Propagation = 'Background' | 'Foreground' | 'Orphan'

export interface DeleteOptions {
  propagationPolicy?: Propagation
  preconditions?: { uid?: string; resourceVersion?: string }
  gracePeriodSeconds?: number
  orphanDependents?: boolean
  /** ["All"]: check, write nothing (kubectl sends it in the body, others in the query) */
  dryRun?: string[]
}

export function parseDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const o: DeleteOptions = body && typeof body === 'object' ? { ...(body as DeleteOptions) } : {}
  const qp = query.get('propagationPolicy')
  if (qp) o.propagationPolicy = qp as Propagation
  const grace = query.get('gracePeriodSeconds')
  if (grace !== null) o.gracePeriodSeconds = /^-?\d{1,18}$/.test(grace.trim()) ? Number(grace) : NaN
  if (o.gracePeriodSeconds !== undefined && !Number.isSafeInteger(o.gracePeriodSeconds)) {
    throw new BadRequestError(
      `gracePeriodSeconds: Invalid value: ${JSON.stringify(grace ?? o.gracePeriodSeconds)}: must be a whole number of seconds`,
    )
  }
  if (o.orphanDependents === true && !o.propagationPolicy) o.propagationPolicy = 'Orphan'
  if (o.dryRun !== undefined && !Array.isArray(o.dryRun))
    throw new BadRequestError(`dryRun must be a list of strings, not ${JSON.stringify(o.dryRun)}`)
  const wrong = o.dryRun?.find((v) => v !== 'All')
  if (wrong !== undefined)
    throw new BadRequestError(
      `dryRun: Unsupported value: ${JSON.stringify(wrong)}: supported values: "All"`,
    )
  if (
    o.propagationPolicy &&
    !['Background', 'Foreground', 'Orphan'].includes(o.propagationPolicy)
  ) {
    throw new BadRequestError(
      `propagationPolicy must be Background, Foreground or Orphan, not "${o.propagationPolicy}"`,
    )
  }
  return o
}

async function dependentsOf(
  objects: ObjectStore,
  owner: KubeObject,
): Promise<{ info: ResourceInfo; obj: KubeObject }[]> {
  const out: { info: ResourceInfo; obj: KubeObject }[] = []
  const uid = owner.metadata.uid
  for (const info of allResources()) {
    if (!info.namespaced) continue
    const page = await objects.list(info, {
      namespace: owner.metadata.namespace,
      filter: (o) => !!o.metadata.ownerReferences?.some((r) => r.uid === uid),
    })
    for (const obj of page.items) out.push({ info, obj })
  }
  return out
}

const where = (o: KubeObject): Where => ({
  namespace: o.metadata.namespace,
  name: o.metadata.name!,
})

async function cascade(
  objects: ObjectStore,
  owner: KubeObject,
  policy: Propagation,
  log: Logger,
): Promise<void> {
  for (const d of await dependentsOf(objects, owner)) {
    try {
      if (policy === 'Orphan') {
        const refs = d.obj.metadata.ownerReferences!.filter((r) => r.uid !== owner.metadata.uid)
        await objects.replace(d.info, d.obj, {
          ...d.obj,
          metadata: { ...d.obj.metadata, ownerReferences: refs.length ? refs : undefined },
        })
      } else await deleteObject(objects, d.info, where(d.obj), { propagationPolicy: policy }, log)
    } catch (err) {
      if (!isShoalError(err, 'NotFound') && !isShoalError(err, 'Conflict'))
        log.warn('cascading delete failed', {
          owner: owner.metadata.name,
          dependent: d.obj.metadata.name,
          err: String(err),
        })
    }
  }
}

async function emptyNamespace(objects: ObjectStore, ns: string, log: Logger): Promise<void> {
  for (const info of allResources()) {
    if (!info.namespaced) continue
    for (const obj of (await objects.list(info, { namespace: ns })).items) {
      await deleteObject(objects, info, where(obj), {}, log).catch((err) => {
        if (!isShoalError(err, 'NotFound'))
          log.warn('deleting namespace content failed', {
            ns,
            name: obj.metadata.name,
            err: String(err),
          })
      })
    }
  }
}

export async function deleteObject(
  objects: ObjectStore,
  info: ResourceInfo,
  w: Where,
  o: DeleteOptions,
  log: Logger,
): Promise<{ obj: KubeObject; deleted: boolean }> {
  checkDeletable(info, w.name) // default, kube-system…: 403, also within a deletecollection (which skips them)
  const cur = await objects.mustGet(info, w)
  const policy = o.propagationPolicy ?? 'Background'
  if (info.kind === 'Namespace') await emptyNamespace(objects, cur.metadata.name!, log)
  if (policy === 'Foreground' || policy === 'Orphan') await cascade(objects, cur, policy, log)
  const latest =
    policy === 'Background' && info.kind !== 'Namespace' ? cur : await objects.mustGet(info, w)
  const res = await objects.remove(info, latest, o.preconditions)
  if (res.deleted && policy === 'Background' && !objects.dry) {
    cascade(objects, cur, 'Background', log).catch((err) =>
      log.warn('background cascade failed', { err: String(err) }),
    )
  }
  return res
}
