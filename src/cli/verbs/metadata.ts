// shoal label | annotate TYPE NAME… k=v k2- [--overwrite] [-l SEL | --all]: a merge patch of
// metadata.labels / annotations (null removes a key), as kubectl sends it. An existing key with
// another value needs --overwrite, as with kubectl. Also scale (the scale subresource).
import type { Ctx } from '../context.ts'
import { usageError } from '../errors.ts'
import { objectName, parseTargets, resourcePath } from '../resources.ts'
import type { Wire } from '../client.ts'

export interface MetadataOptions {
  overwrite?: boolean
  selector?: string
  all?: boolean
}

function parsePairs(pairs: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const p of pairs) {
    if (p.endsWith('-') && !p.includes('=')) out[p.slice(0, -1)] = null
    else {
      const i = p.indexOf('=')
      if (i <= 0) throw usageError(`invalid label spec: ${p}`)
      out[p.slice(0, i)] = p.slice(i + 1)
    }
  }
  return out
}

/** splits `TYPE NAME… k=v k-` into the objects' arguments and the pairs */
function split(args: string[]) {
  const isPair = (a: string) => a.includes('=') || (a.endsWith('-') && args.indexOf(a) > 0)
  const first = args.findIndex((a, i) => i > 0 && isPair(a))
  if (first < 0) throw usageError('at least one label update is required')
  return { targets: args.slice(0, first), pairs: parsePairs(args.slice(first)) }
}

export async function setMetadata(
  ctx: Ctx,
  field: 'labels' | 'annotations',
  args: string[],
  o: MetadataOptions,
): Promise<number> {
  const { targets, pairs } = split(args)
  const verb = field === 'labels' ? 'labeled' : 'annotated'
  for (const { info, names } of parseTargets(targets)) {
    let list = names
    if (!list.length) {
      if (!o.selector && !o.all)
        throw usageError('resource(s) were provided, but no name was specified')
      const res = await ctx.client().request(resourcePath(info, { namespace: ctx.namespace() }), {
        query: { labelSelector: o.selector },
      })
      list = (res.items ?? []).map((i: Wire) => i.metadata.name)
    }
    for (const name of list) {
      const path = resourcePath(info, { namespace: ctx.namespace(), name })
      const live = await ctx.client().request(path)
      const have = live.metadata?.[field] ?? {}
      for (const [k, v] of Object.entries(pairs)) {
        if (v !== null && k in have && have[k] !== v && !o.overwrite)
          throw usageError(`'${k}' already has a value (${have[k]}), and --overwrite is false`)
      }
      const unchanged = Object.entries(pairs).every(([k, v]) =>
        v === null ? !(k in have) : have[k] === v,
      )
      if (!unchanged)
        await ctx.client().request(path, {
          method: 'PATCH',
          body: { metadata: { [field]: pairs } },
          contentType: 'application/merge-patch+json',
          query: { fieldManager: `kubectl-${field === 'labels' ? 'label' : 'annotate'}` },
        })
      ctx.io.out(`${objectName(info, name)} ${unchanged ? 'not ' + verb : verb}\n`)
    }
  }
  return 0
}

export async function scale(
  ctx: Ctx,
  args: string[],
  o: { replicas?: string; currentReplicas?: string },
) {
  const replicas = Number(o.replicas)
  if (o.replicas === undefined || !Number.isInteger(replicas) || replicas < 0)
    throw usageError(
      'The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0',
    )
  for (const { info, names } of parseTargets(args)) {
    if (!info.subresources.some((s) => s.name === 'scale'))
      throw usageError(`cannot scale ${info.resource}: it has no scale subresource`)
    for (const name of names) {
      const path = resourcePath(info, { namespace: ctx.namespace(), name, sub: 'scale' })
      if (o.currentReplicas !== undefined) {
        const cur = await ctx.client().request(path)
        if (cur.spec?.replicas !== Number(o.currentReplicas))
          throw usageError(
            `Expected replicas to be ${o.currentReplicas}, was ${cur.spec?.replicas ?? 0}`,
          )
      }
      await ctx.client().request(path, {
        method: 'PATCH',
        body: { spec: { replicas } },
        contentType: 'application/merge-patch+json',
      })
      ctx.io.out(`${objectName(info, name)} scaled\n`)
    }
  }
  return 0
}
