// shoal logs POD | TYPE/NAME [-c C] [-f] [--tail N] [--previous] [--timestamps]: the pod's
// log subresource, streamed verbatim. For a Deployment, ReplicaSet, DaemonSet or Job: its first
// pod (by the selector). A pod of several containers without -c: the first, saying so on stderr.
import type { Ctx } from '../context.ts'
import { usageError } from '../errors.ts'
import { parseTargets, resourcePath, resourceType } from '../resources.ts'
import type { Wire } from '../client.ts'

export interface LogsOptions {
  container?: string
  follow?: boolean
  tail?: string
  previous?: boolean
  timestamps?: boolean
  sinceSeconds?: string
}

async function podOf(ctx: Ctx, arg: string): Promise<Wire> {
  const pods = resourceType('pods')
  const ns = ctx.namespace()
  if (!arg.includes('/'))
    return ctx.client().request(resourcePath(pods, { namespace: ns, name: arg }))
  const [{ info, names }] = parseTargets([arg])
  if (info.kind === 'Pod')
    return ctx.client().request(resourcePath(pods, { namespace: ns, name: names[0] }))
  const owner = await ctx.client().request(resourcePath(info, { namespace: ns, name: names[0] }))
  const labels = owner.spec?.selector?.matchLabels ?? owner.spec?.selector ?? {}
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  const list = await ctx
    .client()
    .request(resourcePath(pods, { namespace: ns }), { query: { labelSelector: selector } })
  const pod = list.items?.[0]
  if (!pod) throw usageError(`timed out waiting for the condition: no pods of ${arg}`)
  return pod
}

export async function logs(ctx: Ctx, args: string[], o: LogsOptions): Promise<number> {
  if (args.length !== 1) throw usageError('expected POD or TYPE/NAME: logs takes one pod')
  const pod = await podOf(ctx, args[0])
  const containers: string[] = (pod.spec?.containers ?? []).map((c: Wire) => c.name)
  let container = o.container
  if (!container) {
    container =
      pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? containers[0]
    if (containers.length > 1)
      ctx.io.err(`Defaulted container "${container}" out of: ${containers.join(', ')}\n`)
  }
  const path = resourcePath(resourceType('pods'), {
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    sub: 'log',
  })
  const body = await ctx.client().stream(path, {
    accept: '*/*',
    signal: ctx.io.signal,
    query: {
      container,
      follow: o.follow || undefined,
      tailLines: o.tail !== undefined && Number(o.tail) >= 0 ? o.tail : undefined,
      previous: o.previous || undefined,
      timestamps: o.timestamps || undefined,
      sinceSeconds: o.sinceSeconds,
    },
  })
  try {
    for await (const chunk of body) ctx.io.out(chunk.toString('utf8'))
  } catch (err) {
    if (!ctx.io.signal?.aborted) throw err
  }
  return 0
}
