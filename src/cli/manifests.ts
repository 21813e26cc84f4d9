// The objects -f names: files, folders (their .yaml, .yml and .json files, sorted; -R for
// subfolders), or `-` for stdin; multi-document YAML, JSON, and `kind: List` opened up.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { Io } from './context.ts'
import { usageError } from './errors.ts'
import type { Wire } from './client.ts'

export interface Manifest {
  source: string
  object: Wire
}

function filesOf(path: string, recursive: boolean): string[] {
  let st
  try {
    st = statSync(path)
  } catch {
    throw usageError(`the path "${path}" does not exist`)
  }
  if (!st.isDirectory()) return [path]
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const p = join(path, name)
      if (statSync(p).isDirectory()) return recursive ? filesOf(p, true) : []
      return /\.(ya?ml|json)$/.test(name) ? [p] : []
    })
}

export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw usageError(`error parsing ${source}: ${doc.errors[0].message}`)
    const obj = doc.toJS()
    if (obj === null || obj === undefined) continue
    if (typeof obj !== 'object' || Array.isArray(obj))
      throw usageError(`error validating "${source}": a document is not an object`)
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items))
      out.push(...obj.items.map((object: Wire) => ({ source, object })))
    else out.push({ source, object: obj })
  }
  for (const { object } of out) {
    if (!object.kind)
      throw usageError(`error validating "${source}": error validating data: kind not set`)
    if (!object.apiVersion)
      throw usageError(`error validating "${source}": error validating data: apiVersion not set`)
  }
  return out
}

export async function readManifests(
  io: Io,
  paths: string[],
  recursive = false,
): Promise<Manifest[]> {
  if (!paths.length) throw usageError('must specify one of -f and -k')
  const out: Manifest[] = []
  for (const p of paths) {
    if (p === '-') out.push(...parseManifests(await io.stdin(), 'STDIN'))
    else
      for (const f of filesOf(p, recursive)) out.push(...parseManifests(readFileSync(f, 'utf8'), f))
  }
  if (!out.length) throw usageError('no objects passed to apply')
  return out
}
