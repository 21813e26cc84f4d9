// shoal config get-contexts | current-context | use-context | set-context | set-cluster |
// set-credentials | delete-context | view: kubeconfig edits with kubectl's messages, purely
// client-side (they work with the plane down). view redacts secrets as kubectl does
// (DATA+OMITTED, REDACTED) unless --raw; --minify keeps the current context's entries only.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { stringify } from 'yaml'
import type { Ctx } from '../context.ts'
import { usageError } from '../errors.ts'
import {
  entryKey,
  loadKubeconfig,
  putEntry,
  saveFile,
  sections,
  setCurrentContext,
  type Fields,
  type Kubeconfig,
} from '../kubeconfig.ts'
import { formatColumns } from '../printers.ts'

const load = (ctx: Ctx) => loadKubeconfig({ kubeconfig: ctx.globals.kubeconfig, env: ctx.io.env })

export function getContexts(
  ctx: Ctx,
  names: string[],
  o: { output?: string; noHeaders?: boolean },
) {
  const cfg = load(ctx)
  const current = ctx.globals.context ?? cfg.currentContext
  const missing = names.filter((n) => !cfg.contexts.has(n))
  if (missing.length) throw usageError(`context ${missing[0]} not found`)
  const list = [...cfg.contexts.entries()]
    .filter(([n]) => !names.length || names.includes(n))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (o.output === 'name') return (ctx.io.out(list.map(([n]) => n + '\n').join('')), 0)
  const rows = list.map(([n, { fields: f }]) => [
    n === current ? '*' : '',
    n,
    String(f.cluster ?? ''),
    String(f.user ?? ''),
    String(f.namespace ?? ''),
  ])
  ctx.io.out(
    formatColumns([
      ...(o.noHeaders ? [] : [['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE']]),
      ...rows,
    ]),
  )
  return 0
}

export function currentContext(ctx: Ctx): number {
  const cur = load(ctx).currentContext
  if (!cur) throw usageError('current-context is not set')
  ctx.io.out(cur + '\n')
  return 0
}

export function useContext(ctx: Ctx, name: string): number {
  const cfg = load(ctx)
  if (!cfg.contexts.has(name)) throw usageError(`no context exists with the name: "${name}"`)
  saveFile(setCurrentContext(cfg, name))
  ctx.io.out(`Switched to context "${name}".\n`)
  return 0
}

/** sets the given fields of an entry (undefined: left as is), keeping the others */
function setEntry(
  cfg: Kubeconfig,
  s: 'clusters' | 'users' | 'contexts',
  name: string,
  set: Fields,
) {
  const had = cfg[s].has(name)
  const fields = { ...cfg[s].get(name)?.fields }
  for (const [k, v] of Object.entries(set)) {
    if (v === null) delete fields[k]
    else if (v !== undefined) fields[k] = v
  }
  saveFile(putEntry(cfg, s, name, fields))
  return had
}

export function setContext(
  ctx: Ctx,
  name: string | undefined,
  o: { current?: boolean; cluster?: string; user?: string; namespace?: string },
) {
  const cfg = load(ctx)
  const target = o.current || !name ? cfg.currentContext : name
  if (!target) throw usageError('you must specify a non-empty context name or --current')
  const had = setEntry(cfg, 'contexts', target, {
    cluster: o.cluster,
    user: o.user,
    namespace: o.namespace,
  })
  ctx.io.out(`Context "${target}" ${had ? 'modified' : 'created'}.\n`)
  return 0
}

const embed = (path: string) => readFileSync(resolve(path)).toString('base64')

/** --certificate-authority / --client-certificate / --client-key: the path, or with --embed-certs the file's bytes */
function certField(key: string, path: string | undefined, embedCerts: boolean | undefined): Fields {
  if (!path) return {}
  return embedCerts ? { [`${key}-data`]: embed(path), [key]: null } : { [key]: resolve(path) }
}

export function setCluster(
  ctx: Ctx,
  name: string,
  o: {
    server?: string
    certificateAuthority?: string
    embedCerts?: boolean
    insecureSkipTlsVerify?: string
    tlsServerName?: string
  },
) {
  const cfg = load(ctx)
  const insecure =
    o.insecureSkipTlsVerify === undefined ? undefined : o.insecureSkipTlsVerify !== 'false'
  setEntry(cfg, 'clusters', name, {
    server: o.server,
    'insecure-skip-tls-verify': insecure,
    'tls-server-name': o.tlsServerName,
    ...certField('certificate-authority', o.certificateAuthority, o.embedCerts),
  })
  ctx.io.out(`Cluster "${name}" set.\n`)
  return 0
}

export function setCredentials(
  ctx: Ctx,
  name: string,
  o: {
    token?: string
    clientCertificate?: string
    clientKey?: string
    embedCerts?: boolean
    username?: string
    password?: string
  },
) {
  const cfg = load(ctx)
  setEntry(cfg, 'users', name, {
    token: o.token,
    username: o.username,
    password: o.password,
    ...certField('client-certificate', o.clientCertificate, o.embedCerts),
    ...certField('client-key', o.clientKey, o.embedCerts),
  })
  ctx.io.out(`User "${name}" set.\n`)
  return 0
}

export function deleteEntry(ctx: Ctx, s: 'contexts' | 'clusters' | 'users', name: string) {
  const cfg = load(ctx)
  const what = { contexts: 'context', clusters: 'cluster', users: 'user' }[s]
  if (!cfg[s].has(name)) throw usageError(`cannot delete ${what} ${name}, not in the kubeconfig`)
  saveFile(putEntry(cfg, s, name, undefined))
  ctx.io.out(`deleted ${what} ${name} from ${cfg.files[0].path}\n`)
  return 0
}

const secretKeys: Record<string, string> = {
  'certificate-authority-data': 'DATA+OMITTED',
  'client-certificate-data': 'DATA+OMITTED',
  'client-key-data': 'DATA+OMITTED',
  token: 'REDACTED',
  password: 'REDACTED',
}

export function view(ctx: Ctx, o: { minify?: boolean; raw?: boolean; output?: string }): number {
  const cfg = load(ctx)
  const current = ctx.globals.context ?? cfg.currentContext
  const ctxFields = current ? cfg.contexts.get(current)?.fields : undefined
  if (o.minify && !ctxFields) throw usageError('current-context must exist in order to minify')
  const keep: Record<string, (n: string) => boolean> = {
    contexts: (n) => n === current,
    clusters: (n) => n === ctxFields?.cluster,
    users: (n) => n === ctxFields?.user,
  }
  const doc: Record<string, unknown> = { apiVersion: 'v1' }
  for (const s of sections) {
    doc[s] = [...cfg[s].entries()]
      .filter(([n]) => !o.minify || keep[s](n))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // kubectl holds them in a map: by name
      .map(([name, { fields }]) => ({
        name,
        [entryKey[s]]: Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [
            k,
            !o.raw && k in secretKeys && v ? secretKeys[k] : v,
          ]),
        ),
      }))
  }
  Object.assign(doc, { 'current-context': current ?? '', kind: 'Config', preferences: {} })
  ctx.io.out(
    o.output === 'json'
      ? JSON.stringify(doc, null, 4) + '\n'
      : stringify(doc, { sortMapEntries: true, indentSeq: false, version: '1.1', lineWidth: 0 }),
  )
  return 0
}
