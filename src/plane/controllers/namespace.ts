// The namespace controller (Kubernetes' namespace deleter): a Namespace marked for deletion (the
// API sets deletionTimestamp and status.phase Terminating, and refuses creates in it from then on)
// is emptied — every object of every namespaced kind in it deleted (in the background: the
// garbage collector takes their dependents), owners before what they own so no controller makes
// new ones meanwhile — and its conditions say how that goes (namespace-conditions.ts). Once
// nothing is left it removes its "kubernetes" spec.finalizer, and the Namespace goes when no
// other finalizer is left. Objects that wait for finalizers are waited for: the namespace is
// looked at again when an object of it is deleted, and at the latest after 7.5 s (Kubernetes'
// estimate of 15 s for finalizers, halved).
import {
  allResources,
  NAMESPACE_FINALIZER,
  resourceByKind,
  type KubeObject,
  type Namespace,
  type ResourceInfo,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import { collectedKinds } from './garbage-collector.ts'
import {
  Controller,
  keyOf,
  type ControllerContext,
  type Informer,
  type Result,
} from './kit/index.ts'
import { contentConditions, type ContentReport } from './namespace-conditions.ts'

const NAMESPACES = resourceByKind('Namespace')!
const FINALIZER_WAIT_MS = 7500
/** owners first: deleted after what they own, they would make it again */
const RANK: Record<string, number> = {
  HorizontalPodAutoscaler: 0,
  CronJob: 0,
  Deployment: 1,
  DaemonSet: 1,
  Job: 1,
  ReplicaSet: 2,
  Pod: 4,
}
const rank = (r: ResourceInfo) => RANK[r.kind] ?? 3

/** every namespaced kind that can be deleted, in the order a namespace is emptied */
export const contentKinds = (): ResourceInfo[] =>
  allResources()
    .filter((r) => r.namespaced && r.verbs.includes('delete') && r.verbs.includes('list'))
    .sort((a, b) => rank(a) - rank(b))

export function namespaceController(ctx: ControllerContext): Controller {
  const namespaces = ctx.informers.for<Namespace>(NAMESPACES)
  const c = new Controller('namespace', (name) => reconcile(ctx, namespaces, name), ctx)
  const look = (ns: Namespace) => ns.metadata.deletionTimestamp && c.enqueue(ns.metadata.name!)
  namespaces.on({ added: look, updated: look })
  const emptied = (obj: KubeObject) => {
    const ns = namespaces.cache.get(obj.metadata.namespace ?? '')
    if (ns) look(ns)
  }
  for (const info of collectedKinds().filter((r) => r.namespaced))
    ctx.informers.for(info).on({ deleted: emptied })
  return c
}

export async function reconcile(
  ctx: ControllerContext,
  namespaces: Informer<Namespace>,
  name: string,
): Promise<Result | void> {
  if (!namespaces.cache.get(name)?.metadata.deletionTimestamp) return
  let ns = (await ctx.store.read(NAMESPACES, name)) as Namespace | undefined
  if (!ns?.metadata.deletionTimestamp) return
  if (ns.status?.phase !== 'Terminating')
    ns = await write(ctx, ns, { ...ns, status: { ...ns.status, phase: 'Terminating' } })
  if (!ns.spec?.finalizers?.includes(NAMESPACE_FINALIZER)) return
  const report = await deleteContent(ctx, name)
  const conditions = contentConditions(ns, report, stamp(ctx.clock.now()))
  if (conditions) ns = await write(ctx, ns, { ...ns, status: { ...ns.status, conditions } })
  if (report.errors.length)
    throw new Error(`namespace: ${name}: content not deleted: ${report.errors.join('; ')}`)
  if (report.remaining.size) return { requeueAfter: FINALIZER_WAIT_MS }
  const finalizers = ns.spec!.finalizers!.filter((f) => f !== NAMESPACE_FINALIZER)
  await write(ctx, ns, { ...ns, spec: { ...ns.spec, finalizers } })
  ctx.log.info('namespace emptied and finalized', { namespace: name })
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

async function write(ctx: ControllerContext, ns: Namespace, next: Namespace): Promise<Namespace> {
  return (await ctx.store.replace(NAMESPACES, ns, next)) as Namespace
}

/** Kubernetes' "/v1, Resource=pods" */
const gvr = (r: ResourceInfo) => `${r.group}/${r.version}, Resource=${r.resource}`

/** one pass: deletes what is in the namespace, then counts what is left */
async function deleteContent(ctx: ControllerContext, namespace: string): Promise<ContentReport> {
  const report: ContentReport = { remaining: new Map(), finalizers: new Map(), errors: [] }
  for (const info of contentKinds()) {
    try {
      await deleteAll(ctx, info, namespace)
      const left = (await ctx.store.list(info, { namespace })).items
      if (!left.length) continue
      if (!left.some((o) => o.metadata.finalizers?.length)) {
        report.errors.push(
          `unexpected items still remain in namespace: ${namespace} for gvr: ${gvr(info)}`,
        )
        continue
      }
      report.remaining.set(`${info.resource}.${info.group}`, left.length)
      for (const f of left.flatMap((o) => o.metadata.finalizers ?? []))
        report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1)
    } catch (err) {
      report.errors.push((err as Error).message)
    }
  }
  return report
}

async function deleteAll(ctx: ControllerContext, info: ResourceInfo, namespace: string) {
  const { items } = await ctx.store.list(info, { namespace })
  for (const obj of items) await deleteOne(ctx, info, obj)
}

/** deletes `obj`, read again once if it changed meanwhile (gone by then: done) */
async function deleteOne(ctx: ControllerContext, info: ResourceInfo, obj: KubeObject) {
  for (let attempt = 1; ; attempt++) {
    if (obj.metadata.deletionTimestamp) return
    try {
      await ctx.store.remove(info, obj, { propagationPolicy: 'Background' })
      return
    } catch (err) {
      if (attempt > 1 || !isShoalError(err, 'Conflict')) throw err
    }
    const again = await ctx.store.read(info, keyOf(obj))
    if (!again || again.metadata.uid !== obj.metadata.uid) return
    obj = again
  }
}
