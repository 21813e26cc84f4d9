// Output: the server's Table printed as kubectl prints it (columns of priority 0, all with -o
// wide, NAMESPACE first across namespaces, padded by three spaces), and -o json | yaml | name |
// jsonpath=… of an object or of a list (a `kind: List` as kubectl prints one).
import { stringify } from 'yaml'
import { usageError } from './errors.ts'
import { jsonpath } from './jsonpath.ts'
import { objectName, objectResource, type ResourceInfo } from './resources.ts'
import type { Wire } from './client.ts'

export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'

export interface Table {
  columnDefinitions: { name: string; priority?: number }[]
  rows: { cells: unknown[]; object?: { metadata?: { name?: string; namespace?: string } } }[]
}

export interface TableOptions {
  wide?: boolean
  withNamespace?: boolean
  /** prefix names with the type (`deployment.apps/web`), as kubectl does for several types */
  kindPrefix?: string
  noHeaders?: boolean
  showLabels?: boolean
}

/** pads columns as kubectl's tabwriter: every cell but a line's last as wide as its column's
 * widest + `gap` (3; rollout history's 2), so an empty last cell leaves the padding before it;
 * `padLast`: the last cell too (kubectl top ends its lines with a tab) */
export function formatColumns(
  rows: string[][],
  o: { padLast?: boolean; gap?: number } = {},
): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  const gap = o.gap ?? 3
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 && !o.padLast ? c : c.padEnd(widths[i] + gap))))
    .map((r) => r.join('') + '\n')
    .join('')
}

const cell = (v: unknown) =>
  v === null || v === undefined ? '<none>' : typeof v === 'object' ? JSON.stringify(v) : String(v)

/** the table's lines as cells: header first unless noHeaders */
export function tableLines(t: Table, o: TableOptions): string[][] {
  const shown = t.columnDefinitions
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => o.wide || !c.priority)
  const lines: string[][] = []
  if (!o.noHeaders) {
    const header = shown.map(({ c }) => c.name.toUpperCase())
    if (o.withNamespace) header.unshift('NAMESPACE')
    if (o.showLabels) header.push('LABELS')
    lines.push(header)
  }
  for (const row of t.rows) {
    const cells = shown.map(({ i }) => cell(row.cells[i]))
    if (o.kindPrefix && shown[0]) cells[0] = `${o.kindPrefix}/${cells[0]}`
    if (o.withNamespace) cells.unshift(row.object?.metadata?.namespace ?? '')
    if (o.showLabels) cells.push(labelsText((row.object?.metadata as Wire)?.labels))
    lines.push(cells)
  }
  return lines
}

function labelsText(labels: Record<string, string> | undefined): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`)
  return pairs.length ? pairs.join(',') : '<none>'
}

export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' | 'yaml' | 'name' }
  | { kind: 'jsonpath'; template: string }

export function parseOutput(o: string | undefined): OutputFormat {
  if (!o) return { kind: 'table', wide: false }
  if (o === 'wide') return { kind: 'table', wide: true }
  if (o === 'json' || o === 'yaml' || o === 'name') return { kind: o }
  const m = /^jsonpath=(.*)$/s.exec(o)
  if (m) return { kind: 'jsonpath', template: m[1] }
  throw usageError(
    `unable to match a printer suitable for the output format "${o}", allowed formats are: json,jsonpath,name,wide,yaml`,
  )
}

/** keys in order, as Go marshals kubectl's unstructured objects */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (!v || typeof v !== 'object') return v
  const obj = v as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, sortKeys(obj[k])]),
  )
}

/** a list of objects as kubectl prints it: one object alone, several in a `kind: List` */
export function asList(items: Wire[], single: boolean): Wire {
  if (single && items.length === 1) return items[0]
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }
}

/** json, yaml, name or jsonpath of objects (each with kind and apiVersion) */
export function printObjects(items: Wire[], fmt: OutputFormat, single: boolean): string {
  const value = asList(items, single)
  switch (fmt.kind) {
    case 'json':
      return JSON.stringify(sortKeys(value), null, 4) + '\n'
    case 'yaml':
      return stringify(value, {
        sortMapEntries: true,
        indentSeq: false,
        version: '1.1',
        lineWidth: 0,
      })
    case 'name':
      return items.map((o) => objectName(objectResource(o), o.metadata?.name) + '\n').join('')
    case 'jsonpath':
      return jsonpath(fmt.template, value)
    default:
      throw usageError('a table is printed from the server, not from objects')
  }
}

/** a List from the server: every item given its kind and apiVersion (servers may leave them out) */
export function itemsOf(list: Wire, info: ResourceInfo): Wire[] {
  const apiVersion = info.group ? `${info.group}/${info.version}` : info.version
  return (list.items ?? []).map((o: Wire) => ({ apiVersion, kind: info.kind, ...o }))
}
