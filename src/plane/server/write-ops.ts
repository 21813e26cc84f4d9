// create / update / patch / delete for any kind: what kube-apiserver's generic registry does
// between decoding a body and writing it — type and name checks, defaults, validation,
// generation, the status subresource split, patch application with retry on conflict, and
// fieldValidation (unknown and duplicate fields: Strict fails, Warn warns, unknown fields are
// never stored). `info` is the resource at the version the request addresses: bodies and patches
// are judged at that version, converted to the storage version, and defaulted and validated
// there; the results are storage-version objects (the handler converts what it answers).
import {
  applyDefaults,
  fillDefaults,
  validate,
  validateUpdate,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  apiVersionOf,
  type Job,
  type KubeObject,
  type Namespace,
  type PatchType,
  type Service,
  type ResourceInfo,
} from '../../api/index.ts'
import {
  checkBodyTree,
  numberProblem,
  schemaName,
  storageResource,
  toServedVersion,
  toStorageVersion,
} from '../../api/index.ts'
import {
  appliedUnknownError,
  applyProblems,
  objectProblems,
  parseFieldValidation,
  patchProblems,
  pruneUnknown,
  type FieldProblems,
  type FieldValidation,
} from '../../api/index.ts'
import type { ParsedBody } from './body.ts'
import { isDeepStrictEqual as deepEqual } from 'node:util'
import { randomUUID } from 'node:crypto'
import { BadRequestError, InvalidError, ShoalError, isShoalError } from '../../core/index.ts'
import { ApiError } from './status.ts'
import { notFound, type ObjectStore, type Where } from './object-store.ts'
import { namespaceOnCreate, namespaceOnUpdate } from './namespace-strategy.ts'
import { templateGenerationOnCreate, templateGenerationOnUpdate } from './template-generation.ts'
import { nodePortsOnUpdate, withNodePorts } from './node-ports.ts'

function invalid(
  info: ResourceInfo,
  name: string | undefined,
  causes: { field: string; message: string }[],
): InvalidError {
  const what = info.group ? `${info.kind}.${info.group}` : info.kind
  const msg = `${what} "${name ?? ''}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`
  return new InvalidError(msg, causes)
}

/** the body must be an object of this resource's kind (kind/apiVersion may be left out) */
export function checkBody(info: ResourceInfo, body: unknown): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestError('the request body must be a JSON object')
  const obj = body as KubeObject
  const want = apiVersionOf(info)
  if (obj.kind && obj.kind !== info.kind)
    throw new BadRequestError(
      `the body is a ${obj.kind}, this is the ${info.resource} endpoint (kind ${info.kind})`,
    )
  if (obj.apiVersion && obj.apiVersion !== want)
    throw new BadRequestError(
      `the body has apiVersion ${obj.apiVersion}, ${info.resource} are served as ${want}`,
    )
  if (
    obj.metadata !== undefined &&
    (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))
  )
    throw invalid(info, undefined, [{ field: 'metadata', message: 'must be an object' }])
  const numbers = numberProblem(schemaName(info), obj)
  if (numbers) throw undecodable(info)(`json: ${numbers}`)
  return { ...obj, kind: info.kind, apiVersion: want, metadata: { ...(obj.metadata ?? {}) } }
}

/** a body checked at the served version, as the storage version stores it (as Kubernetes decodes into its internal version) */
function inStorageVersion(info: ResourceInfo, obj: KubeObject): KubeObject {
  const r = toStorageVersion(info, obj)
  if (!r.ok)
    throw new BadRequestError(
      `${info.kind} in version "${info.version}" cannot be converted to version "${info.storageVersion}": ${r.error}`,
    )
  return r.value
}

function placeIn(info: ResourceInfo, obj: KubeObject, namespace?: string): void {
  if (!info.namespaced) {
    delete obj.metadata.namespace
    return
  }
  if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
    throw new BadRequestError(
      'the namespace of the provided object does not match the namespace sent on the request',
    )
  }
  obj.metadata.namespace = namespace ?? obj.metadata.namespace ?? 'default'
}

/** fieldValidation for one write request: the directive, the body as sent, the warnings for the response */
export interface FieldCheck {
  directive: FieldValidation
  body: ParsedBody
  warnings: string[]
}

const optionsKind = {
  create: 'CreateOptions',
  update: 'UpdateOptions',
  patch: 'PatchOptions',
} as const

/** reads ?fieldValidation= first (a bad value fails before the body is read, as in Kubernetes), then the body */
export async function fieldCheck(
  verb: keyof typeof optionsKind,
  req: { query: URLSearchParams; readBody(): Promise<ParsedBody> },
): Promise<FieldCheck> {
  const d = parseFieldValidation(req.query.get('fieldValidation'))
  if (!d.ok)
    throw new InvalidError(
      `${optionsKind[verb]}.meta.k8s.io "" is invalid: fieldValidation: ${d.error}`,
      [{ field: 'fieldValidation', message: d.error }],
    )
  return { directive: d.value, body: await req.readBody(), warnings: [] }
}

/** Strict: any problem fails the request; Warn: the problems become warnings; Ignore: silence */
function judge(
  check: FieldCheck,
  problems: FieldProblems,
  fail: (text: string) => ShoalError,
): string[] {
  if (check.directive === 'Ignore' || !problems.warnings.length) return []
  if (check.directive === 'Strict') throw fail(problems.strict)
  return problems.warnings
}

/** as kube-apiserver words a body it could not decode */
const undecodable = (kind: { kind: string; version: string }) => (text: string) =>
  new BadRequestError(
    `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${text}`,
  )

/** create and update: judges the body as sent, and returns it without its unknown fields */
export function checkedBody(
  body: unknown,
  o: {
    type: { group?: string; kind: string; version: string; storageVersion?: string }
    check?: FieldCheck
  },
): unknown {
  const { type, check } = o
  if (!check) return body
  const schema = schemaName(type)
  if (check.directive !== 'Ignore')
    check.warnings.push(
      ...judge(
        check,
        objectProblems(schema, { value: body, source: check.body.source() }),
        undecodable(type),
      ),
    )
  return pruneUnknown(schema, body)
}

const jsonKeysOf = (check: FieldCheck) => {
  const src = check.body.source()
  return 'json' in src ? src.json : undefined
}

/** server-side apply: repeated keys per the directive; unknown fields fail in every mode, as in Kubernetes */
function checkApply(info: ResourceInfo, where: Where, patch: unknown, check?: FieldCheck): void {
  if (!check) return
  const src = check.body.source()
  if (check.directive !== 'Ignore' && 'yaml' in src)
    check.warnings.push(
      ...judge(check, applyProblems(src.yaml), (text) => new BadRequestError(text)),
    )
  const failed = appliedUnknownError(patch, {
    kind: info.kind,
    apiVersion: apiVersionOf(info),
    schema: schemaName(info),
    ...where,
  })
  if (failed) throw new BadRequestError(failed)
}

const suffix = () => Math.random().toString(36).slice(2, 7).padEnd(5, 'x')

export async function createObject(
  objects: ObjectStore,
  served: ResourceInfo,
  o: { body: unknown; namespace?: string; check?: FieldCheck },
): Promise<KubeObject> {
  const { body, namespace, check } = o
  const obj = inStorageVersion(
    served,
    checkBody(served, checkedBody(body, { type: served, check })),
  )
  const info = storageResource(served)
  obj.metadata.uid = randomUUID() // server-owned; stamped here so a Job's generated selector can use it
  placeIn(info, obj, namespace)
  if (!obj.metadata.name && obj.metadata.generateName)
    obj.metadata.name = obj.metadata.generateName + suffix()
  // the body was decoded for this request and is not used after it: defaults go into it, no copy
  const defaulted = prepareForCreate(info, fillDefaults(obj))
  const causes = validate(defaulted)
  if (causes.length) throw invalid(info, defaulted.metadata.name, causes)
  if (info.namespaced) await requireNamespace(objects, defaulted.metadata.namespace!)
  if (info.kind === 'Service')
    return withNodePorts(objects, defaulted as Service, (svc) => objects.create(info, svc))
  return objects.create(info, defaulted)
}

/** as each kind's create strategy in Kubernetes: status starts empty (pods: Pending) */
function prepareForCreate(info: ResourceInfo, obj: KubeObject): KubeObject {
  if (info.kind === 'Job') return jobSelector(obj)
  if (info.kind === 'Namespace') return namespaceOnCreate(obj as Namespace)
  if (!hasStatus(info)) return obj
  const out = { ...templateGenerationOnCreate(obj) } as Obj
  if (info.kind === 'Pod') out.status = { phase: 'Pending', qosClass: 'BestEffort' }
  else if (info.kind === 'Node') out.status = (obj as Obj).status ?? {}
  else delete out.status
  return out
}

/** as Kubernetes: unless manualSelector, a Job selects its pods by its own uid (the labels of
 * both spellings on its template); a Job without labels takes its template's (SetDefaults_Job,
 * which Kubernetes applies again as it reads the stored Job) */
function jobSelector(obj: KubeObject): KubeObject {
  const job = obj as Job
  const { status: _status, ...rest } = job
  if (job.spec?.manualSelector) return withTemplateLabels(rest as Job)
  const uid = obj.metadata.uid!
  const name = obj.metadata.name ?? ''
  const labels = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  }
  const tpl = job.spec?.template ?? {}
  const spec = {
    ...job.spec,
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': obj.metadata.uid! } },
    template: {
      ...tpl,
      metadata: { ...tpl.metadata, labels: { ...labels, ...tpl.metadata?.labels } },
    },
  }
  return withTemplateLabels({ ...rest, spec } as Job)
}

function withTemplateLabels(job: Job): KubeObject {
  const labels = job.spec?.template?.metadata?.labels
  if (!labels || Object.keys(job.metadata.labels ?? {}).length) return job
  return { ...job, metadata: { ...job.metadata, labels: { ...labels } } }
}

async function requireNamespace(objects: ObjectStore, name: string): Promise<void> {
  const phase = await objects.namespacePhase(name)
  if (phase === 'missing')
    throw new ApiError('NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' })
  if (phase === 'terminating')
    throw new ApiError(
      'Forbidden',
      `unable to create new content in namespace ${name} because it is being terminated`,
      { name, kind: 'namespaces' },
    )
}

const hasStatus = (info: ResourceInfo) => info.subresources.some((s) => s.name === 'status')
type Obj = KubeObject & { spec?: unknown; status?: unknown }

/** the object an update writes: server-owned fields from `cur`, the rest from `body` */
function merged(info: ResourceInfo, cur: Obj, body: Obj, subresource?: string): Obj {
  if (subresource === 'status') return { ...cur, status: body.status }
  if (info.kind === 'Namespace' && subresource === 'finalize')
    return namespaceOnUpdate(cur as Namespace, body as Namespace, subresource)
  const m = cur.metadata
  let next: Obj = {
    ...body,
    metadata: {
      ...body.metadata,
      uid: m.uid,
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
      generation: m.generation,
      namespace: m.namespace,
    },
  }
  if (!m.deletionTimestamp) delete next.metadata.deletionTimestamp
  if (hasStatus(info)) next.status = cur.status
  if (!next.status) delete next.status
  if (info.kind === 'Namespace') next = namespaceOnUpdate(cur as Namespace, next as Namespace)
  if (specChanged(info, cur, next)) next.metadata.generation = (m.generation ?? 1) + 1
  return next
}

/** what the generation counts: the spec; an EndpointSlice has none, so all but its metadata, and
 * its labels (endpointSliceStrategy.PrepareForUpdate) */
function specChanged(info: ResourceInfo, cur: Obj, next: Obj): boolean {
  if (info.kind !== 'EndpointSlice') return !deepEqual(cur.spec, next.spec)
  const { metadata: a, ...x } = cur
  const { metadata: b, ...y } = next
  return !deepEqual(x, y) || !deepEqual(a.labels ?? {}, b.labels ?? {})
}

export async function updateObject(
  objects: ObjectStore,
  served: ResourceInfo,
  o: { where: Where; body: unknown; subresource?: string; check?: FieldCheck },
): Promise<KubeObject> {
  const { where, body, subresource, check } = o
  const obj = inStorageVersion(
    served,
    checkBody(served, checkedBody(body, { type: served, check })),
  )
  const info = storageResource(served)
  if (obj.metadata.name && obj.metadata.name !== where.name)
    throw new BadRequestError(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${where.name})`,
    )
  obj.metadata.name = where.name
  const cur = await objects.mustGet(info, where)
  const rv = obj.metadata.resourceVersion
  if (rv && rv !== cur.metadata.resourceVersion) {
    throw new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on ${info.resource} "${where.name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name: where.name, kind: info.resource },
    )
  }
  let next = templateGenerationOnUpdate(cur, applyDefaults(merged(info, cur, obj, subresource)))
  if (info.kind === 'Service') next = nodePortsOnUpdate(cur as Service, next as Service)
  const causes = [...validate(next), ...validateUpdate(cur, next)]
  if (causes.length) throw invalid(info, where.name, causes)
  if (
    deepEqual(
      { ...cur, metadata: { ...cur.metadata, resourceVersion: undefined } },
      { ...next, metadata: { ...next.metadata, resourceVersion: undefined } },
    )
  )
    return cur
  const write = (obj: KubeObject) =>
    objects.replace(info, cur, {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion },
    })
  if (info.kind === 'Service') return withNodePorts(objects, next as Service, write)
  return write(next)
}

function applyPatch(info: ResourceInfo, cur: KubeObject, patch: unknown, type: PatchType): unknown {
  const r =
    type === 'json'
      ? applyJsonPatch(cur, patch)
      : type === 'merge'
        ? applyMergePatch(cur, patch)
        : applyStrategicMergePatch(cur, patch, info.kind)
  if (!r.ok)
    throw new ShoalError(
      /\btest\b/.test(r.error) ? 'Invalid' : 'BadRequest',
      `the patch could not be applied: ${r.error}`,
    )
  // a patch can nest deeper than its body, or add a "__proto__" field by a JSON pointer
  const tree = checkBodyTree(r.value)
  if (!tree.ok) throw new BadRequestError(`the patched object is refused: ${tree.error}`)
  return r.value
}

/**
 * Applies a patch to the latest object, retrying when a concurrent write wins (as Kubernetes
 * does). With a field check, the patched object is judged and stored without unknown fields.
 */
export async function patchObject(
  objects: ObjectStore,
  info: ResourceInfo,
  o: { where: Where; patch: unknown; type: PatchType; subresource?: string; check?: FieldCheck },
): Promise<{ obj: KubeObject; created: boolean }> {
  const { where, patch, type, subresource, check } = o
  if (type === 'apply' && (!patch || typeof patch !== 'object' || Array.isArray(patch)))
    throw new BadRequestError('the apply body must be an object')
  if (type === 'apply') checkApply(info, where, patch, check)
  for (let attempt = 0; ; attempt++) {
    const cur = await objects.get(storageResource(info), where)
    if (!cur) {
      if (type !== 'apply' || subresource) throw notFound(info, where.name)
      const body = {
        ...(patch as KubeObject),
        metadata: { ...(patch as KubeObject).metadata, name: where.name },
      }
      return {
        obj: await createObject(objects, info, { body, namespace: where.namespace }),
        created: true,
      }
    }
    const { patched, warnings } = patchChecked(info, toServedVersion(info, cur), patch, type, check)
    const pinned = (patch as KubeObject)?.metadata?.resourceVersion !== undefined
    if (!pinned && patched?.metadata)
      patched.metadata.resourceVersion = cur.metadata.resourceVersion
    try {
      const obj = await updateObject(objects, info, { where, body: patched, subresource })
      check?.warnings.push(...warnings)
      return { obj, created: false }
    } catch (err) {
      if (!isShoalError(err, 'Conflict') || pinned || attempt >= 8) throw err
    }
  }
}

/** the patch applied to the stored object at the served version (as Kubernetes decodes it: without unknown fields), then judged and pruned */
function patchChecked(
  info: ResourceInfo,
  cur: KubeObject,
  patch: unknown,
  type: PatchType,
  check?: FieldCheck,
): { patched: KubeObject; warnings: string[] } {
  if (!check) return { patched: applyPatch(info, cur, patch, type) as KubeObject, warnings: [] }
  const patched = applyPatch(info, pruneUnknown(schemaName(info), cur), patch, type)
  if (type === 'apply') return { patched: patched as KubeObject, warnings: [] }
  const attempt: FieldCheck = { ...check, warnings: [] }
  return {
    patched: checkedPatch(patched, { kind: schemaName(info), patch, check: attempt }) as KubeObject,
    warnings: attempt.warnings,
  }
}

/** any patch but apply: judges the patch body and the patched object, and returns the object without its unknown fields (kind: its schemaName) */
export function checkedPatch(
  patched: unknown,
  o: { kind: string; patch: unknown; check: FieldCheck },
): unknown {
  const { kind, patch, check } = o
  if (check.directive !== 'Ignore')
    check.warnings.push(
      ...judge(
        check,
        patchProblems(kind, { patch, patched, keys: jsonKeysOf(check) }),
        (text) => new BadRequestError(text),
      ),
    )
  return pruneUnknown(kind, patched)
}
