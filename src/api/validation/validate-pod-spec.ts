// Validation of a PodSpec, alone (spec) or inside a workload's template (spec.template.spec).
import type { PodSpec, Toleration, Volume } from '../types/index.ts'
import { dns1123Label, dns1123Subdomain, labelValue, qualifiedKey } from '../formats/index.ts'
import {
  checkRange,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  type FieldCause,
} from './field-errors.ts'
import { validateContainer } from './validate-container.ts'
import { validateLabels } from './validate-meta.ts'

export const restartPolicies = ['Always', 'OnFailure', 'Never']

export interface PodSpecOptions {
  /** the restart policies this place allows: Deployments "Always", Jobs "OnFailure"/"Never" */
  restartPolicies?: string[]
}

export function validatePodSpec(
  spec: PodSpec | undefined,
  path: string,
  options: PodSpecOptions = {},
): FieldCause[] {
  if (!spec || typeof spec !== 'object') return [required(path)]
  const out: FieldCause[] = []
  const volumes = validateVolumes(
    Array.isArray(spec.volumes) ? spec.volumes : [],
    `${path}.volumes`,
    out,
  )
  if (!Array.isArray(spec.containers) || spec.containers.length === 0)
    out.push(required(`${path}.containers`))
  else out.push(...validateContainers(spec, path, volumes))
  const allowed = options.restartPolicies ?? restartPolicies
  if (!allowed.includes(spec.restartPolicy ?? ''))
    out.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy ?? '', allowed))
  if (spec.nodeName)
    for (const m of dns1123Subdomain(String(spec.nodeName)))
      out.push(invalid(`${path}.nodeName`, spec.nodeName, m))
  out.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`))
  if (Array.isArray(spec.tolerations))
    spec.tolerations.forEach((t, i) =>
      out.push(...validateToleration(t, `${path}.tolerations[${i}]`)),
    )
  out.push(
    ...checkRange(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 1, 2147483647),
  )
  out.push(
    ...checkRange(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 0),
  )
  return out
}

function validateContainers(spec: PodSpec, path: string, volumes: Set<string>): FieldCause[] {
  const out: FieldCause[] = []
  const names = new Set<string>()
  spec.containers.forEach((c, i) => {
    const at = `${path}.containers[${i}]`
    out.push(...validateContainer(c, at, volumes))
    if (c?.name && names.has(c.name)) out.push(duplicate(`${at}.name`, c.name))
    if (c?.name) names.add(c.name)
  })
  return out
}

const volumeSources = ['hostPath', 'emptyDir', 'secret', 'configMap', 'projected'] as const

/** Validates the volumes into out; returns the names mounts may refer to. */
function validateVolumes(volumes: Volume[], path: string, out: FieldCause[]): Set<string> {
  const names = new Set<string>()
  volumes.forEach((v, i) => {
    const at = `${path}[${i}]`
    if (!v?.name) out.push(required(`${at}.name`))
    else {
      for (const m of dns1123Label(String(v.name))) out.push(invalid(`${at}.name`, v.name, m))
      if (names.has(v.name)) out.push(duplicate(`${at}.name`, v.name))
      names.add(v.name)
    }
    out.push(...validateVolumeSource(v ?? {}, at))
  })
  return names
}

function validateVolumeSource(v: Volume, at: string): FieldCause[] {
  const present = volumeSources.filter((s) => v[s] !== undefined && v[s] !== null)
  const other = Object.keys(v).filter(
    (k) => k !== 'name' && !(volumeSources as readonly string[]).includes(k),
  )
  if (present.length === 0 && other.length > 0)
    return [
      forbidden(
        `${at}.${other[0]}`,
        `volume type not supported; use one of: ${volumeSources.join(', ')}`,
      ),
    ]
  if (present.length === 0) return [required(at, 'must specify a volume type')]
  if (present.length > 1)
    return [forbidden(`${at}.${present[1]}`, 'may not specify more than 1 volume type')]
  if (v.hostPath && !v.hostPath.path) return [required(`${at}.hostPath.path`)]
  if (v.secret && !v.secret.secretName) return [required(`${at}.secret.secretName`)]
  if (v.configMap && !v.configMap.name) return [required(`${at}.configMap.name`)]
  if (v.projected) return validateProjected(v.projected, `${at}.projected`)
  return []
}

function validateProjected(p: NonNullable<Volume['projected']>, at: string): FieldCause[] {
  if (!Array.isArray(p.sources)) return [required(`${at}.sources`)]
  const out: FieldCause[] = []
  p.sources.forEach((src, i) => {
    const here = `${at}.sources[${i}]`
    const kinds = Object.keys(src ?? {})
    const unsupported = kinds.find((k) => k !== 'secret' && k !== 'configMap')
    if (unsupported)
      out.push(
        forbidden(
          `${here}.${unsupported}`,
          'projected source not supported; use secret or configMap',
        ),
      )
    else if (kinds.length !== 1)
      out.push(required(here, 'must specify exactly one of secret, configMap'))
    else if (!src.secret?.name && !src.configMap?.name)
      out.push(required(`${here}.${kinds[0]}.name`))
  })
  return out
}

const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']

export function validateToleration(t: Toleration, path: string): FieldCause[] {
  if (!t || typeof t !== 'object') return [invalid(path, t, 'must be an object')]
  const out: FieldCause[] = []
  if (t.key) for (const m of qualifiedKey(t.key)) out.push(invalid(`${path}.key`, t.key, m))
  if (!t.key && t.operator !== 'Exists')
    out.push(
      invalid(
        `${path}.operator`,
        t.operator ?? '',
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ),
    )
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
    out.push(
      invalid(
        `${path}.effect`,
        t.effect ?? '',
        "effect must be 'NoExecute' when `tolerationSeconds` is set",
      ),
    )
  if (t.operator === undefined || t.operator === 'Equal') {
    for (const m of labelValue(t.value ?? '')) out.push(invalid(`${path}.value`, t.value, m))
  } else if (t.operator === 'Exists') {
    if (t.value)
      out.push(invalid(`${path}.operator`, t, "value must be empty when `operator` is 'Exists'"))
  } else out.push(notSupported(`${path}.operator`, t.operator, ['Equal', 'Exists']))
  if (t.effect && !effects.includes(t.effect))
    out.push(notSupported(`${path}.effect`, t.effect, effects))
  return out
}
