// Validation of Service (ClusterIP, NodePort and LoadBalancer) and Endpoints.
import type { Endpoints, Service } from '../types/index.ts'
import { dns1123Label, dns1123Subdomain, isIP } from '../formats/index.ts'
import {
  checkRange,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  type FieldCause,
} from './field-errors.ts'
import { protocols, validatePortRef } from './validate-container.ts'
import { validateLabels } from './validate-meta.ts'

const types = ['ClusterIP', 'NodePort', 'LoadBalancer']

export function validateService(svc: Service): FieldCause[] {
  const spec = svc.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  const out: FieldCause[] = []
  const type = spec.type ?? 'ClusterIP'
  if (!types.includes(type)) out.push(notSupported('spec.type', type, types))
  const headless = spec.clusterIP === 'None'
  if (spec.clusterIP && !headless && !isIP(spec.clusterIP))
    out.push(
      invalid(
        'spec.clusterIP',
        spec.clusterIP,
        'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ),
    )
  const ports = Array.isArray(spec.ports) ? spec.ports : []
  if (ports.length === 0 && !headless) out.push(required('spec.ports'))
  out.push(...validateServicePorts(svc, type))
  out.push(...validateLabels(spec.selector, 'spec.selector'))
  return out
}

function validateServicePorts(svc: Service, type: string): FieldCause[] {
  const ports = Array.isArray(svc.spec.ports) ? svc.spec.ports : []
  const out: FieldCause[] = []
  const names = new Set<string>()
  const keys = new Set<string>()
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`
    if (!p || typeof p !== 'object') {
      out.push(invalid(at, p, 'must be an object'))
      return
    }
    if (!p.name && ports.length > 1) out.push(required(`${at}.name`))
    if (p.name) for (const m of dns1123Label(p.name)) out.push(invalid(`${at}.name`, p.name, m))
    if (p.name && names.has(p.name)) out.push(duplicate(`${at}.name`, p.name))
    if (p.name) names.add(p.name)
    out.push(
      ...(p.port === undefined
        ? [required(`${at}.port`)]
        : checkRange(`${at}.port`, p.port, 1, 65535)),
    )
    const protocol = p.protocol ?? 'TCP'
    if (!protocols.includes(protocol)) out.push(notSupported(`${at}.protocol`, protocol, protocols))
    if (p.targetPort !== undefined && p.targetPort !== 0)
      out.push(...validatePortRef(p.targetPort, `${at}.targetPort`))
    if (p.nodePort && type === 'ClusterIP')
      out.push(forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"))
    else if (p.nodePort) out.push(...checkRange(`${at}.nodePort`, p.nodePort, 1, 65535))
    const key = `${p.port}/${protocol}`
    if (keys.has(key)) out.push(duplicate(at, { port: p.port, protocol }))
    keys.add(key)
  })
  return out
}

export function validateEndpoints(ep: Endpoints): FieldCause[] {
  const out: FieldCause[] = []
  const subsets = Array.isArray(ep.subsets) ? ep.subsets : []
  subsets.forEach((s, i) => {
    const at = `subsets[${i}]`
    for (const f of ['addresses', 'notReadyAddresses'] as const) {
      ;(Array.isArray(s?.[f]) ? s[f] : []).forEach((a, j) => {
        if (!a?.ip || !isIP(a.ip))
          out.push(invalid(`${at}.${f}[${j}].ip`, a?.ip ?? '', 'must be a valid IP address'))
        if (a?.nodeName)
          for (const m of dns1123Subdomain(a.nodeName))
            out.push(invalid(`${at}.${f}[${j}].nodeName`, a.nodeName, m))
      })
    }
    ;(Array.isArray(s?.ports) ? s.ports : []).forEach((p, j) => {
      out.push(
        ...(p?.port === undefined
          ? [required(`${at}.ports[${j}].port`)]
          : checkRange(`${at}.ports[${j}].port`, p.port, 1, 65535)),
      )
      if (p?.name)
        for (const m of dns1123Label(p.name)) out.push(invalid(`${at}.ports[${j}].name`, p.name, m))
      if (p?.protocol && !protocols.includes(p.protocol))
        out.push(notSupported(`${at}.ports[${j}].protocol`, p.protocol, protocols))
    })
  })
  return out
}
