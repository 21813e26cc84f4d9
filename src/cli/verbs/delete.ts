// shoal delete TYPE NAME… | TYPE/NAME… | TYPE -l SEL | TYPE --all | -f FILE…: one DELETE each
// (propagationPolicy Background, as kubectl), "<type> "<name>" deleted" for each. --wait polls
// until the objects are gone (off by default: a pod goes only once its node has stopped it).
import type { Ctx } from '../context.ts'
import { ApiError, isNotFound, usageError } from '../errors.ts'
import { readManifests } from '../manifests.ts'
import { objectResource, parseTargets, resourcePath, type ResourceInfo } from '../resources.ts'
import { dryRunQuery } from './object-diff.ts'

export interface DeleteOptions {
  filename?: string[]
  recursive?: boolean
  selector?: string
  all?: boolean
  ignoreNotFound?: boolean
  wait?: boolean
  dryRun?: string
  cascade?: string
  gracePeriod?: string
}

interface Item {
  info: ResourceInfo
  namespace?: string
  name: string
}

async function items(ctx: Ctx, args: string[], o: DeleteOptions): Promise<Item[]> {
  if (o.filename?.length) {
    if (args.length)
      throw usageError('when paths or URLs are given, no resource arguments are allowed')
    return (await readManifests(ctx.io, o.filename, o.recursive)).map(({ object }) => {
      const info = objectResource(object)
      return {
        info,
        namespace: info.namespaced ? (object.metadata?.namespace ?? ctx.namespace()) : undefined,
        name: object.metadata?.name,
      }
    })
  }
  const all = ctx.globals.allNamespaces
  const out: Item[] = []
  for (const { info, names } of parseTargets(args)) {
    if (names.length) {
      if (o.selector || o.all)
        throw usageError('name cannot be provided when a selector is specified')
      out.push(...names.map((name) => ({ info, namespace: ctx.namespace(), name })))
      continue
    }
    if (!o.selector && !o.all)
      throw usageError('resource(s) were provided, but no name was specified')
    const list = await ctx
      .client()
      .request(resourcePath(info, { namespace: all ? undefined : ctx.namespace() }), {
        query: { labelSelector: o.selector },
      })
    for (const obj of list.items ?? [])
      out.push({ info, namespace: obj.metadata?.namespace, name: obj.metadata.name })
  }
  return out
}

export async function del(ctx: Ctx, args: string[], o: DeleteOptions): Promise<number> {
  const list = await items(ctx, args, o)
  const propagationPolicy =
    o.cascade === 'orphan' ? 'Orphan' : o.cascade === 'foreground' ? 'Foreground' : 'Background'
  const grace =
    o.gracePeriod !== undefined && Number(o.gracePeriod) >= 0
      ? { gracePeriodSeconds: Number(o.gracePeriod) }
      : {}
  const suffix =
    o.dryRun === 'server' ? ' (server dry run)' : o.dryRun === 'client' ? ' (dry run)' : ''
  let failed = false
  if (!list.length && !o.filename?.length) {
    ctx.io.err(
      ctx.globals.allNamespaces
        ? 'No resources found\n'
        : `No resources found in ${ctx.namespace()} namespace.\n`,
    )
    return 0
  }
  const gone: Item[] = []
  for (const it of list) {
    const path = resourcePath(it.info, { namespace: it.namespace, name: it.name })
    const kind = it.info.group
      ? `${it.info.kind.toLowerCase()}.${it.info.group}`
      : it.info.kind.toLowerCase()
    try {
      if (o.dryRun !== 'client')
        await ctx.client().request(path, {
          method: 'DELETE',
          body: { propagationPolicy, ...grace },
          query: dryRunQuery(o.dryRun),
        })
      ctx.io.out(`${kind} "${it.name}" deleted${suffix}\n`)
      gone.push(it)
    } catch (err) {
      if (isNotFound(err) && o.ignoreNotFound) continue
      if (!(err instanceof ApiError)) throw err
      ctx.io.err(`${err.message}\n`)
      failed = true
    }
  }
  if (o.wait && !o.dryRun) for (const it of gone) await waitGone(ctx, it)
  return failed ? 1 : 0
}

async function waitGone(ctx: Ctx, it: Item): Promise<void> {
  const path = resourcePath(it.info, { namespace: it.namespace, name: it.name })
  for (;;) {
    try {
      await ctx.client().request(path)
    } catch (err) {
      if (isNotFound(err)) return
      throw err
    }
    if (ctx.io.signal?.aborted) return
    await new Promise((r) => setTimeout(r, 250))
  }
}
