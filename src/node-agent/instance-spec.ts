// A desired pod's container → the runtime's InstanceSpec: id "<pod uid>/<container>", argv
// (command, else the container's name, then args), limits from resources.limits (memory →
// memoryBytes, cpu → cpuMillis), probes (httpGet path; a tcpSocket probe, or any probe of a
// command, becomes "still running"), volumes (emptyDir under the pod's dir, hostPath as named,
// Secret/ConfigMap/projected read-only from the files config-volumes.ts writes).
// Also the container's spec key: what must change for the agent to replace its instance. Pure.
import { parseCpu, parseMemory, type Container, type Probe } from '../api/index.ts'
import type { DesiredPod } from '../api/index.ts'
import type { InstanceSpec, ProbeSpec, VolumeMount, WorkloadKind } from '../wasm-runtime/index.ts'
import { configSources, configVolumeDir } from './config-volumes.ts'

export interface InstanceInputs {
  /** the component's digest; path and digest of its prepared image on the node */
  image: { digest: string; path: string; prepared?: string }
  kind: WorkloadKind
  env: Record<string, string>
  /** where this pod's emptyDir volumes live: <podDir>/volumes/<name> */
  podDir: string
}

export const instanceId = (uid: string, container: string) => `${uid}/${container}`

/** uid and container name of an instance id (uids and container names have no "/") */
export function parseInstanceId(id: string): { uid: string; container: string } | undefined {
  const at = id.lastIndexOf('/')
  return at > 0 ? { uid: id.slice(0, at), container: id.slice(at + 1) } : undefined
}

function probeSpec(probe: Probe | undefined, kind: WorkloadKind): ProbeSpec | undefined {
  if (!probe) return undefined
  const { initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold } = probe
  const timing = { initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold }
  const spec: ProbeSpec = { ...timing, failureThreshold: probe.failureThreshold }
  if (probe.httpGet && kind !== 'command') spec.httpGet = { path: probe.httpGet.path || '/' }
  for (const key of Object.keys(spec) as (keyof ProbeSpec)[])
    if (spec[key] === undefined) delete spec[key]
  return spec
}

function volumes(pod: DesiredPod, c: Container, podDir: string): VolumeMount[] {
  const mounts: VolumeMount[] = []
  for (const m of c.volumeMounts ?? []) {
    const v = pod.spec.volumes?.find((x) => x.name === m.name)
    if (v && configSources(v))
      mounts.push({
        guestPath: m.mountPath,
        hostPath: configVolumeDir(podDir, v.name),
        readOnly: true,
      })
    const hostPath = v?.hostPath
      ? v.hostPath.path
      : v?.emptyDir
        ? `${podDir}/volumes/${m.name}`
        : undefined
    if (hostPath) mounts.push({ guestPath: m.mountPath, hostPath, readOnly: m.readOnly === true })
  }
  return mounts
}

export function instanceSpec(pod: DesiredPod, c: Container, inputs: InstanceInputs): InstanceSpec {
  const limits = c.resources?.limits ?? {}
  const memoryBytes = limits.memory === undefined ? undefined : parseMemory(limits.memory)
  const cpuMillis = limits.cpu === undefined ? undefined : parseCpu(limits.cpu)
  const readinessProbe = probeSpec(c.readinessProbe, inputs.kind)
  const livenessProbe = probeSpec(c.livenessProbe, inputs.kind)
  return {
    id: instanceId(pod.uid, c.name),
    image: inputs.image,
    kind: inputs.kind,
    env: inputs.env,
    args: [...(c.command?.length ? c.command : [c.name]), ...(c.args ?? [])],
    volumes: volumes(pod, c, inputs.podDir),
    network: false,
    namespace: pod.namespace,
    limits: {
      ...(memoryBytes ? { memoryBytes } : {}),
      ...(cpuMillis ? { cpuMillis } : {}),
    },
    ...(readinessProbe ? { readinessProbe } : {}),
    ...(livenessProbe ? { livenessProbe } : {}),
  }
}

/** the emptyDir volumes a pod's containers mount (to be created before they start) */
export function emptyDirs(pod: DesiredPod, podDir: string): string[] {
  return (pod.spec.volumes ?? [])
    .filter((v) => v.emptyDir)
    .map((v) => `${podDir}/volumes/${v.name}`)
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
}

/**
 * What identifies a container's instance: its spec, its image digest and the pod's volumes. A
 * new desired state with the same key (a status write bumped the pod's resourceVersion, a
 * reconnect resent the set) leaves the instance alone.
 */
export function containerKey(pod: DesiredPod, c: Container): string {
  return canonical([c, pod.images[c.name], pod.spec.volumes ?? []])
}
