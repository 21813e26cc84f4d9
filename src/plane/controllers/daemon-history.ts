// A DaemonSet's history as Kubernetes keeps it (daemon/update.go): one ControllerRevision per pod
// template it has had, named <daemonset>-<hash>, labelled with the template's labels and
// controller-revision-hash, its data the strategic merge patch that puts that template back
// ({"spec":{"template":{…,"$patch":"replace"}}}, what kubectl rollout undo sends), its revision
// one more than any other. The current one is found by its data (a template seen before — undo —
// gets the next revision number again) or made; a name taken by another template bumps
// status.collisionCount. Old revisions beyond revisionHistoryLimit go, oldest first, unless a
// pod still carries their hash.
import {
  deepEqual,
  matchesLabelSelector,
  resourceByKind,
  type ControllerRevision,
  type DaemonSet,
  type Pod,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import type { ControllerContext, Informer } from './kit/index.ts'
import { templateHash } from './deployment-rules.ts'
import { REVISION_HASH } from './daemon-rules.ts'

const REVISIONS = resourceByKind('ControllerRevision', 'apps')!
const DSS = resourceByKind('DaemonSet', 'apps')!

export interface History {
  ctx: ControllerContext
  revisions: Informer<ControllerRevision>
}

/** the patch that restores the DaemonSet's template (getPatch) */
export function templatePatch(ds: DaemonSet): { spec: { template: object } } {
  return { spec: { template: { ...structuredClone(ds.spec.template), $patch: 'replace' } } }
}

const matches = (ds: DaemonSet, cr: ControllerRevision) => deepEqual(cr.data, templatePatch(ds))

export const dsRef = (ds: DaemonSet) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  name: ds.metadata.name!,
  uid: ds.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
})

async function write(h: History, cur: ControllerRevision, next: ControllerRevision) {
  const w = (await h.ctx.store.replace(REVISIONS, cur, next)) as ControllerRevision
  await h.revisions.seen(Number(w.metadata.resourceVersion))
  return w
}

async function remove(h: History, cr: ControllerRevision) {
  const gone = await h.ctx.store.remove(REVISIONS, cr)
  await h.revisions.seen(Number(gone.obj.metadata.resourceVersion))
}

/** the revisions the DaemonSet controls, after adopting orphans its selector matches */
async function claimed(h: History, ds: DaemonSet): Promise<ControllerRevision[]> {
  const out = h.revisions.cache.byOwner(ds.metadata.uid!)
  for (const cr of h.revisions.cache.orphans(ds.metadata.namespace ?? '')) {
    if (cr.metadata.deletionTimestamp) continue
    if (!matchesLabelSelector(ds.spec.selector, cr.metadata.labels)) continue
    const ownerReferences = [...(cr.metadata.ownerReferences ?? []), dsRef(ds)]
    out.push(await write(h, cr, { ...cr, metadata: { ...cr.metadata, ownerReferences } }))
  }
  return out
}

/** the current revision (found or made, at the highest revision number) and the old ones
 * (constructHistory) */
export async function constructHistory(
  h: History,
  ds: DaemonSet,
  pods: Pod[],
): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
  const all = await claimed(h, ds)
  const current = all.filter((cr) => matches(ds, cr))
  const old = all.filter((cr) => !matches(ds, cr))
  const next = Math.max(0, ...old.map((cr) => cr.revision ?? 0)) + 1
  if (!current.length) return { cur: await snapshot(h, ds, next), old }
  let cur = await dedup(h, current, pods)
  if ((cur.revision ?? 0) < next) cur = await write(h, cur, { ...cur, revision: next })
  return { cur, old }
}

/** one current revision kept (the highest); the pods of the others relabelled to it */
async function dedup(h: History, current: ControllerRevision[], pods: Pod[]) {
  const keep = [...current].sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0]
  if (current.length === 1) return keep
  const hash = keep.metadata.labels?.[REVISION_HASH] ?? ''
  const PODS = resourceByKind('Pod')!
  for (const p of pods) {
    if (p.metadata.labels?.[REVISION_HASH] === hash) continue
    const labels = { ...p.metadata.labels, [REVISION_HASH]: hash }
    await h.ctx.store.replace(PODS, p, { ...p, metadata: { ...p.metadata, labels } })
  }
  for (const cr of current) if (cr !== keep) await remove(h, cr)
  return keep
}

async function snapshot(h: History, ds: DaemonSet, revision: number) {
  const hash = templateHash(ds.spec.template, ds.status?.collisionCount)
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...ds.spec.template.metadata?.labels, [REVISION_HASH]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [dsRef(ds)],
    },
    data: templatePatch(ds),
    revision,
  }
  try {
    const made = (await h.ctx.store.create(REVISIONS, cr)) as ControllerRevision
    await h.revisions.seen(Number(made.metadata.resourceVersion))
    return made
  } catch (err) {
    if (!isShoalError(err, 'AlreadyExists')) throw err
    const taken = h.revisions.cache.get(`${cr.metadata.namespace}/${cr.metadata.name}`)
    if (taken && matches(ds, taken)) return taken
    // another template under that name: hash again with one more collision
    const collisionCount = (ds.status?.collisionCount ?? 0) + 1
    const status = { ...emptyStatus(), ...ds.status, collisionCount }
    await h.ctx.store.replace(DSS, ds, { ...ds, status } as DaemonSet)
    throw err
  }
}

const emptyStatus = () => ({
  currentNumberScheduled: 0,
  numberMisscheduled: 0,
  desiredNumberScheduled: 0,
  numberReady: 0,
})

/** old revisions beyond revisionHistoryLimit, lowest revision first, but none a pod still
 * carries the hash of (cleanupHistory) */
export async function cleanupHistory(
  h: History,
  ds: DaemonSet,
  old: ControllerRevision[],
  pods: Pod[],
) {
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? 10)
  if (toKill <= 0) return
  const live = new Set(pods.map((p) => p.metadata.labels?.[REVISION_HASH]).filter(Boolean))
  for (const cr of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
    if (toKill <= 0) return
    if (live.has(cr.metadata.labels?.[REVISION_HASH])) continue
    await remove(h, cr)
    toKill--
  }
}
