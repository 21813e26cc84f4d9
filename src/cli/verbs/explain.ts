// shoal explain TYPE[.field.path] [--recursive]: a kind's fields from the OpenAPI v3 document the
// plane serves (/openapi/v3/<group-version>), else from the schemas compiled into src/api.
import { kindOpenApiSchema, type OpenApiSchema } from '../../api/index.ts'
import type { Ctx } from '../context.ts'
import { usageError } from '../errors.ts'
import { resourceType } from '../resources.ts'
import type { Wire } from '../client.ts'

type Schema = OpenApiSchema & Record<string, Wire>

function deref(s: Schema | undefined, doc: Wire): Schema | undefined {
  let cur: Wire = s
  for (let i = 0; cur && i < 20; i++) {
    const ref = cur.$ref ?? cur.allOf?.[0]?.$ref
    if (!ref) break
    const base = { description: cur.description }
    cur = {
      ...ref
        .split('/')
        .slice(1)
        .reduce((o: Wire, k: string) => o?.[k], doc),
      ...(base.description ? base : {}),
    }
  }
  return cur
}

function typeName(s: Schema | undefined, doc: Wire): string {
  const d = deref(s, doc)
  if (!d) return '<unknown>'
  if (d.type === 'array') return `[]${typeName(d.items, doc)}`
  if (d.type === 'object' && d.additionalProperties)
    return `map[string]${typeName(d.additionalProperties, doc)}`
  if (d.properties) return 'Object'
  return d.type ?? d.format ?? 'Object'
}

function fieldsText(s: Schema, doc: Wire, indent: string, recursive: boolean, depth = 0): string {
  const props = Object.entries((s.properties ?? {}) as Record<string, Schema>)
  return props
    .map(([k, v]) => {
      const d = deref(v, doc)
      const kids = d?.type === 'array' ? deref(d.items, doc) : d
      let line = `${indent}${k}\t<${typeName(v, doc)}>${(s.required as string[] | undefined)?.includes(k) ? ' -required-' : ''}\n`
      if (!recursive && d?.description)
        line += `${indent}  ${String(d.description).split('\n')[0]}\n\n`
      if (recursive && kids?.properties && depth < 12)
        line += fieldsText(kids, doc, indent + '  ', true, depth + 1)
      return line
    })
    .join('')
}

async function served(
  ctx: Ctx,
  info: ReturnType<typeof resourceType>,
): Promise<{ schema?: Schema; doc: Wire }> {
  const gv = info.group ? `apis/${info.group}/${info.version}` : `api/${info.version}`
  try {
    const doc = await ctx.client().request(`/openapi/v3/${gv}`)
    const schemas = doc?.components?.schemas ?? {}
    const name = Object.keys(schemas).find((k) =>
      (schemas[k]['x-kubernetes-group-version-kind'] ?? []).some(
        (g: Wire) => g.kind === info.kind && g.group === info.group && g.version === info.version,
      ),
    )
    if (name) return { schema: schemas[name], doc }
  } catch {
    // not served: the compiled-in schemas below
  }
  return { schema: kindOpenApiSchema(info) as Schema | undefined, doc: {} }
}

export async function explain(
  ctx: Ctx,
  args: string[],
  o: { recursive?: boolean },
): Promise<number> {
  if (args.length !== 1) throw usageError('You must specify the type of resource to explain')
  const [type, ...path] = args[0].split('.')
  const info = resourceType(type)
  const { schema, doc } = await served(ctx, info)
  if (!schema) throw usageError(`couldn't find resource for "${args[0]}"`)
  let cur: Schema | undefined = deref(schema, doc)
  for (const p of path) {
    const next: Schema | undefined = deref((cur?.properties as Wire)?.[p], doc)
    cur = next?.type === 'array' ? (deref(next.items, doc) ?? next) : next
    if (!cur) throw usageError(`field "${p}" does not exist`)
  }
  const gv = info.group ? `${info.group}/${info.version}` : info.version
  let out = `GROUP:      ${info.group}\nKIND:       ${info.kind}\nVERSION:    ${info.version}\n\n`
  if (!info.group) out = `KIND:       ${info.kind}\nVERSION:    ${gv}\n\n`
  if (path.length) out += `FIELD: ${path.at(-1)} <${typeName(cur, doc)}>\n\n`
  out += `DESCRIPTION:\n    ${cur?.description ?? '<empty>'}\n`
  if (cur?.properties) out += `\nFIELDS:\n${fieldsText(cur, doc, '  ', !!o.recursive)}`
  ctx.io.out(out)
  return 0
}
