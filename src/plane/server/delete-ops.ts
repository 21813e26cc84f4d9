// DELETE as kube-apiserver serves it; the cascade is the controllers' (asynchronous, surviving
// a restart of the plane), never done inside the request. Background: the object goes now and
// the garbage collector deletes its dependents after it; Foreground: the object stays, marked
// with the "foregroundDeletion" finalizer, until the garbage collector has deleted its blocking
// dependents; Orphan: marked with "orphan" until the collector has taken the owner reference off
// its dependents (api/resources/deletion.ts decides the finalizers; object-store.ts marks or
// deletes). A Namespace is only marked (deletionTimestamp, status.phase Terminating): the
// namespace controller empties it and removes its "kubernetes" finalizer, and then it goes.
import {
  deletionFinalizers,
  type KubeObject,
  type Namespace,
  type Propagation,
  type ResourceInfo,
} from '../../api/index.ts'
import { BadRequestError, ConflictError, InvalidError } from '../../core/index.ts'
import type { ObjectStore, Where } from './object-store.ts'
import { checkDeletable } from './builtin-namespaces.ts'

export type { Propagation } from '../../api/index.ts'

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
  if (o.orphanDependents !== undefined && o.propagationPolicy) {
    const message = `Invalid value: ${JSON.stringify(o.propagationPolicy)}: orphanDependents and deletionPropagation cannot be both set`
    throw new InvalidError(
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: ${message}`,
      [{ field: 'propagationPolicy', message }],
    )
  }
  if (o.orphanDependents !== undefined)
    o.propagationPolicy = o.orphanDependents ? 'Orphan' : 'Background'
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

/**
 * Deletes the object `w` names, or marks it for deletion while finalizers remain (the ones a
 * Foreground or Orphan delete adds included); `deleted` says which.
 */
export async function deleteObject(
  objects: ObjectStore,
  info: ResourceInfo,
  w: Where,
  o: DeleteOptions,
): Promise<{ obj: KubeObject; deleted: boolean }> {
  checkDeletable(info, w.name) // default, kube-system…: 403, also within a deletecollection (which skips them)
  const cur = await objects.mustGet(info, w)
  if (info.kind === 'Namespace') return deleteNamespace(objects, info, cur as Namespace, o)
  return objects.remove(info, cur, o.preconditions, { propagationPolicy: o.propagationPolicy })
}

/**
 * Kubernetes' namespace REST delete: the first delete marks the namespace Terminating (with the
 * garbage collector's finalizer when Foreground or Orphan was asked for); once the namespace
 * controller has emptied it and removed its spec.finalizers, a delete removes it as any object.
 */
async function deleteNamespace(
  objects: ObjectStore,
  info: ResourceInfo,
  ns: Namespace,
  o: DeleteOptions,
): Promise<{ obj: KubeObject; deleted: boolean }> {
  const m = ns.metadata
  const uid = o.preconditions?.uid
  if (uid && uid !== m.uid)
    throw new ConflictError(
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${m.uid}`,
    )
  if (m.deletionTimestamp) {
    if (ns.spec?.finalizers?.length) return { obj: ns, deleted: false }
    return objects.remove(info, ns, o.preconditions, { propagationPolicy: o.propagationPolicy })
  }
  const rv = o.preconditions?.resourceVersion
  if (rv && rv !== m.resourceVersion)
    throw new ConflictError(
      `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${m.resourceVersion}`,
    )
  // only an explicit policy changes the garbage collector's finalizers of a namespace
  const finalizers = o.propagationPolicy
    ? deletionFinalizers(ns, { policy: o.propagationPolicy, kind: info })
    : m.finalizers
  const marked: Namespace = {
    ...ns,
    metadata: {
      ...m,
      deletionTimestamp: objects.now(),
      ...(finalizers?.length ? { finalizers } : {}),
    },
    status: { ...ns.status, phase: 'Terminating' },
  }
  if (!finalizers?.length) delete marked.metadata.finalizers
  const obj = await objects.replace(info, ns, marked)
  return { obj, deleted: false }
}
