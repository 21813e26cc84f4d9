// One handler for every resource path: parse what the path addresses, authorize it, and run
// the verb. Subresources: status (get/update/patch), scale (Deployments), log (Pods, served
// by whoever runs the pod). A version served besides the storage version (autoscaling/v1 HPA)
// goes through the same verbs: bodies are converted to the storage version in write-ops, and
// every object answered is converted back here (one, lists and watches in read-ops).
import type { ServerResponse } from 'node:http'
import {
  patchTypeFor,
  resourceFor,
  storageResource,
  toServedVersion,
  warningHeader,
  type KubeObject,
  type ResourceInfo,
} from '../../api/index.ts'
import { InvalidError, ShoalError, type Logger } from '../../core/index.ts'
import { readBody, readParsedBody } from './body.ts'
import { deleteObject, parseDeleteOptions } from './delete-ops.ts'
import type { ObjectStore } from './object-store.ts'
import { listObjects } from './read-ops.ts'
import { encode, negotiate, toTable, type Format } from './respond.ts'
import { parseRequestInfo, type RequestInfo } from './request-info.ts'
import { getScale, updateScale } from './scale.ts'
import { successStatus } from './status.ts'
import { serveWatch } from './watch-stream.ts'
import {
  createObject,
  fieldCheck,
  patchObject,
  updateObject,
  type FieldCheck,
} from './write-ops.ts'

export interface Caller {
  name: string
  groups: string[]
  role?: 'admin' | 'viewer' | 'node'
  /** for node callers: the node they act as */
  node?: string
}

export interface HandlerDeps {
  objects: ObjectStore
  log: Logger
  /** throws Forbidden when `caller` may not do this; may load the object to decide */
  authorize(caller: Caller, req: RequestInfo, query: URLSearchParams): Promise<void>
  /** pods/log: streams a pod's log from its node; absent until node agents exist */
  podLogs?(pod: KubeObject, query: URLSearchParams): Promise<Response>
}

const notFoundPath = (path: string) =>
  new ShoalError('NotFound', `the server could not find the requested resource (${path})`)

function lookup(ri: RequestInfo, path: string): ResourceInfo {
  const info = resourceFor({ group: ri.group, version: ri.version, resource: ri.resource })
  if (!info) throw notFoundPath(path)
  if (ri.namespace !== undefined && !info.namespaced) throw notFoundPath(path)
  if (ri.subresource && !info.subresources.some((s) => s.name === ri.subresource))
    throw notFoundPath(path)
  return info
}

/**
 * `requestInfo`: the request's path as already parsed by the app (parsed here when absent);
 * `outgoing`: the Node response, when served by Node (watches write to it directly)
 */
export async function handleResource(
  deps: HandlerDeps,
  req: Request,
  o: { caller: Caller; requestInfo?: RequestInfo; outgoing?: ServerResponse },
): Promise<Response> {
  const { caller } = o
  const url = new URL(req.url)
  const ri =
    o.requestInfo ??
    parseRequestInfo(req.method, url.pathname, url.searchParams.get('watch') ?? undefined)
  if (!ri) throw notFoundPath(url.pathname)
  const info = lookup(ri, url.pathname)
  await deps.authorize(caller, ri, url.searchParams)
  const format = negotiate(req.headers.get('accept'))
  return run(deps, {
    req,
    url,
    ri,
    info,
    stored: storageResource(info),
    format,
    caller,
    outgoing: o.outgoing,
  })
}

interface Ctx {
  req: Request
  url: URL
  ri: RequestInfo
  /** the resource at the version the path names */
  info: ResourceInfo
  /** the same resource at its storage version (what the object store holds) */
  stored: ResourceInfo
  format: Format
  caller: Caller
  outgoing?: ServerResponse
}

/** a node may create only its own Node object (the authorizer cannot see the name of a create) */
function admitOwnNode(caller: Caller, info: ResourceInfo, body: unknown): void {
  if (caller.role !== 'node' || info.kind !== 'Node') return
  const name = (body as { metadata?: { name?: unknown } } | undefined)?.metadata?.name
  if (name !== caller.node)
    throw new ShoalError(
      'Forbidden',
      `nodes "${String(name ?? '')}" is forbidden: node "${caller.node}" is not allowed to create node "${String(name ?? '')}"`,
    )
}

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection'])

/** ?dryRun=All: the request runs in full against a view of the store that writes nothing */
function dryRunDeps(deps: HandlerDeps, query: URLSearchParams): HandlerDeps {
  const values = query.getAll('dryRun')
  if (!values.length) return deps
  const wrong = values.find((v) => v !== 'All')
  if (wrong !== undefined)
    throw new InvalidError(`dryRun: Unsupported value: "${wrong}": supported values: "All"`, [
      { field: 'dryRun', message: `Unsupported value: "${wrong}": supported values: "All"` },
    ])
  return { ...deps, objects: deps.objects.dryRun() }
}

async function run(depsIn: HandlerDeps, c: Ctx): Promise<Response> {
  const deps = WRITES.has(c.ri.verb) ? dryRunDeps(depsIn, c.url.searchParams) : depsIn
  const { objects } = deps
  const { ri, info, url, req } = c
  const where = { namespace: ri.namespace, name: ri.name! }
  switch (ri.subresource ? `${ri.verb}/${ri.subresource}` : ri.verb) {
    case 'list':
      return listResponse(deps, c)
    case 'watch':
      return serveWatch(objects, info, {
        namespace: ri.namespace,
        query: url.searchParams,
        format: c.format,
        signal: req.signal,
        log: deps.log,
        outgoing: c.outgoing,
      })
    case 'get':
    case 'get/status':
      return one(c, await objects.mustGet(c.stored, where))
    case 'create': {
      const check = await fieldCheck('create', {
        query: url.searchParams,
        readBody: () => readParsedBody(req),
      })
      admitOwnNode(c.caller, info, check.body.value)
      return one(
        c,
        await createObject(objects, info, {
          body: check.body.value,
          namespace: ri.namespace,
          check,
        }),
        201,
        check,
      )
    }
    case 'update':
    case 'update/status': {
      const check = await fieldCheck('update', {
        query: url.searchParams,
        readBody: () => readParsedBody(req),
      })
      return one(
        c,
        await updateObject(objects, info, {
          where,
          body: check.body.value,
          subresource: ri.subresource,
          check,
        }),
        200,
        check,
      )
    }
    case 'patch':
    case 'patch/status': {
      const type = patchTypeFor(req.headers.get('content-type') ?? undefined)
      if (!type)
        throw new ShoalError(
          'Unsupported',
          `the patch content type "${req.headers.get('content-type')}" is not supported; use application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json or application/apply-patch+yaml`,
        )
      const check = await fieldCheck('patch', {
        query: url.searchParams,
        readBody: () => readParsedBody(req),
      })
      const r = await patchObject(objects, info, {
        where,
        patch: check.body.value,
        type,
        subresource: ri.subresource,
        check,
      })
      return one(c, r.obj, r.created ? 201 : 200, check)
    }
    case 'delete': {
      const opts = parseDeleteOptions(await readBody(req, { optional: true }), url.searchParams)
      const r = await deleteObject(
        opts.dryRun?.length ? objects.dryRun() : objects,
        c.stored,
        where,
        opts,
        deps.log,
      )
      return one(c, r.obj, r.deleted ? 200 : 202)
    }
    case 'deletecollection':
      return deleteCollection(deps, c)
    case 'get/scale':
      return encode(
        c.format === 'cbor' ? 'cbor' : 'json',
        getScale(info, await objects.mustGet(info, where)),
      )
    case 'update/scale':
    case 'patch/scale': {
      const update = ri.verb === 'update'
      const check = await fieldCheck(update ? 'update' : 'patch', {
        query: url.searchParams,
        readBody: () => readParsedBody(req),
      })
      const patchType = update
        ? undefined
        : (patchTypeFor(req.headers.get('content-type') ?? undefined) ?? 'merge')
      return withWarnings(
        encode(
          c.format === 'cbor' ? 'cbor' : 'json',
          await updateScale(objects, info, where, { body: check.body.value, patchType, check }),
        ),
        check,
      )
    }
    case 'get/log':
      if (!deps.podLogs)
        throw new ShoalError('Unavailable', `pods "${ri.name}": no node agent serves logs yet`)
      return deps.podLogs(await objects.mustGet(info, where), url.searchParams)
  }
  throw new ShoalError(
    'BadRequest',
    `${ri.verb} is not supported on ${info.resource}${ri.subresource ? '/' + ri.subresource : ''}`,
  )
}

/** one stored object, answered at the version asked for */
function one(c: Ctx, obj: KubeObject, status = 200, check?: FieldCheck): Response {
  if (c.format === 'table')
    return withWarnings(
      encode('json', toTable(c.info.kind, [obj], obj.metadata.resourceVersion ?? ''), status),
      check,
    )
  return withWarnings(encode(c.format, toServedVersion(c.info, obj), status), check)
}

/** Warn mode's unknown and duplicate fields, one Warning header each (kubectl prints "Warning: …") */
function withWarnings(res: Response, check?: FieldCheck): Response {
  for (const w of (check?.warnings ?? []).slice(0, maxWarnings))
    res.headers.append('warning', warningHeader(w))
  return res
}

const maxWarnings = 100

async function listResponse(deps: HandlerDeps, c: Ctx): Promise<Response> {
  const list = await listObjects(deps.objects, c.info, c.ri.namespace, c.url.searchParams)
  if (c.format === 'table')
    return encode(
      'json',
      toTable(c.info.kind, list.items, list.metadata.resourceVersion, {
        continueToken: list.metadata.continue,
      }),
    )
  const items = list.items.map((o) => ({ ...o, kind: c.info.kind, apiVersion: o.apiVersion }))
  return encode(c.format, {
    kind: c.info.listKind,
    apiVersion: c.info.group ? `${c.info.group}/${c.info.version}` : c.info.version,
    metadata: list.metadata,
    items,
  })
}

async function deleteCollection(deps: HandlerDeps, c: Ctx): Promise<Response> {
  const list = await listObjects(deps.objects, c.info, c.ri.namespace, c.url.searchParams)
  const opts = parseDeleteOptions(await readBody(c.req, { optional: true }), c.url.searchParams)
  const objects = opts.dryRun?.length ? deps.objects.dryRun() : deps.objects
  for (const o of list.items)
    await deleteObject(
      objects,
      c.stored,
      { namespace: o.metadata.namespace, name: o.metadata.name! },
      opts,
      deps.log,
    ).catch(() => {})
  return encode(c.format === 'cbor' ? 'cbor' : 'json', successStatus({ kind: c.info.resource }))
}
