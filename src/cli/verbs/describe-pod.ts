// describe pod: kubectl's layout for a Pod — node, status, IP, each container with its image,
// ports, state, readiness, restarts, environment and mounts, the conditions, volumes, QoS class,
// node selectors and tolerations. (Other kinds: describe.ts's generic layout.)
import { podQosClass, type ContainerState, type Pod } from '../../api/index.ts'

const pad = (label: string, indent = '', width = 20) => `${indent}${label}:`.padEnd(width)
const none = (v: string | undefined) => (v ? v : '<none>')

function state(s: ContainerState | undefined, indent: string): string {
  if (s?.running) return `Running\n${pad('Started', indent)}${s.running.startedAt ?? ''}\n`
  if (s?.terminated) {
    const t = s.terminated
    return (
      `Terminated\n${pad('Reason', indent)}${t.reason ?? ''}\n${pad('Exit Code', indent)}${t.exitCode}\n` +
      (t.finishedAt ? `${pad('Finished', indent)}${t.finishedAt}\n` : '')
    )
  }
  if (s?.waiting) return `Waiting\n${pad('Reason', indent)}${s.waiting.reason ?? ''}\n`
  return 'Waiting\n'
}

function containers(pod: Pod): string {
  let out = 'Containers:\n'
  for (const c of pod.spec.containers ?? []) {
    const st = pod.status?.containerStatuses?.find((s) => s.name === c.name)
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ')
    const env = (c.env ?? [])
      .map((e) => `      ${e.name}:`.padEnd(20) + (e.value ?? '(from a source)'))
      .join('\n')
    const mounts = (c.volumeMounts ?? [])
      .map((m) => `      ${m.mountPath} from ${m.name}${m.readOnly ? ' (ro)' : ' (rw)'}`)
      .join('\n')
    out += `  ${c.name}:\n${pad('Image', '    ')}${c.image}\n`
    if (ports) out += `${pad('Port', '    ')}${ports}\n`
    out += `${pad('State', '    ')}${state(st?.state, '      ')}`
    if (st?.lastState && Object.keys(st.lastState).length)
      out += `${pad('Last State', '    ')}${state(st.lastState, '      ')}`
    out += `${pad('Ready', '    ')}${st?.ready ? 'True' : 'False'}\n`
    out += `${pad('Restart Count', '    ')}${st?.restartCount ?? 0}\n`
    const limits = c.resources?.limits ?? {}
    if (Object.keys(limits).length)
      out += `    Limits:\n${Object.entries(limits)
        .map(([k, v]) => `      ${k}:`.padEnd(20) + v)
        .join('\n')}\n`
    out += `    Environment:${env ? `\n${env}` : '       <none>'}\n`
    out += `    Mounts:${mounts ? `\n${mounts}` : '            <none>'}\n`
  }
  return out
}

export function describePod(pod: Pod): string {
  const m = pod.metadata
  const st = pod.status ?? {}
  const lines = (label: string, kv: Record<string, string> | undefined) => {
    const e = Object.entries(kv ?? {}).filter(
      ([k]) => !k.startsWith('kubectl.kubernetes.io/last-applied'),
    )
    const sep = label === 'Annotations' ? ': ' : '='
    return e.length
      ? e.map(([k, v], i) => `${i ? pad('') : pad(label)}${k}${sep}${v}\n`).join('')
      : `${pad(label)}<none>\n`
  }
  const owner = m.ownerReferences?.find((r) => r.controller)
  let out = `${pad('Name')}${m.name}\n${pad('Namespace')}${m.namespace}\n`
  out += `${pad('Node')}${pod.spec.nodeName ? `${pod.spec.nodeName}/${st.hostIP ?? ''}` : '<none>'}\n${pad('Start Time')}${none(st.startTime)}\n`
  out += lines('Labels', m.labels) + lines('Annotations', m.annotations)
  out += `${pad('Status')}${m.deletionTimestamp ? 'Terminating' : (st.phase ?? 'Pending')}\n`
  if (st.reason) out += `${pad('Reason')}${st.reason}\n`
  if (st.message) out += `${pad('Message')}${st.message}\n`
  out += `${pad('IP')}${st.podIP ?? ''}\n`
  if (owner) out += `${pad('Controlled By')}${owner.kind}/${owner.name}\n`
  out += containers(pod)
  const conds = st.conditions ?? []
  out += conds.length
    ? `Conditions:\n  Type              Status\n${conds.map((c) => `  ${c.type.padEnd(18)}${c.status}\n`).join('')}`
    : 'Conditions:        <none>\n'
  const vols = pod.spec.volumes ?? []
  out += vols.length
    ? `Volumes:\n${vols.map((v) => `  ${v.name}\n`).join('')}`
    : 'Volumes:            <none>\n'
  out += `${pad('QoS Class')}${st.qosClass ?? podQosClass(pod.spec)}\n`
  out += lines('Node-Selectors', pod.spec.nodeSelector)
  const tol = (pod.spec.tolerations ?? []).map(
    (t) =>
      `${t.key ?? ''}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}:${t.effect ?? ''}${t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : ''}`,
  )
  out += `${pad('Tolerations')}${tol.length ? tol.join(`\n${pad('')}`) : '<none>'}\n`
  return out
}
