// shoal get TYPE[,TYPE] [NAME…] | TYPE/NAME…: the server prints the columns (Table), as kubectl
// asks it to; -o json|yaml|name|jsonpath print the objects; -w keeps watching after the list.
import type { Ctx } from '../context.ts'
import { CliError, isNotFound } from '../errors.ts'
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
  for (const { info, names } of targets) {
    const prefix = targets.length > 1 || args[0].includes('/') ? prefixOf(info) : undefined
    const table = fmt.kind === 'table'
    const accept = table ? TABLE_ACCEPT : 'application/json'
    const got: Wire[] = []
    if (!names.length) {
      const list = await ctx.client().request(resourcePath(info, { namespace: ns }), {
        accept,
        query: { labelSelector: o.selector, fieldSelector: o.fieldSelector },
      })
      got.push(list)
      single = false
      if (o.watch) return watch(ctx, info, fmt, list, o)
    } else {
      for (const name of names) {
        try {
          got.push(
            await ctx
              .client()
              .request(resourcePath(info, { namespace: ns ?? ctx.namespace(), name }), { accept }),
          )
        } catch (err) {
          if (!isNotFound(err)) throw err
          ctx.io.err(`${(err as Error).message}\n`)
          failed = true
        }
      }
    }
    for (const res of got) {
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

function prefixOf(info: ResourceInfo): string {
  const kind = info.kind.toLowerCase()
  return info.group ? `${kind}.${info.group}` : kind
}

async function watch(
  ctx: Ctx,
  info: ResourceInfo,
  fmt: OutputFormat,
  list: Wire,
  o: GetOptions,
): Promise<number> {
  const all = !!ctx.globals.allNamespaces
  const print = (res: Wire, header: boolean) => {
    if (fmt.kind !== 'table')
      return ctx.io.out(printObjects(res.items ? itemsOf(res, info) : [res], fmt, !res.items))
    const rows = tableLines(res, {
      wide: fmt.wide,
      withNamespace: all && info.namespaced,
      noHeaders: !header,
      showLabels: o.showLabels,
    })
    ctx.io.out(formatColumns(rows))
  }
  if ((list.rows ?? list.items ?? []).length) print(list, !o.noHeaders)
  const path = resourcePath(info, { namespace: all ? undefined : ctx.namespace() })
  const events = ctx.client().watch(path, {
    accept: fmt.kind === 'table' ? TABLE_ACCEPT : 'application/json',
    query: {
      watch: true,
      resourceVersion: list.metadata?.resourceVersion,
      labelSelector: o.selector,
      fieldSelector: o.fieldSelector,
    },
  })
  let headed = (list.rows ?? list.items ?? []).length > 0 || o.noHeaders
  const abort = new Promise<void>((resolve) =>
    ctx.io.signal?.addEventListener('abort', () => resolve()),
  )
  const it = events[Symbol.asyncIterator]()
  for (;;) {
    const next = await Promise.race([
      it.next(),
      abort.then(() => ({ done: true, value: undefined })),
    ])
    if (next.done) break
    const ev = next.value as { type: string; object: Wire }
    if (ev.type === 'ERROR')
      throw new CliError(`error: watch: ${ev.object?.message ?? 'stream error'}`)
    if (ev.type === 'BOOKMARK') continue
    print(ev.object, !headed)
    headed = true
  }
  await it.return?.(undefined)
  return 0
}
