// The Secrets and ConfigMaps a pod uses, by name, wherever a pod spec can name them: env
// (valueFrom), envFrom, volumes (secret, configMap, projected sources), in every kind of
// container (containers, initContainers, ephemeralContainers), and imagePullSecrets — as
// Kubernetes' node authorizer walks them (podutil.VisitPodSecretNames / VisitPodConfigmapNames).
// A node may read exactly these for the pods bound to it.
import type { Pod } from '../types/index.ts'

export interface PodReferences {
  secrets: Set<string>
  configMaps: Set<string>
}

type Named = { name?: unknown } | undefined
type LooseContainer = {
  env?: { valueFrom?: { secretKeyRef?: Named; configMapKeyRef?: Named } }[]
  envFrom?: { secretRef?: Named; configMapRef?: Named }[]
}
type LooseVolume = {
  secret?: { secretName?: unknown }
  configMap?: Named
  projected?: { sources?: { secret?: Named; configMap?: Named }[] }
}
type LooseSpec = {
  containers?: LooseContainer[]
  initContainers?: LooseContainer[]
  ephemeralContainers?: LooseContainer[]
  volumes?: LooseVolume[]
  imagePullSecrets?: Named[]
}

const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : [])

function add(to: Set<string>, name: unknown): void {
  if (typeof name === 'string' && name) to.add(name)
}

function visitContainer(c: LooseContainer, refs: PodReferences): void {
  for (const e of list(c.env)) {
    add(refs.secrets, e?.valueFrom?.secretKeyRef?.name)
    add(refs.configMaps, e?.valueFrom?.configMapKeyRef?.name)
  }
  for (const e of list(c.envFrom)) {
    add(refs.secrets, e?.secretRef?.name)
    add(refs.configMaps, e?.configMapRef?.name)
  }
}

function visitVolume(v: LooseVolume, refs: PodReferences): void {
  add(refs.secrets, v?.secret?.secretName)
  add(refs.configMaps, v?.configMap?.name)
  for (const s of list(v?.projected?.sources)) {
    add(refs.secrets, s?.secret?.name)
    add(refs.configMaps, s?.configMap?.name)
  }
}

/** every Secret and ConfigMap name the pod's spec refers to */
export function podReferences(pod: Pod): PodReferences {
  const refs: PodReferences = { secrets: new Set(), configMaps: new Set() }
  const spec = pod.spec as LooseSpec | undefined
  if (!spec) return refs
  for (const c of [
    ...list(spec.containers),
    ...list(spec.initContainers),
    ...list(spec.ephemeralContainers),
  ])
    visitContainer(c ?? {}, refs)
  for (const v of list(spec.volumes)) visitVolume(v, refs)
  for (const s of list(spec.imagePullSecrets)) add(refs.secrets, s?.name)
  return refs
}
