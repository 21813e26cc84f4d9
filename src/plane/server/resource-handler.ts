// One handler for every resource path: parse what the path addresses, authorize it, and run
// the verb. Subresources: status (get/update/patch), scale (Deployments), log (Pods, served
// by whoever runs the pod), binding (Pods: create, the scheduler's write, plane/scheduler's bindPod),
// eviction (Pods: create, a graceful delete: eviction.ts),
// finalize (Namespaces: update, the one write that changes spec.finalizers). A version served besides the storage version (autoscaling/v1 HPA)
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
import { parseEviction } from './eviction.ts'
import type { ObjectStore } from './object-store.ts'
import { listObjects } from './read-ops.ts'
import { encode, negotiate, toTable, type Format } from './respond.ts'
import { parseRequestInfo, type RequestInfo, type Verb } from './request-info.ts'
import { getScale, updateScale } from './scale.ts'
import { bindPod, parseBinding } from '../scheduler/index.ts'
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
  role?: 'admin' | 'viewer' | 'node' | 'join'
  /** for node callers: the node they act as */
  node?: string
}

export interface HandlerDeps {
  objects: ObjectStore
  log: Logger
  /** throws Forbidden when `caller` may not do this; may load the object to decide */
  authorize(caller: Caller, req: RequestInfo, query: URLSearchParams): Promise<void>
  /** pods/log: streams a pod's log from its node (pod-logs.ts); absent on a plane without TLS */
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

/** what one verb does, given the request (deps: dry-run aware) */
type Handler = (deps: HandlerDeps, c: Ctx) => Promise<Response>

/** the object the path names */
const whereOf = (c: Ctx) => ({ namespace: c.ri.namespace, name: c.ri.name! })

/** the body with ?fieldValidation=, read the way every write reads it */
const readChecked = (verb: 'create' | 'update' | 'patch', c: Ctx) =>
  fieldCheck(verb, { query: c.url.searchParams, readBody: () => readParsedBody(c.req) })

const getOne: Handler = async (deps, c) => one(c, await deps.objects.mustGet(c.stored, whereOf(c)))

const watch: Handler = async (deps, c) =>
  serveWatch(deps.objects, c.info, {
    namespace: c.ri.namespace,
    query: c.url.searchParams,
    format: c.format,
    signal: c.req.signal,
    log: deps.log,
    outgoing: c.outgoing,
  })

const create: Handler = async (deps, c) => {
  const check = await readChecked('create', c)
  admitOwnNode(c.caller, c.info, check.body.value)
  const obj = await createObject(deps.objects, c.info, {
    body: check.body.value,
    namespace: c.ri.namespace,
    check,
  })
  return one(c, obj, 201, check)
}

const update: Handler = async (deps, c) => {
  const check = await readChecked('update', c)
  const obj = await updateObject(deps.objects, c.info, {
    where: whereOf(c),
    body: check.body.value,
    subresource: c.ri.subresource,
    check,
  })
  return one(c, obj, 200, check)
}

const patch: Handler = async (deps, c) => {
  const type = patchTypeFor(c.req.headers.get('content-type') ?? undefined)
  if (!type)
    throw new ShoalError(
      'Unsupported',
      `the patch content type "${c.req.headers.get('content-type')}" is not supported; use application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json or application/apply-patch+yaml`,
    )
  const check = await readChecked('patch', c)
  const r = await patchObject(deps.objects, c.info, {
    where: whereOf(c),
    patch: check.body.value,
    type,
    subresource: c.ri.subresource,
    check,
  })
  return one(c, r.obj, r.created ? 201 : 200, check)
}

const deleteOne: Handler = async (deps, c) => {
  const opts = parseDeleteOptions(await readBody(c.req, { optional: true }), c.url.searchParams)
  const r = await deleteObject(
    opts.dryRun?.length ? deps.objects.dryRun() : deps.objects,
    c.stored,
    whereOf(c),
    opts,
  )
  // as kube-apiserver: 202 only for an object kept after an orphanDependents: false delete
  return one(c, r.obj, !r.deleted && opts.orphanDependents === false ? 202 : 200)
}

const getScaleOf: Handler = async (deps, c) =>
  encode(
    c.format === 'cbor' ? 'cbor' : 'json',
    getScale(c.info, await deps.objects.mustGet(c.info, whereOf(c))),
  )

/** update and patch of the scale subresource (a patch without a known content type merges) */
const writeScale: Handler = async (deps, c) => {
  const isUpdate = c.ri.verb === 'update'
  const check = await readChecked(isUpdate ? 'update' : 'patch', c)
  const patchType = isUpdate
    ? undefined
    : (patchTypeFor(c.req.headers.get('content-type') ?? undefined) ?? 'merge')
  const scale = await updateScale(deps.objects, c.info, whereOf(c), {
    body: check.body.value,
    patchType,
    check,
  })
  return withWarnings(encode(c.format === 'cbor' ? 'cbor' : 'json', scale), check)
}

const podLog: Handler = async (deps, c) => {
  if (!deps.podLogs)
    throw new ShoalError(
      'Unavailable',
      `pods "${c.ri.name}": this plane runs without TLS (--insecure-http), so no node connects to serve logs`,
    )
  return deps.podLogs(await deps.objects.mustGet(c.info, whereOf(c)), c.url.searchParams)
}

/** POST pods/NAME/binding: binds the pod, answers Status Success 201 as Kubernetes */
const bind: Handler = async (deps, c) => {
  const body = await readParsedBody(c.req)
  const where = whereOf(c)
  await bindPod(deps.objects, where, { target: parseBinding(body.value, where) })
  const status = { ...successStatus(), code: 201 }
  return encode(c.format === 'cbor' ? 'cbor' : 'json', status, 201)
}

/** POST pods/NAME/eviction: the pod deleted gracefully (no PodDisruptionBudgets here to refuse
 * it), answered Status Success 201 as Kubernetes */
const evict: Handler = async (deps, c) => {
  const body = await readParsedBody(c.req)
  const opts = parseEviction(body.value, c.ri.name!, c.url.searchParams)
  const objects = opts.dryRun?.length ? deps.objects.dryRun() : deps.objects
  await deleteObject(objects, c.stored, whereOf(c), opts)
  const status = { ...successStatus(), code: 201 }
  return encode(c.format === 'cbor' ? 'cbor' : 'json', status, 201)
}

/** verb → handler for a resource itself, as kube-apiserver's registry installs a REST storage */
const verbs: Record<Verb, Handler> = {
  get: getOne,
  list: listResponse,
  watch,
  create,
  update,
  patch,
  delete: deleteOne,
  deletecollection: deleteCollection,
}

/** subresource → the verbs it serves; a verb not listed is a 400 */
const subresourceVerbs = new Map<string, Partial<Record<Verb, Handler>>>([
  ['status', { get: getOne, update, patch }],
  ['scale', { get: getScaleOf, update: writeScale, patch: writeScale }],
  ['log', { get: podLog }],
  ['binding', { create: bind }],
  ['eviction', { create: evict }],
  ['finalize', { update }],
])

const handlerFor = (ri: RequestInfo): Handler | undefined =>
  ri.subresource ? subresourceVerbs.get(ri.subresource)?.[ri.verb] : verbs[ri.verb]

async function run(depsIn: HandlerDeps, c: Ctx): Promise<Response> {
  const deps = WRITES.has(c.ri.verb) ? dryRunDeps(depsIn, c.url.searchParams) : depsIn
  const handler = handlerFor(c.ri)
  if (!handler)
    throw new ShoalError(
      'BadRequest',
      `${c.ri.verb} is not supported on ${c.info.resource}${c.ri.subresource ? '/' + c.ri.subresource : ''}`,
    )
  return handler(deps, c)
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
    ).catch(() => {})
  return encode(c.format === 'cbor' ? 'cbor' : 'json', successStatus({ kind: c.info.resource }))
}
