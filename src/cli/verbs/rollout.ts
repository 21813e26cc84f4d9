// shoal rollout status | history | undo | restart deployment/NAME (restart also daemonsets):
// status reads the Deployment's status as kubectl does (observed generation, updated, old and
// available replicas) until the rollout is done; history lists the ReplicaSets the Deployment
// owns by revision (--revision N: that one's pod template); undo puts back a revision's pod template; restart stamps the template.
import type { Ctx } from '../context.ts'
import { CliError, usageError } from '../errors.ts'
import { formatColumns } from '../printers.ts'
import { describePodTemplate } from './pod-template.ts'
import {
  objectName,
  parseTargets,
  qualified,
  resourcePath,
  resourceType,
  type ResourceInfo,
} from '../resources.ts'
import type { Wire } from '../client.ts'

const REVISION = 'deployment.kubernetes.io/revision'
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
const CHANGE_CAUSE = 'kubernetes.io/change-cause'

function one(args: string[]): { info: ResourceInfo; name: string } {
  const t = parseTargets(args)
  if (t.length !== 1 || t[0].names.length !== 1)
    throw usageError('required resource not specified: give one object, e.g. deployment/web')
  return { info: t[0].info, name: t[0].names[0] }
}

/** kubectl's message for a Deployment's status, and whether the rollout is done */
export function deploymentStatus(d: Wire): { done: boolean; message: string } {
  const name = d.metadata.name
  const st = d.status ?? {}
  const want = d.spec?.replicas ?? 1
  if ((st.observedGeneration ?? 0) < (d.metadata.generation ?? 0))
    return { done: false, message: 'Waiting for deployment spec update to be observed...' }
  const progressing = (st.conditions ?? []).find((c: Wire) => c.type === 'Progressing')
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    throw new CliError(`error: deployment "${name}" exceeded its progress deadline`)
  const updated = st.updatedReplicas ?? 0
  const wait = `Waiting for deployment "${name}" rollout to finish: `
  if (updated < want)
    return {
      done: false,
      message: `${wait}${updated} out of ${want} new replicas have been updated...`,
    }
  if ((st.replicas ?? 0) > updated)
    return {
      done: false,
      message: `${wait}${st.replicas - updated} old replicas are pending termination...`,
    }
  if ((st.availableReplicas ?? 0) < updated)
    return {
      done: false,
      message: `${wait}${st.availableReplicas ?? 0} of ${updated} updated replicas are available...`,
    }
  return { done: true, message: `deployment "${name}" successfully rolled out` }
}

/** kubectl's message for a DaemonSet's status */
export function daemonSetStatus(ds: Wire): { done: boolean; message: string } {
  const name = ds.metadata.name
  const st = ds.status ?? {}
  if ((st.observedGeneration ?? 0) < (ds.metadata.generation ?? 0))
    return { done: false, message: 'Waiting for daemon set spec update to be observed...' }
  const want = st.desiredNumberScheduled ?? 0
  const wait = `Waiting for daemon set "${name}" rollout to finish: `
  if ((st.updatedNumberScheduled ?? 0) < want)
    return {
      done: false,
      message: `${wait}${st.updatedNumberScheduled ?? 0} out of ${want} new pods have been updated...`,
    }
  if ((st.numberAvailable ?? 0) < want)
    return {
      done: false,
      message: `${wait}${st.numberAvailable ?? 0} of ${want} updated pods are available...`,
    }
  return { done: true, message: `daemon set "${name}" successfully rolled out` }
}

function seconds(text: string | undefined): number {
  if (!text || text === '0' || text === '0s') return 0
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text)
  if (!m)
    throw usageError(`invalid argument "${text}" for "--timeout" flag: give a duration like 60s`)
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's']!
}

export async function rolloutStatus(
  ctx: Ctx,
  args: string[],
  o: { timeout?: string; watch?: boolean },
) {
  const { info, name } = one(args)
  const viewer = { Deployment: deploymentStatus, DaemonSet: daemonSetStatus }[info.kind]
  if (!viewer) throw usageError(`no status viewer has been implemented for ${info.kind}`)
  const path = resourcePath(info, { namespace: ctx.namespace(), name })
  const limit = seconds(o.timeout)
  const end = Date.now() + limit * 1000
  let last = ''
  for (;;) {
    const s = viewer(await ctx.client().request(path))
    if (s.message !== last) ctx.io.out(`${s.message}\n`)
    last = s.message
    if (s.done) return 0
    if (o.watch === false) return 0
    if (limit && Date.now() > end) throw new CliError('error: timed out waiting for the condition')
    if (ctx.io.signal?.aborted) return 1
    await new Promise((r) => setTimeout(r, 300))
  }
}

async function ownedReplicaSets(ctx: Ctx, d: Wire): Promise<Wire[]> {
  const rs = resourceType('replicasets')
  const list = await ctx.client().request(resourcePath(rs, { namespace: d.metadata.namespace }))
  return (list.items ?? [])
    .filter((r: Wire) => r.metadata.ownerReferences?.some((o: Wire) => o.uid === d.metadata.uid))
    .sort((a: Wire, b: Wire) => revision(a) - revision(b))
}

const revision = (o: Wire) => Number(o.metadata?.annotations?.[REVISION] ?? 0)

async function deployment(ctx: Ctx, args: string[]) {
  const { info, name } = one(args)
  if (info.kind !== 'Deployment')
    throw usageError(`no history viewer has been implemented for ${info.kind}`)
  const path = resourcePath(info, { namespace: ctx.namespace(), name })
  return { info, name, path, d: await ctx.client().request(path) }
}

export async function rolloutHistory(ctx: Ctx, args: string[], o: { revision?: string } = {}) {
  const want = o.revision === undefined ? 0 : Number(o.revision)
  if (!Number.isInteger(want) || want < 0)
    throw usageError(`invalid argument "${o.revision}" for "--revision" flag: give a number`)
  const { info, name, d } = await deployment(ctx, args)
  const sets = await ownedReplicaSets(ctx, d)
  if (want) {
    // as kubectl: that revision's pod template, as describe prints one
    const rs = sets.find((r) => revision(r) === want)
    if (!rs) throw new CliError('error: unable to find the specified revision')
    // as kubectl: the ReplicaSet's change-cause shown among the template's annotations
    const template = structuredClone(rs.spec?.template ?? {})
    const cause = rs.metadata.annotations?.[CHANGE_CAUSE]
    if (cause)
      template.metadata = {
        ...template.metadata,
        annotations: { ...template.metadata?.annotations, [CHANGE_CAUSE]: cause },
      }
    ctx.io.out(
      `${objectName(info, name)} with revision #${want}\n${describePodTemplate(template)}\n`,
    )
    return 0
  }
  const rows = sets.map((r) => [
    String(revision(r)),
    r.metadata.annotations?.[CHANGE_CAUSE] ?? '<none>',
  ])
  ctx.io.out(
    `${objectName(info, name)} \n${formatColumns([['REVISION', 'CHANGE-CAUSE'], ...rows], { gap: 2 })}\n`,
  )
  return 0
}

export async function rolloutUndo(ctx: Ctx, args: string[], o: { toRevision?: string }) {
  const { info, name, path, d } = await deployment(ctx, args)
  const sets = await ownedReplicaSets(ctx, d)
  const current = revision(d)
  const to = Number(o.toRevision ?? 0)
  const target = to
    ? sets.find((r) => revision(r) === to)
    : sets.filter((r) => revision(r) < current).at(-1)
  if (!target)
    throw usageError(
      to
        ? `unable to find specified revision ${to} in history`
        : 'no rollout history found for deployment "' + name + '"',
    )
  const template = structuredClone(target.spec.template)
  delete template.metadata?.labels?.['pod-template-hash']
  // as kubectl: the revision's own annotations (its change-cause) come back with its template
  const annotations = { ...d.metadata.annotations }
  for (const [k, v] of Object.entries(target.metadata.annotations ?? {}))
    if (!k.startsWith('deployment.kubernetes.io/') && k !== LAST_APPLIED) annotations[k] = v
  await ctx.client().request(path, {
    method: 'PATCH',
    contentType: 'application/json-patch+json',
    body: [
      { op: 'test', path: '/metadata/resourceVersion', value: d.metadata.resourceVersion },
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'add', path: '/metadata/annotations', value: annotations },
    ],
  })
  ctx.io.out(`${objectName(info, name)} rolled back\n`)
  return 0
}

export async function rolloutRestart(ctx: Ctx, args: string[]) {
  for (const { info, names } of parseTargets(args)) {
    if (!['Deployment', 'DaemonSet'].includes(info.kind))
      throw usageError(`${info.resource} "${names[0]}" restarting is not supported`)
    for (const name of names) {
      await ctx.client().request(resourcePath(info, { namespace: ctx.namespace(), name }), {
        method: 'PATCH',
        contentType: 'application/strategic-merge-patch+json',
        body: {
          spec: {
            template: {
              metadata: {
                annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() },
              },
            },
          },
        },
        query: { fieldManager: 'kubectl-rollout' },
      })
      ctx.io.out(`${objectName(info, name)} restarted\n`)
    }
  }
  return 0
}

/** rollout pause | resume: spec.paused set or cleared; already so is an error, as kubectl's */
export async function rolloutPause(ctx: Ctx, args: string[], pause: boolean) {
  const { info, name, path, d } = await deployment(ctx, args)
  const verb = pause ? 'paused' : 'resumed'
  if (!!d.spec?.paused === pause)
    throw usageError(`${qualified(info)} "${name}" is ${pause ? 'already paused' : 'not paused'}`)
  await ctx.client().request(path, {
    method: 'PATCH',
    contentType: 'application/merge-patch+json',
    body: { spec: { paused: pause ? true : null } },
    query: { fieldManager: 'kubectl-rollout' },
  })
  ctx.io.out(`${objectName(info, name)} ${verb}\n`)
  return 0
}
