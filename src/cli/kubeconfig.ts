// Kubeconfig files, read and written as kubectl does, so shoal and kubectl share one file.
// Which files: --kubeconfig, else every path of $KUBECONFIG (':'-separated), else ~/.kube/config.
// Merging: the first file that names a cluster, user or context wins, and the first file that sets
// current-context wins. Writing: an entry goes back to the file that holds it (a new one to the
// first file); current-context to the file that set it (else the first). Files are written as
// YAML, mode 0600. Relative certificate paths are relative to the file that names them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path'
import { parse, stringify } from 'yaml'
import { usageError } from './errors.ts'

export type Fields = Record<string, unknown>
export interface Named {
  name: string
  [k: string]: unknown
}
export type Section = 'clusters' | 'users' | 'contexts'
export const sections: Section[] = ['clusters', 'users', 'contexts']
/** the key an entry's fields sit under: clusters[].cluster, users[].user, contexts[].context */
export const entryKey: Record<Section, string> = {
  clusters: 'cluster',
  users: 'user',
  contexts: 'context',
}

export interface ConfigFile {
  path: string
  doc: Fields & Partial<Record<Section, Named[]>> & { 'current-context'?: string }
}

export interface Kubeconfig {
  files: ConfigFile[]
  /** merged: first wins */
  clusters: Map<string, { fields: Fields; file: ConfigFile }>
  users: Map<string, { fields: Fields; file: ConfigFile }>
  contexts: Map<string, { fields: Fields; file: ConfigFile }>
  currentContext: string | undefined
}

export function kubeconfigPaths(flag?: string, env = process.env): string[] {
  if (flag) return [resolve(flag)]
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (list.length) return [...new Set(list.map((p) => resolve(p)))]
  return [join(env.HOME ?? homedir(), '.kube', 'config')]
}

function readFile(path: string, required: boolean): ConfigFile {
  if (!existsSync(path)) {
    if (required) throw usageError(`stat ${path}: no such file or directory`)
    return { path, doc: {} }
  }
  let doc: unknown
  try {
    doc = parse(readFileSync(path, 'utf8')) ?? {}
  } catch (err) {
    throw usageError(`error loading config file "${path}": ${(err as Error).message}`)
  }
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw usageError(`error loading config file "${path}": not a kubeconfig (a mapping expected)`)
  return { path, doc: doc as ConfigFile['doc'] }
}

export function loadKubeconfig(
  o: { kubeconfig?: string; env?: NodeJS.ProcessEnv } = {},
): Kubeconfig {
  const files = kubeconfigPaths(o.kubeconfig, o.env).map((p) => readFile(p, !!o.kubeconfig))
  const cfg: Kubeconfig = {
    files,
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
    currentContext: undefined,
  }
  for (const file of files) {
    for (const s of sections) {
      for (const e of file.doc[s] ?? []) {
        if (!e?.name || cfg[s].has(e.name)) continue
        cfg[s].set(e.name, { fields: (e[entryKey[s]] ?? {}) as Fields, file })
      }
    }
    cfg.currentContext ??= file.doc['current-context'] || undefined
  }
  return cfg
}

/** the file an entry lives in, or the first file for a new one */
export function fileFor(cfg: Kubeconfig, s: Section, name: string): ConfigFile {
  return cfg[s].get(name)?.file ?? cfg.files[0]
}

/** sets (or with undefined, removes) an entry's fields in its file and in the merged view */
export function putEntry(cfg: Kubeconfig, s: Section, name: string, fields: Fields | undefined) {
  const file = fileFor(cfg, s, name)
  const list = (file.doc[s] ??= [])
  const i = list.findIndex((e) => e.name === name)
  if (fields === undefined) {
    if (i >= 0) list.splice(i, 1)
    cfg[s].delete(name)
  } else {
    const entry = { name, [entryKey[s]]: fields }
    if (i >= 0) list[i] = entry
    else list.push(entry)
    cfg[s].set(name, { fields, file })
  }
  return file
}

export function setCurrentContext(cfg: Kubeconfig, name: string): ConfigFile {
  const file = cfg.files.find((f) => f.doc['current-context']) ?? cfg.files[0]
  file.doc['current-context'] = name
  cfg.currentContext = name
  return file
}

export function saveFile(file: ConfigFile): void {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [],
    users: [],
    contexts: [],
    'current-context': '',
    ...file.doc,
  }
  mkdirSync(dirname(file.path), { recursive: true })
  writeFileSync(file.path, stringify(doc), { mode: 0o600 })
}

/** a path named in a file, made absolute against that file's folder */
export function fromFile(file: ConfigFile, p: unknown): string | undefined {
  if (typeof p !== 'string' || !p) return undefined
  return isAbsolute(p) ? p : join(dirname(file.path), p)
}
