// shoal cordon | uncordon NODE…: spec.unschedulable set or cleared by a merge patch.
// shoal drain NODE: cordon, then evict every pod on it (pods/eviction where the server serves
// it, else a delete, as kubectl falls back to); DaemonSet pods are refused unless
// --ignore-daemonsets (then left), pods without a controller unless --force.
import type { Ctx } from '../context.ts'
import { CliError, usageError } from '../errors.ts'
import { resourcePath, resourceType } from '../resources.ts'
import type { Wire } from '../client.ts'

async function setUnschedulable(ctx: Ctx, name: string, on: boolean): Promise<void> {
  const path = resourcePath(resourceType('nodes'), { name })
  const node = await ctx.client().request(path)
  const verb = on ? 'cordoned' : 'uncordoned'
  if (!!node.spec?.unschedulable === on) return ctx.io.out(`node/${name} already ${verb}\n`)
  await ctx.client().request(path, {
    method: 'PATCH',
    contentType: 'application/merge-patch+json',
    body: { spec: { unschedulable: on ? true : null } },
  })
  ctx.io.out(`node/${name} ${verb}\n`)
}

export async function cordon(ctx: Ctx, names: string[], on: boolean): Promise<number> {
  if (!names.length) throw usageError('USAGE: shoal ' + (on ? 'cordon' : 'uncordon') + ' NODE')
  for (const n of names) await setUnschedulable(ctx, n, on)
  return 0
}

export interface DrainOptions {
  ignoreDaemonsets?: boolean
  force?: boolean
  deleteEmptydirData?: boolean
  gracePeriod?: string
}

export async function drain(ctx: Ctx, names: string[], o: DrainOptions): Promise<number> {
  if (!names.length) throw usageError('USAGE: shoal drain NODE')
  const pods = resourceType('pods')
  for (const node of names) {
    await setUnschedulable(ctx, node, true)
    const list = await ctx
      .client()
      .request(resourcePath(pods), { query: { fieldSelector: `spec.nodeName=${node}` } })
    const evict: Wire[] = []
    const problems = new Map<string, string[]>()
    const problem = (why: string, id: string) =>
      problems.set(why, [...(problems.get(why) ?? []), id])
    const ignored: string[] = []
    for (const p of list.items ?? []) {
      const owner = p.metadata.ownerReferences?.find((r: Wire) => r.controller)
      const id = `${p.metadata.namespace}/${p.metadata.name}`
      if (owner?.kind === 'DaemonSet') {
        if (o.ignoreDaemonsets) ignored.push(id)
        else problem('cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)', id)
      } else if (!owner && !o.force)
        problem('cannot delete Pods that declare no controller (use --force to override)', id)
      else evict.push(p)
    }
    if (problems.size)
      throw new CliError(
        `error: unable to drain node "${node}" due to error: ${[...problems].map(([why, ids]) => `${why}: ${ids.join(', ')}`).join(', ')}, continuing command...\nThere are pending nodes to be drained:\n ${node}`,
      )
    if (ignored.length)
      ctx.io.err(`Warning: ignoring DaemonSet-managed Pods: ${ignored.join(', ')}\n`)
    for (const p of evict) {
      const path = resourcePath(pods, { namespace: p.metadata.namespace, name: p.metadata.name })
      const grace =
        o.gracePeriod !== undefined && Number(o.gracePeriod) >= 0
          ? { gracePeriodSeconds: Number(o.gracePeriod) }
          : {}
      if (pods.subresources.some((s) => s.name === 'eviction'))
        await ctx.client().request(`${path}/eviction`, {
          method: 'POST',
          body: {
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
            deleteOptions: grace,
          },
        })
      else await ctx.client().request(path, { method: 'DELETE', body: grace })
      ctx.io.out(`pod/${p.metadata.name} evicted\n`)
    }
    ctx.io.out(`node/${node} drained\n`)
  }
  return 0
}
