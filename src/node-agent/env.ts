// A container's environment, as the kubelet builds it: every key of each envFrom source (with
// its prefix; keys that are no env var names are skipped), then each env entry in order —
// literal values with $(VAR) expanded from the vars before it, secretKeyRef / configMapKeyRef
// read through a ConfigLookup, fieldRef from the pod's identity. A missing Secret, ConfigMap or
// key that is not optional is an expected outcome: a problem value the pod's status shows
// (CreateContainerConfigError), with the kubelet's wording. Pure but for the lookup.
import { envVarName, type Container, type DesiredPod, type EnvVar } from '../api/index.ts'

export type ConfigKind = 'Secret' | 'ConfigMap'

export interface ConfigLookup {
  /** the decoded data of a Secret or ConfigMap; undefined when it does not exist */
  get(
    kind: ConfigKind,
    namespace: string,
    name: string,
  ): Promise<Record<string, string> | undefined>
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; problem: string }

class Problem {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

const lower = (kind: ConfigKind) => kind.toLowerCase()

async function source(
  lookup: ConfigLookup,
  kind: ConfigKind,
  ns: string,
  ref: { name: string; optional?: boolean },
): Promise<Record<string, string> | undefined> {
  const data = await lookup.get(kind, ns, ref.name)
  if (!data && !ref.optional) throw new Problem(`${lower(kind)} "${ref.name}" not found`)
  return data
}

function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name?: string) =>
    match === '$$' ? '$' : name !== undefined && Object.hasOwn(vars, name) ? vars[name] : match,
  )
}

function field(pod: DesiredPod, path: string, hostIP: string): string {
  const fields: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'metadata.uid': pod.uid,
    'spec.nodeName': pod.spec.nodeName ?? '',
    'status.hostIP': hostIP,
    'status.podIP': hostIP,
  }
  if (!Object.hasOwn(fields, path)) throw new Problem(`unsupported fieldRef "${path}"`)
  return fields[path]
}

async function entry(
  e: EnvVar,
  vars: Record<string, string>,
  ctx: { pod: DesiredPod; lookup: ConfigLookup; hostIP: string },
): Promise<string | undefined> {
  const from = e.valueFrom
  if (!from) return expand(e.value ?? '', vars)
  if (from.fieldRef) return field(ctx.pod, from.fieldRef.fieldPath, ctx.hostIP)
  const [kind, ref] = from.secretKeyRef
    ? (['Secret', from.secretKeyRef] as const)
    : (['ConfigMap', from.configMapKeyRef!] as const)
  if (!ref) return undefined
  const data = await source(ctx.lookup, kind, ctx.pod.namespace, ref)
  if (data && Object.hasOwn(data, ref.key)) return data[ref.key]
  if (data && !ref.optional)
    throw new Problem(`couldn't find key ${ref.key} in ${kind} ${ctx.pod.namespace}/${ref.name}`)
  return undefined
}

export async function resolveEnv(
  pod: DesiredPod,
  c: Container,
  ctx: { lookup: ConfigLookup; hostIP: string },
): Promise<EnvResult> {
  const vars: Record<string, string> = {}
  try {
    for (const from of c.envFrom ?? []) {
      const [kind, ref] = from.secretRef
        ? (['Secret', from.secretRef] as const)
        : (['ConfigMap', from.configMapRef!] as const)
      const data = ref && (await source(ctx.lookup, kind, pod.namespace, ref))
      for (const [key, value] of Object.entries(data ?? {})) {
        const name = `${from.prefix ?? ''}${key}`
        if (envVarName(name).length === 0) vars[name] = value
      }
    }
    for (const e of c.env ?? []) {
      const value = await entry(e, vars, { ...ctx, pod })
      if (value !== undefined) vars[e.name] = value
    }
  } catch (error) {
    if (error instanceof Problem) return { ok: false, problem: error.text }
    return { ok: false, problem: (error as Error).message }
  }
  return { ok: true, env: vars }
}
