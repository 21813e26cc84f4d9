// shoal events | top nodes | top pods | version: reads that print their own columns.
// events: kubectl events' LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, oldest first (--for TYPE/NAME).
// top: metrics.k8s.io (the usage the nodes report), nodes with their share of allocatable.
// version: the client's and the server's /version.
import { ageSince, parseCpu, parseMemory } from '../../api/index.ts'
import type { Ctx } from '../context.ts'
import { usageError } from '../errors.ts'
import { formatColumns } from '../printers.ts'
import { parseTargets, resourcePath, resourceType } from '../resources.ts'
import type { Wire } from '../client.ts'

export async function events(ctx: Ctx, o: { for?: string; types?: string }): Promise<number> {
  const all = ctx.globals.allNamespaces
  let fieldSelector: string | undefined
  if (o.for) {
    const [{ info, names }] = parseTargets([o.for])
    fieldSelector = `involvedObject.kind=${info.kind},involvedObject.name=${names[0]}`
  }
  const list = await ctx
    .client()
    .request(
      resourcePath(resourceType('events'), { namespace: all ? undefined : ctx.namespace() }),
      {
        query: { fieldSelector },
      },
    )
  const types = o.types?.split(',')
  const time = (e: Wire) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp
  const items = (list.items ?? [])
    .filter((e: Wire) => !types || types.includes(e.type))
    .sort((a: Wire, b: Wire) => Date.parse(time(a)) - Date.parse(time(b)))
  if (!items.length) {
    ctx.io.err(all ? 'No events found.\n' : `No events found in ${ctx.namespace()} namespace.\n`)
    return 0
  }
  const now = Date.now()
  const seen = (e: Wire) => {
    const first = e.firstTimestamp ?? e.metadata.creationTimestamp
    return e.count > 1 && first
      ? `${ageSince(time(e), now)} (x${e.count} over ${ageSince(first, Date.parse(time(e)))})`
      : ageSince(time(e), now)
  }
  const rows = items.map((e: Wire) => [
    ...(all ? [e.metadata.namespace] : []),
    seen(e),
    e.type ?? '',
    e.reason ?? '',
    `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
    e.message ?? '',
  ])
  ctx.io.out(
    formatColumns([
      [...(all ? ['NAMESPACE'] : []), 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      ...rows,
    ]),
  )
  return 0
}

const METRICS = '/apis/metrics.k8s.io/v1beta1'
/** as kubectl top prints usage: millicores and mebibytes, shares rounded down */
const formatCpu = (m: number) => `${m}m`
const formatMemory = (b: number) => `${Math.round(b / 2 ** 20)}Mi`
const percent = (used: number, of: number) =>
  of > 0 ? `${Math.floor((used * 100) / of)}%` : '<unknown>'

export async function top(ctx: Ctx, what: string, o: { selector?: string }): Promise<number> {
  const all = ctx.globals.allNamespaces
  if (what === 'node' || what === 'nodes' || what === 'no') {
    const m = await ctx
      .client()
      .request(`${METRICS}/nodes`, { query: { labelSelector: o.selector } })
    const nodes = await ctx.client().request(resourcePath(resourceType('nodes')))
    const alloc = new Map<string, Wire>(
      (nodes.items ?? []).map((n: Wire) => [n.metadata.name, n.status?.allocatable ?? {}]),
    )
    const rows = (m.items ?? []).map((x: Wire) => {
      const a = alloc.get(x.metadata.name) ?? {}
      const cpu = parseCpu(x.usage?.cpu ?? '0') ?? 0
      const mem = parseMemory(x.usage?.memory ?? '0') ?? 0
      return [
        x.metadata.name,
        formatCpu(cpu),
        percent(cpu, parseCpu(a.cpu ?? '0') ?? 0),
        formatMemory(mem),
        percent(mem, parseMemory(a.memory ?? '0') ?? 0),
      ]
    })
    if (!rows.length) throw usageError('metrics not available yet')
    const header = ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']
    ctx.io.out(formatColumns([header, ...rows], { padLast: true }))
    return 0
  }
  if (what !== 'pod' && what !== 'pods' && what !== 'po')
    throw usageError(`unknown command "${what}" for "shoal top": nodes or pods`)
  const path = all ? `${METRICS}/pods` : `${METRICS}/namespaces/${ctx.namespace()}/pods`
  const m = await ctx.client().request(path, { query: { labelSelector: o.selector } })
  const rows = (m.items ?? []).map((x: Wire) => {
    const sum = (k: string, parse: (q: string) => number | undefined) =>
      (x.containers ?? []).reduce((s: number, c: Wire) => s + (parse(c.usage?.[k] ?? '0') ?? 0), 0)
    return [
      ...(all ? [x.metadata.namespace] : []),
      x.metadata.name,
      formatCpu(sum('cpu', parseCpu)),
      formatMemory(sum('memory', parseMemory)),
    ]
  })
  if (!rows.length)
    throw usageError(`Metrics not available for pods in namespace ${all ? 'any' : ctx.namespace()}`)
  ctx.io.out(
    formatColumns(
      [[...(all ? ['NAMESPACE'] : []), 'NAME', 'CPU(cores)', 'MEMORY(bytes)'], ...rows],
      { padLast: true },
    ),
  )
  return 0
}

export async function version(
  ctx: Ctx,
  clientVersion: string,
  o: { client?: boolean; output?: string },
): Promise<number> {
  const client = {
    gitVersion: `v${clientVersion}`,
    platform: `${process.platform}/${process.arch}`,
  }
  const server = o.client ? undefined : await ctx.client().request('/version')
  if (o.output === 'json' || o.output === 'yaml') {
    const doc = { clientVersion: client, ...(server ? { serverVersion: server } : {}) }
    const { stringify } = await import('yaml')
    ctx.io.out(o.output === 'json' ? JSON.stringify(doc, null, 2) + '\n' : stringify(doc))
    return 0
  }
  ctx.io.out(`Client Version: ${client.gitVersion}\n`)
  if (server) ctx.io.out(`Server Version: ${server.gitVersion}\n`)
  return 0
}
