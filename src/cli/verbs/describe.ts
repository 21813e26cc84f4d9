// shoal describe TYPE [NAME…] [-l SEL]: an object in kubectl's describe layout — Name,
// Namespace, Labels, Annotations, then the rest of the object field by field, then the Events
// that name it (involvedObject.uid), as a table with Type, Reason, Age, From and Message.
import { ageSince } from '../../api/index.ts'
import type { Ctx } from '../context.ts'
import { describePod } from './describe-pod.ts'
import { formatColumns } from '../printers.ts'
import { parseTargets, resourcePath, resourceType } from '../resources.ts'
import type { Wire } from '../client.ts'

/** fields whose keys are data (label keys, config keys), printed key=value and never retitled */
const STRING_MAPS = new Set([
  'labels',
  'annotations',
  'matchLabels',
  'nodeSelector',
  'selector',
  'data',
  'binaryData',
  'capacity',
  'allocatable',
  'limits',
  'requests',
])
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
const pad = (label: string, width = 20) => (label + ':').padEnd(width)

function mapLines(
  label: string,
  m: Record<string, string> | undefined,
  skip: string[] = [],
  sep = '=',
): string {
  const entries = Object.entries(m ?? {}).filter(([k]) => !skip.includes(k))
  if (!entries.length) return `${pad(label)}<none>\n`
  return entries.map(([k, v], i) => `${i ? pad('') : pad(label)}${k}${sep}${v}\n`).join('')
}

const title = (k: string) =>
  k.charAt(0).toUpperCase() + k.slice(1).replace(/([a-z])([A-Z])/g, '$1 $2')

/** the rest of an object: nested fields indented two spaces a level, lists item by item */
function fields(v: unknown, indent: string, key?: string): string {
  if (Array.isArray(v)) {
    if (!v.length) return ' <none>\n'
    if (v.every((x) => typeof x !== 'object')) return ` ${v.join(', ')}\n`
    return (
      '\n' + v.map((x) => `${indent}-${fields(x, indent + '  ').replace(/^\n\s*/, ' ')}`).join('')
    )
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v)
    if (!entries.length) return ' <none>\n'
    // a map of strings (labels, a selector's matchLabels, data): its keys are data, not fields
    if (key && STRING_MAPS.has(key) && entries.every(([, x]) => typeof x === 'string'))
      return ' ' + entries.map(([k, x]) => `${k}=${x}`).join(`\n${indent}`) + '\n'
    return (
      '\n' + entries.map(([k, x]) => `${indent}${title(k)}:${fields(x, indent + '  ', k)}`).join('')
    )
  }
  return ` ${String(v)}\n`
}

async function events(ctx: Ctx, obj: Wire): Promise<string> {
  const ev = resourceType('events')
  const sel = `involvedObject.name=${obj.metadata.name},involvedObject.uid=${obj.metadata.uid}`
  let list: Wire
  try {
    list = await ctx
      .client()
      .request(resourcePath(ev, { namespace: obj.metadata.namespace ?? 'default' }), {
        query: { fieldSelector: sel },
      })
  } catch {
    return 'Events:           <none>\n'
  }
  const items = list.items ?? []
  if (!items.length) return 'Events:           <none>\n'
  const rows = items.map((e: Wire) => [
    '  ' + (e.type ?? ''),
    e.reason ?? '',
    ageSince(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp, Date.now()),
    e.source?.component ?? e.reportingComponent ?? '',
    e.message ?? '',
  ])
  return `Events:\n${formatColumns([['  Type', 'Reason', 'Age', 'From', 'Message'], ['  ----', '------', '----', '----', '-------'], ...rows], { gap: 2 })}`
}

export function describeText(obj: Wire): string {
  const { metadata: m, apiVersion: _a, kind, ...rest } = obj
  // as kubectl: a Secret's values are never printed, only their sizes
  if (kind === 'Secret' && rest.data)
    rest.data = Object.fromEntries(
      Object.entries(rest.data as Record<string, string>).map(([k, v]) => [
        k,
        `${Buffer.from(v, 'base64').length} bytes`,
      ]),
    )
  let out = `${pad('Name')}${m.name}\n`
  if (m.namespace) out += `${pad('Namespace')}${m.namespace}\n`
  out += mapLines('Labels', m.labels)
  out += mapLines('Annotations', m.annotations, [LAST_APPLIED], ': ')
  if (m.creationTimestamp) out += `${pad('CreationTimestamp')}${m.creationTimestamp}\n`
  const owner = m.ownerReferences?.find((r: Wire) => r.controller)
  if (owner) out += `${pad('Controlled By')}${owner.kind}/${owner.name}\n`
  for (const [k, v] of Object.entries(rest)) out += `${title(k)}:${fields(v, '  ', k)}`
  return out
}

export async function describe(
  ctx: Ctx,
  args: string[],
  o: { selector?: string },
): Promise<number> {
  const all = ctx.globals.allNamespaces
  const texts: string[] = []
  for (const { info, names } of parseTargets(args)) {
    const objs: Wire[] = []
    if (names.length) {
      for (const name of names)
        objs.push(
          await ctx.client().request(resourcePath(info, { namespace: ctx.namespace(), name })),
        )
    } else {
      const list = await ctx
        .client()
        .request(resourcePath(info, { namespace: all ? undefined : ctx.namespace() }), {
          query: { labelSelector: o.selector },
        })
      objs.push(...(list.items ?? []))
    }
    const text = info.kind === 'Pod' ? describePod : describeText
    for (const obj of objs) texts.push(text(obj) + (await events(ctx, obj)))
  }
  if (!texts.length) ctx.io.err(`No resources found in ${ctx.namespace()} namespace.\n`)
  ctx.io.out(texts.join('\n\n'))
  return 0
}
