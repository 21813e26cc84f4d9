// A pod template as kubectl's DescribePodTemplate prints it (rollout history --revision N):
// labels, annotations, service account, containers (image, ports, command, resources,
// environment, mounts), volumes, spread constraints, node selectors and tolerations; tab-
// separated, indented two spaces a level, as kubectl's PrefixWriter writes it.
import type { Wire } from '../client.ts'

const none = (s: string) => (s ? s : '<none>')
const sorted = (m: Record<string, string> | undefined) =>
  Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

/** "  Title:\tk=v\n\tk2=v2\n" (sep '=' for labels, ': ' for annotations), or "<none>" */
function multiline(title: string, m: Record<string, string> | undefined, sep = '='): string {
  const entries = sorted(m)
  if (!entries.length) return `${title}:\t<none>\n`
  return `${title}:\t` + entries.map(([k, v]) => `${k}${sep}${v}\n`).join('\t')
}

function tolerations(list: Wire[] | undefined): string {
  if (!list?.length) return '  Tolerations:\t<none>\n'
  const line = (t: Wire) =>
    (t.key ?? '') +
    (t.value ? `=${t.value}` : '') +
    (t.effect ? `:${t.effect}` : '') +
    (t.operator === 'Exists' && !t.key ? ' op=Exists' : '') +
    (t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : '') +
    '\n'
  return '  Tolerations:\t' + list.map(line).join('\t')
}

function ports(c: Wire, host: boolean): string {
  const list = (c.ports ?? []).map(
    (p: Wire) => `${host ? (p.hostPort ?? 0) : p.containerPort}/${p.protocol ?? 'TCP'}`,
  )
  const label = host ? 'Host Port' : 'Port'
  return list.length > 1
    ? `    ${label}s:\t${list.join(', ')}\n`
    : `    ${label}:\t${none(list.join(''))}\n`
}

function resources(c: Wire): string {
  let out = ''
  for (const [key, label] of [
    ['limits', 'Limits'],
    ['requests', 'Requests'],
  ] as const) {
    const entries = sorted(c.resources?.[key])
    if (entries.length)
      out += `    ${label}:\n` + entries.map(([k, v]) => `      ${k}:\t${v}\n`).join('')
  }
  return out
}

function envValue(e: Wire): string {
  if (e.value !== undefined) return e.value
  const from = e.valueFrom ?? {}
  if (from.secretKeyRef)
    return `<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>`
  if (from.configMapKeyRef)
    return `<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>`
  if (from.fieldRef) return ` (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})`
  return ''
}

function container(c: Wire): string {
  let out = `   ${c.name}:\n    Image:\t${c.image}\n` + ports(c, false) + ports(c, true)
  for (const [key, label] of [
    ['command', 'Command'],
    ['args', 'Args'],
  ] as const)
    if (c[key]?.length)
      out += `    ${label}:\n` + c[key].map((a: string) => `      ${a}\n`).join('')
  out += resources(c)
  const env: Wire[] = c.env ?? []
  out += env.length
    ? '    Environment:\n' + env.map((e) => `      ${e.name}:\t${envValue(e)}\n`).join('')
    : '    Environment:\t<none>\n'
  const mounts: Wire[] = c.volumeMounts ?? []
  out += mounts.length
    ? '    Mounts:\n' +
      mounts
        .map((m) => `      ${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})\n`)
        .join('')
    : '    Mounts:\t<none>\n'
  return out
}

function volumes(list: Wire[] | undefined): string {
  if (!list?.length) return '  Volumes:\t<none>\n'
  return (
    '  Volumes:\n' +
    list
      .map((v) => {
        const type = Object.keys(v).find((k) => k !== 'name') ?? ''
        return `   ${v.name}:\n    Type:\t${type.charAt(0).toUpperCase()}${type.slice(1)}\n`
      })
      .join('')
  )
}

function spread(list: Wire[] | undefined): string {
  if (!list?.length) return ''
  const selector = (s: Wire) =>
    sorted(s?.matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
  return (
    '  Topology Spread Constraints:\t' +
    list
      .map(
        (t) =>
          `${t.topologyKey}:${t.whenUnsatisfiable} when max skew ${t.maxSkew} is exceeded` +
          (t.labelSelector ? ` for selector ${selector(t.labelSelector)}` : '') +
          '\n',
      )
      .join('  \t')
  )
}

export function describePodTemplate(t: Wire | undefined): string {
  if (!t) return 'Pod Template:\n  <unset>'
  const spec = t.spec ?? {}
  let out = 'Pod Template:\n' + multiline('  Labels', t.metadata?.labels)
  if (Object.keys(t.metadata?.annotations ?? {}).length)
    out += multiline('  Annotations', t.metadata.annotations, ': ')
  if (spec.serviceAccountName) out += `  Service Account:\t${spec.serviceAccountName}\n`
  if (spec.initContainers?.length)
    out += '  Init Containers:\n' + spec.initContainers.map(container).join('')
  out += '  Containers:\n' + (spec.containers ?? []).map(container).join('')
  out += volumes(spec.volumes) + spread(spec.topologySpreadConstraints)
  if (spec.priorityClassName) out += `  Priority Class Name:\t${spec.priorityClassName}\n`
  return out + multiline('  Node-Selectors', spec.nodeSelector) + tolerations(spec.tolerations)
}
