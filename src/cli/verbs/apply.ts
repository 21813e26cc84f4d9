// shoal apply -f: client-side apply as kubectl does it, so the two can take turns on an object.
// The manifest goes in the kubectl.kubernetes.io/last-applied-configuration annotation; a missing
// object is created, an existing one patched (JSON merge patch) with what changed against the live
// object plus the fields the last applied configuration had and this one drops; no change:
// "unchanged". --prune -l SEL deletes the objects of the applied types that match SEL and that
// were applied before (they carry the annotation) but are no longer in the manifests.
// shoal create -f: POST each, AlreadyExists an error.
import type { Ctx } from '../context.ts'
import { ApiError, isNotFound, usageError } from '../errors.ts'
import { readManifests, type Manifest } from '../manifests.ts'
import { objectName, objectResource, resourcePath } from '../resources.ts'
import { dryRunQuery, threeWayPatch } from './object-diff.ts'
import type { Wire } from '../client.ts'

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

export interface ApplyOptions {
  filename?: string[]
  recursive?: boolean
  prune?: boolean
  selector?: string
  dryRun?: string
  output?: string
}

function target(ctx: Ctx, m: Manifest) {
  const info = objectResource(m.object)
  const own = m.object.metadata?.namespace
  if (info.namespaced && own && ctx.globals.namespace && own !== ctx.globals.namespace)
    throw usageError(
      `the namespace from the provided object "${own}" does not match the namespace "${ctx.globals.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    )
  const namespace = info.namespaced ? (m.object.metadata?.namespace ?? ctx.namespace()) : undefined
  if (info.namespaced) m.object.metadata = { ...m.object.metadata, namespace }
  return { info, namespace, name: m.object.metadata?.name as string }
}

/** JSON with every object's keys sorted, as Go marshals the maps kubectl annotates with */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort()
    const obj = v as Record<string, unknown>
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(obj[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}

/** the manifest with the annotation kubectl gives it: itself (annotations without this one, maybe
 * empty) as sorted JSON and a newline, byte for byte what kubectl writes */
function withLastApplied(obj: Wire): Wire {
  const annotations = { ...obj.metadata?.annotations }
  delete annotations[LAST_APPLIED]
  const plain = { ...obj, metadata: { ...obj.metadata, annotations } }
  const text = sortedJson(plain) + '\n'
  return {
    ...obj,
    metadata: { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: text } },
  }
}

/** one manifest applied: what happened, as kubectl says it (created, configured, unchanged) */
async function applyOne(ctx: Ctx, m: Manifest, o: ApplyOptions): Promise<string> {
  const { info, namespace, name } = target(ctx, m)
  const path = resourcePath(info, { namespace, name })
  const wanted = withLastApplied(m.object)
  const query = { fieldManager: 'kubectl-client-side-apply', ...dryRunQuery(o.dryRun) }
  let live: Wire
  try {
    live = await ctx.client().request(path)
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
  if (o.dryRun === 'client') return live ? 'configured' : 'created'
  if (!live) {
    const collection = resourcePath(info, { namespace })
    await ctx.client().request(collection, { method: 'POST', body: wanted, query })
    return 'created'
  }
  const patch = threeWayPatch(parseLastApplied(live), wanted, live)
  if (!patch) return 'unchanged'
  const contentType = 'application/merge-patch+json'
  await ctx.client().request(path, { method: 'PATCH', body: patch, contentType, query })
  return 'configured'
}

/** "Error from server (X): error when applying "FILE": …", as kubectl names the file */
const whenApplying = (err: ApiError, source: string, verb = 'applying') =>
  `${err.message.replace(/^(Error from server[^:]*): /, `$1: error when ${verb} "${source}": `)}\n`

export async function apply(ctx: Ctx, o: ApplyOptions): Promise<number> {
  const manifests = await readManifests(ctx.io, o.filename ?? [], o.recursive)
  const suffix =
    o.dryRun === 'server' ? ' (server dry run)' : o.dryRun === 'client' ? ' (dry run)' : ''
  if (o.output !== undefined && o.output !== 'name')
    throw usageError(
      `unable to match a printer suitable for the output format "${o.output}", allowed formats are: name`,
    )
  const applied = new Set<string>()
  let failed = false
  for (const m of manifests) {
    const { info, namespace, name } = target(ctx, m)
    applied.add(`${info.resource}.${info.group}/${namespace ?? ''}/${name}`)
    try {
      const what = await applyOne(ctx, m, o)
      const obj = objectName(info, name)
      ctx.io.out(o.output === 'name' ? `${obj}\n` : `${obj} ${what}${suffix}\n`)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      ctx.io.err(whenApplying(err, m.source))
      failed = true
    }
  }
  if (o.prune) await prune(ctx, manifests, applied, o)
  return failed ? 1 : 0
}

function parseLastApplied(live: Wire): Wire {
  const text = live.metadata?.annotations?.[LAST_APPLIED]
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

async function prune(ctx: Ctx, manifests: Manifest[], applied: Set<string>, o: ApplyOptions) {
  const seen = new Map<string, ReturnType<typeof target>>()
  for (const m of manifests) {
    const t = target(ctx, m)
    seen.set(`${t.info.resource}.${t.info.group}/${t.namespace ?? ''}`, t)
  }
  for (const t of seen.values()) {
    const list = await ctx.client().request(resourcePath(t.info, { namespace: t.namespace }), {
      query: { labelSelector: o.selector },
    })
    for (const obj of list.items ?? []) {
      const key = `${t.info.resource}.${t.info.group}/${t.namespace ?? ''}/${obj.metadata.name}`
      if (applied.has(key) || !obj.metadata?.annotations?.[LAST_APPLIED]) continue
      await ctx
        .client()
        .request(resourcePath(t.info, { namespace: t.namespace, name: obj.metadata.name }), {
          method: 'DELETE',
          body: { propagationPolicy: 'Background' },
          query: dryRunQuery(o.dryRun),
        })
      ctx.io.out(`${objectName(t.info, obj.metadata.name)} pruned\n`)
    }
  }
}

export async function create(ctx: Ctx, o: ApplyOptions): Promise<number> {
  const manifests = await readManifests(ctx.io, o.filename ?? [], o.recursive)
  let failed = false
  for (const m of manifests) {
    const { info, namespace, name } = target(ctx, m)
    try {
      await ctx.client().request(resourcePath(info, { namespace }), {
        method: 'POST',
        body: m.object,
        query: { fieldManager: 'kubectl-create', ...dryRunQuery(o.dryRun) },
      })
      ctx.io.out(`${objectName(info, name)} created\n`)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      ctx.io.err(whenApplying(err, m.source, 'creating'))
      failed = true
    }
  }
  return failed ? 1 : 0
}
