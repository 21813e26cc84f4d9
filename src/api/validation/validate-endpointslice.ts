// Validation of discovery.k8s.io/v1 EndpointSlice, as Kubernetes' ValidateEndpointSlice:
// addressType IPv4, IPv6 or FQDN (immutable: validate-update.ts), at most 1000 endpoints of 1 to
// 100 addresses of that type (IPs neither unspecified, loopback nor link-local, as
// ValidateEndpointIP), nodeName a node name, hostname a DNS label, at most 8 zone hints, at
// most 20000 ports with unique names (a DNS label or ""), a protocol each, appProtocol a
// qualified name. The server's defaults give each port its name "" and protocol TCP.
import type { EndpointSlice, SliceEndpoint, SlicePort } from '../types/index.ts'
import {
  dns1123Label,
  dns1123Subdomain,
  isIP,
  isIPv4,
  labelValue,
  qualifiedKey,
} from '../formats/index.ts'
import {
  duplicate,
  invalid,
  notSupported,
  required,
  tooMany,
  type FieldCause,
} from './field-errors.ts'

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6']
const PROTOCOLS = ['SCTP', 'TCP', 'UDP']
const MAX_ENDPOINTS = 1000
const MAX_ADDRESSES = 100
const MAX_PORTS = 20000
const MAX_ZONE_HINTS = 8

const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : [])

export function validateEndpointSlice(slice: EndpointSlice): FieldCause[] {
  const out: FieldCause[] = []
  const type = slice.addressType
  if (!type) out.push(required('addressType'))
  else if (!ADDRESS_TYPES.includes(type)) out.push(notSupported('addressType', type, ADDRESS_TYPES))
  out.push(...validateEndpoints(list(slice.endpoints), type))
  out.push(...validatePorts(list(slice.ports)))
  return out
}

function validateEndpoints(endpoints: SliceEndpoint[], type: string): FieldCause[] {
  if (endpoints.length > MAX_ENDPOINTS)
    return [tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)]
  return endpoints.flatMap((e, i) => {
    const at = `endpoints[${i}]`
    const out: FieldCause[] = []
    const addresses = list(e?.addresses)
    if (!addresses.length) out.push(required(`${at}.addresses`, 'must contain at least 1 address'))
    else if (addresses.length > MAX_ADDRESSES)
      out.push(tooMany(`${at}.addresses`, addresses.length, MAX_ADDRESSES))
    addresses.forEach((a, j) => out.push(...validateAddress(a, type, `${at}.addresses[${j}]`)))
    if (typeof e?.nodeName === 'string')
      for (const m of dns1123Subdomain(e.nodeName))
        out.push(invalid(`${at}.nodeName`, e.nodeName, m))
    if (typeof e?.hostname === 'string')
      for (const m of dns1123Label(e.hostname)) out.push(invalid(`${at}.hostname`, e.hostname, m))
    out.push(...validateZoneHints(list(e?.hints?.forZones), `${at}.hints.forZones`))
    return out
  })
}

function validateAddress(a: string, type: string, at: string): FieldCause[] {
  if (type === 'FQDN') return validateFqdn(a, at)
  if (type !== 'IPv4' && type !== 'IPv6') return [] // unknown types are reported once, above
  const v4 = isIPv4(a)
  if (type === 'IPv4' && !v4) return [invalid(at, a, 'must be a valid IPv4 address')]
  if (type === 'IPv6' && (v4 || !isIP(a))) return [invalid(at, a, 'must be a valid IPv6 address')]
  return specialIP(a, at)
}

/** ValidateEndpointIP: no address a packet could not leave the node for */
function specialIP(a: string, at: string): FieldCause[] {
  const ip = a.toLowerCase()
  const first = Number(ip.split('.')[0])
  const v4 = isIPv4(ip)
  if (ip === '0.0.0.0' || /^[0:]+$/.test(ip))
    return [invalid(at, a, `may not be unspecified (${a})`)]
  if ((v4 && first === 127) || /^[0:]+1$/.test(ip))
    return [invalid(at, a, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')]
  if ((v4 && ip.startsWith('169.254.')) || /^fe[89ab][0-9a-f]?:/.test(ip))
    return [invalid(at, a, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')]
  if ((v4 && ip.startsWith('224.0.0.')) || /^ff[0-9a-f]2:/.test(ip))
    return [
      invalid(at, a, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'),
    ]
  return []
}

/** IsFullyQualifiedDomainName */
function validateFqdn(a: string, at: string): FieldCause[] {
  if (typeof a !== 'string' || !a) return [required(at)]
  const name = a.endsWith('.') ? a.slice(0, -1) : a
  const sub = dns1123Subdomain(name)
  if (sub.length) return [invalid(at, name, sub.join(','))]
  const labels = name.split('.')
  if (labels.length < 2)
    return [invalid(at, name, 'should be a domain with at least two segments separated by dots')]
  for (const l of labels) {
    const m = dns1123Label(l)
    if (m.length) return [invalid(at, l, m.join(','))]
  }
  return []
}

function validateZoneHints(zones: { name: string }[], at: string): FieldCause[] {
  if (zones.length > MAX_ZONE_HINTS) return [tooMany(at, zones.length, MAX_ZONE_HINTS)]
  const seen = new Set<string>()
  return zones.flatMap((z, i) => {
    const path = `${at}[${i}].name`
    const out: FieldCause[] = []
    if (seen.has(z?.name)) out.push(duplicate(path, z.name))
    seen.add(z?.name)
    for (const m of labelValue(z?.name ?? '')) out.push(invalid(path, z?.name, m))
    return out
  })
}

function validatePorts(ports: SlicePort[], at = 'ports'): FieldCause[] {
  if (ports.length > MAX_PORTS) return [tooMany(at, ports.length, MAX_PORTS)]
  const names = new Set<string>()
  return ports.flatMap((p, i) => {
    const path = `${at}[${i}]`
    const out: FieldCause[] = []
    const name = p?.name ?? ''
    if (name) for (const m of dns1123Label(name)) out.push(invalid(`${path}.name`, name, m))
    if (names.has(name)) out.push(duplicate(`${path}.name`, name))
    names.add(name)
    if (!p?.protocol) out.push(required(`${path}.protocol`))
    else if (!PROTOCOLS.includes(p.protocol))
      out.push(notSupported(`${path}.protocol`, p.protocol, PROTOCOLS))
    if (typeof p?.appProtocol === 'string')
      for (const m of qualifiedKey(p.appProtocol))
        out.push(invalid(`${path}.appProtocol`, p.appProtocol, m))
    return out
  })
}
