// shoal get TYPE[,TYPE] [NAME…] | TYPE/NAME…: the server prints the columns (Table), as kubectl
// asks it to; -o json|yaml|name|jsonpath print the objects; -w keeps watching after the list.
import type { Ctx } from '../context.ts'
import { CliError, isNotFound, usageError } from '../errors.ts'
import {
  formatColumns,
  itemsOf,
  parseOutput,
  printObjects,
  TABLE_ACCEPT,
  tableLines,
  type OutputFormat,
  type Table,
} from '../printers.ts'
import { parseTargets, resourcePath, type ResourceInfo } from '../resources.ts'
import type { Wire } from '../client.ts'

export interface GetOptions {
  output?: string
  selector?: string
  fieldSelector?: string
  watch?: boolean
  showLabels?: boolean
  noHeaders?: boolean
}

export async function get(ctx: Ctx, args: string[], o: GetOptions): Promise<number> {
  const fmt = parseOutput(o.output)
  const targets = parseTargets(args)
  const all = !!ctx.globals.allNamespaces
  const ns = all ? undefined : ctx.namespace()
  const objects: Wire[] = []
  const tables: string[] = []
  let failed = false
  let single = targets.length === 1 && targets[0].names.length === 1
  if (o.watch) return watchOne(ctx, targets, fmt, o)
  for (const { info, names } of targets) {
    const prefix =
      targets.length > 1 || args[0].includes('/') || args[0] === 'all' ? prefixOf(info) : undefined
    const table = fmt.kind === 'table'
    const accept = table ? TABLE_ACCEPT : 'application/json'
    const got = await fetch(ctx, info, names, { ns, accept, o })
    failed ||= got.failed
    if (!names.length) single = false
    const answers = table && got.answers.length > 1 ? [mergeTables(got.answers)] : got.answers
    for (const res of answers) {
      if (table) {
        const rows = tableLines(res as Table, {
          wide: fmt.wide,
          withNamespace: all && info.namespaced,
          kindPrefix: prefix,
          showLabels: o.showLabels,
          noHeaders: o.noHeaders,
        })
        if (rows.length > (o.noHeaders ? 0 : 1)) tables.push(formatColumns(rows))
      } else objects.push(...(res.items ? itemsOf(res, info) : [res]))
    }
  }
  if (fmt.kind === 'table') ctx.io.out(tables.join('\n'))
  else if (objects.length || !single) ctx.io.out(printObjects(objects, fmt, single))
  if (!failed && (fmt.kind === 'table' ? !tables.length : false))
    ctx.io.err(
      all || !targets.some((t) => t.info.namespaced)
        ? 'No resources found\n'
        : `No resources found in ${ns} namespace.\n`,
    )
  return failed ? 1 : 0
}

/** the list (no names) or each named object; a missing one said on stderr, as kubectl */
async function fetch(
  ctx: Ctx,
  info: ResourceInfo,
  names: string[],
  q: { ns: string | undefined; accept: string; o: GetOptions },
): Promise<{ answers: Wire[]; failed: boolean }> {
  const query = { labelSelector: q.o.selector, fieldSelector: q.o.fieldSelector }
  if (!names.length) {
    const path = resourcePath(info, { namespace: q.ns })
    return {
      answers: [await ctx.client().request(path, { accept: q.accept, query })],
      failed: false,
    }
  }
  const answers: Wire[] = []
  let failed = false
  for (const name of names) {
    const path = resourcePath(info, { namespace: q.ns ?? ctx.namespace(), name })
    try {
      answers.push(await ctx.client().request(path, { accept: q.accept }))
    } catch (err) {
      if (!isNotFound(err)) throw err
      ctx.io.err(`${(err as Error).message}\n`)
      failed = true
    }
  }
  return { answers, failed }
}

/** several objects of one type got one by one: one table, as kubectl prints them */
function mergeTables(tables: Table[]): Table {
  return { ...tables[0], rows: tables.flatMap((t) => t.rows) }
}

function prefixOf(info: ResourceInfo): string {
  const kind = info.kind.toLowerCase()
  return info.group ? `${kind}.${info.group}` : kind
}

/** -w: the list (one object: by fieldSelector metadata.name, as kubectl), then its changes */
async function watchOne(
  ctx: Ctx,
  targets: ReturnType<typeof parseTargets>,
  fmt: OutputFormat,
  o: GetOptions,
): Promise<number> {
  if (targets.length !== 1 || targets[0].names.length > 1)
    throw usageError('watch is only supported on individual resources and resource collections')
  const [{ info, names }] = targets
  const all = !!ctx.globals.allNamespaces
  const byName = names.length ? `metadata.name=${names[0]}` : undefined
  const fieldSelector = [o.fieldSelector, byName].filter(Boolean).join(',') || undefined
  const accept = fmt.kind === 'table' ? TABLE_ACCEPT : 'application/json'
  const path = resourcePath(info, { namespace: all ? undefined : ctx.namespace() })
  const query = { labelSelector: o.selector, fieldSelector }
  const list = await ctx.client().request(path, { accept, query })
  const print = (res: Wire, header: boolean) => {
    if (fmt.kind !== 'table') {
      const items = res.items ? itemsOf(res, info) : [res]
      return items.forEach((i: Wire) => ctx.io.out(printObjects([i], fmt, true)))
    }
    const withNamespace = all && info.namespaced
    const rows = tableLines(res, {
      wide: fmt.wide,
      withNamespace,
      noHeaders: !header,
      showLabels: o.showLabels,
    })
    ctx.io.out(formatColumns(rows))
  }
  let headed = (list.rows ?? list.items ?? []).length > 0
  if (headed) print(list, !o.noHeaders)
  headed ||= !!o.noHeaders
  const rv = list.metadata?.resourceVersion
  const events = ctx.client().watch(path, {
    accept,
    query: { ...query, watch: true, resourceVersion: rv },
    signal: ctx.io.signal,
  })
  try {
    for await (const ev of events) {
      if (ev.type === 'ERROR')
        throw new CliError(`error: watch: ${ev.object?.message ?? 'stream error'}`)
      if (ev.type === 'BOOKMARK') continue
      print(ev.object, !headed)
      headed = true
    }
  } catch (err) {
    if (!ctx.io.signal?.aborted) throw err
  }
  return 0
}
