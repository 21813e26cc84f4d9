// Validation of networking.k8s.io/v1 Ingress, as Kubernetes' ValidateIngressCreate: a
// defaultBackend or rules; hosts DNS names or `*.` wildcards (not IPs); each HTTP rule at least
// one path with a pathType (Exact, Prefix or ImplementationSpecific), Exact and Prefix paths
// absolute and free of `//`, `/./`, `/../`, `%2f` and a `/.` or `/..` ending; each backend
// exactly one of service (a DNS-1035 name and exactly one of port name and number) and resource;
// tls hosts as rule hosts, secretName a Secret's name; ingressClassName a DNS subdomain.
import type { IngressBackend, IngressRule, IngressTLS, Ingress } from '../types/index.ts'
import { dns1035Label, dns1123Subdomain, ianaServiceName, isIP } from '../formats/index.ts'
import { checkRange, invalid, notSupported, required, type FieldCause } from './field-errors.ts'

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix']
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F']
const BAD_SUFFIXES = ['/..', '/.']
const WILDCARD =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of " +
  "lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', " +
  "regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : [])

export function validateIngress(ing: Ingress): FieldCause[] {
  const spec = ing.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  const out: FieldCause[] = []
  const rules = list(spec.rules)
  if (!rules.length && !spec.defaultBackend)
    out.push(invalid('spec', null, 'either `defaultBackend` or `rules` must be specified'))
  if (spec.defaultBackend) out.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'))
  rules.forEach((r, i) => out.push(...validateRule(r, `spec.rules[${i}]`)))
  list(spec.tls).forEach((t, i) => out.push(...validateTls(t, `spec.tls[${i}]`)))
  if (typeof spec.ingressClassName === 'string')
    for (const m of dns1123Subdomain(spec.ingressClassName))
      out.push(invalid('spec.ingressClassName', spec.ingressClassName, m))
  return out
}

/** a rule's or a tls entry's host: a DNS subdomain or a `*.` wildcard of one, never an IP */
export function validateHost(host: unknown, at: string): FieldCause[] {
  if (typeof host !== 'string') return [invalid(at, host, 'must be a string')]
  if (isIP(host)) return [invalid(at, host, 'must be a DNS name, not an IP address')]
  if (!host.includes('*')) return dns1123Subdomain(host).map((m) => invalid(at, host, m))
  const rest = host.startsWith('*.') ? host.slice(2) : ''
  return rest && !dns1123Subdomain(rest).length && !rest.includes('*')
    ? []
    : [invalid(at, host, WILDCARD)]
}

function validateRule(rule: IngressRule, at: string): FieldCause[] {
  if (!rule || typeof rule !== 'object') return [invalid(at, rule, 'must be an object')]
  const out: FieldCause[] = []
  if (rule.host) out.push(...validateHost(rule.host, `${at}.host`))
  if (!rule.http) return out
  const paths = list(rule.http.paths)
  if (!paths.length) out.push(required(`${at}.http.paths`))
  paths.forEach((p, i) => {
    const path = `${at}.http.paths[${i}]`
    if (!p || typeof p !== 'object') return void out.push(invalid(path, p, 'must be an object'))
    out.push(...validatePath(p.path, p.pathType, path))
    out.push(...validateBackend(p.backend, `${path}.backend`))
  })
  return out
}

function validatePath(path: unknown, type: unknown, at: string): FieldCause[] {
  if (type === undefined || type === null)
    return [required(`${at}.pathType`, 'pathType must be specified')]
  if (typeof type !== 'string' || !PATH_TYPES.includes(type))
    return [notSupported(`${at}.pathType`, type, PATH_TYPES)]
  const p = path ?? ''
  if (typeof p !== 'string') return [invalid(`${at}.path`, p, 'must be a string')]
  if (type === 'ImplementationSpecific')
    return p && !p.startsWith('/') ? [invalid(`${at}.path`, p, 'must be an absolute path')] : []
  if (!p.startsWith('/')) return [invalid(`${at}.path`, p, 'must be an absolute path')]
  const out: FieldCause[] = []
  for (const s of BAD_SEQUENCES)
    if (p.includes(s)) out.push(invalid(`${at}.path`, p, `must not contain '${s}'`))
  for (const s of BAD_SUFFIXES)
    if (p.endsWith(s)) out.push(invalid(`${at}.path`, p, `cannot end with '${s}'`))
  return out
}

function validateBackend(b: IngressBackend | undefined, at: string): FieldCause[] {
  if (!b || typeof b !== 'object') return [invalid(at, '', 'one backend type must be specified')]
  if (b.service && b.resource)
    return [invalid(at, '', 'cannot set both resource and service backends')]
  if (b.resource) {
    const out: FieldCause[] = []
    if (!b.resource.kind) out.push(required(`${at}.resource.kind`))
    if (!b.resource.name) out.push(required(`${at}.resource.name`))
    return out
  }
  const svc = b.service
  if (!svc || typeof svc !== 'object')
    return [invalid(at, '', 'one backend type must be specified')]
  const out: FieldCause[] = []
  if (!svc.name) out.push(required(`${at}.service.name`))
  else for (const m of dns1035Label(svc.name)) out.push(invalid(`${at}.service.name`, svc.name, m))
  const port = svc.port ?? {}
  const named = port.name !== undefined && port.name !== ''
  const numbered = port.number !== undefined && port.number !== 0
  if (named && numbered)
    out.push(invalid(`${at}.service.port`, '', 'cannot set both port name & port number'))
  else if (named)
    for (const m of ianaServiceName(port.name!))
      out.push(invalid(`${at}.service.port.name`, port.name, m))
  else if (numbered) out.push(...checkRange(`${at}.service.port.number`, port.number, 1, 65535))
  else out.push(required(`${at}.service.port`, 'port name or number is required'))
  return out
}

function validateTls(tls: IngressTLS, at: string): FieldCause[] {
  if (!tls || typeof tls !== 'object') return [invalid(at, tls, 'must be an object')]
  const out: FieldCause[] = []
  list(tls.hosts).forEach((h, i) => out.push(...validateHost(h, `${at}.hosts[${i}]`)))
  if (tls.secretName)
    for (const m of dns1123Subdomain(tls.secretName))
      out.push(invalid(`${at}.secretName`, tls.secretName, m))
  return out
}
