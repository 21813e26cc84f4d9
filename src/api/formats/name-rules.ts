// Name syntax of Kubernetes (apimachinery/pkg/util/validation): each check returns the list of
// problems as messages, empty when the value is fine.

const label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const subdomain = `${label}(\\.${label})*`
const dns1035 = '[a-z]([-a-z0-9]*[a-z0-9])?'
const qualifiedName = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'

const full = (re: string) => new RegExp(`^${re}$`)
// compiled once: every name, label and annotation key of every write is checked against them
const labelRe = full(label)
const subdomainRe = full(subdomain)
const dns1035Re = full(dns1035)
const qualifiedNameRe = full(qualifiedName)

/** Every rule accepts anything from outside: a non-string is a problem, not a crash. */
const notString = 'must be a string'

const maxLength = (n: number) => `must be no more than ${n} characters`

export function dns1123Label(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  const out: string[] = []
  if (value.length > 63) out.push(maxLength(63))
  if (!labelRe.test(value))
    out.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end " +
        `with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${label}')`,
    )
  return out
}

export function dns1123Subdomain(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  const out: string[] = []
  if (value.length > 253) out.push(maxLength(253))
  if (!subdomainRe.test(value))
    out.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start " +
        `and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${subdomain}')`,
    )
  return out
}

export function dns1035Label(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  const out: string[] = []
  if (value.length > 63) out.push(maxLength(63))
  if (!dns1035Re.test(value))
    out.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
        `and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${dns1035}')`,
    )
  return out
}

/** A path segment name (HPA): anything but ".", ".." and names containing "/" or "%". */
export function pathSegmentName(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  if (value === '.' || value === '..') return [`may not be '${value}'`]
  for (const c of ['/', '%']) if (value.includes(c)) return [`may not contain '${c}'`]
  return []
}

const qualifiedNameMessage =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric " +
  `character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedName}')`

/** A label or annotation key: an optional DNS subdomain prefix, "/", and a name of at most 63 characters. */
export function qualifiedKey(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  const parts = value.split('/')
  if (parts.length > 2)
    return [`a qualified name ${qualifiedNameMessage.replace('name part ', '')}`]
  const name = parts.length === 2 ? parts[1] : parts[0]
  const out: string[] = []
  if (parts.length === 2) {
    if (parts[0].length === 0) out.push('prefix part must be non-empty')
    else out.push(...dns1123Subdomain(parts[0]).map((m) => `prefix part ${m}`))
  }
  if (name.length === 0) out.push('name part must be non-empty')
  else if (name.length > 63) out.push(`name part ${maxLength(63)}`)
  if (name.length > 0 && !qualifiedNameRe.test(name)) out.push(qualifiedNameMessage)
  return out
}

/** A label value: empty, or at most 63 characters of the qualified-name alphabet. */
export function labelValue(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  const out: string[] = []
  if (value.length > 63) out.push(maxLength(63))
  if (value !== '' && !qualifiedNameRe.test(value))
    out.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start " +
        `and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(${qualifiedName})?')`,
    )
  return out
}

/** An IANA service name (named ports): at most 15 lowercase alphanumerics and '-', at least one letter. */
export function ianaServiceName(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  const out: string[] = []
  if (value.length > 15) out.push(maxLength(15))
  if (!/^[-a-z0-9]+$/.test(value))
    out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  if (value.includes('--')) out.push('must not contain consecutive hyphens')
  if (!/[a-z]/.test(value)) out.push('must contain at least one letter (a-z)')
  if (value.startsWith('-') || value.endsWith('-')) out.push('must not begin or end with a hyphen')
  return out
}

/** An environment variable name. */
export function envVarName(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(value)) return []
  return [
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not " +
      "start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
  ]
}

/** A key of Secret or ConfigMap data. */
export function configMapKey(value: string): string[] {
  if (typeof value !== 'string') return [notString]
  const out: string[] = []
  if (value.length > 253) out.push(maxLength(253))
  if (!/^[-._a-zA-Z0-9]+$/.test(value))
    out.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    )
  if (value === '.' || value === '..') out.push(`must not be '${value}'`)
  else if (value.startsWith('..')) out.push("must not start with '..'")
  return out
}

export function isIPv4(value: string): boolean {
  if (typeof value !== 'string') return false
  const parts = value.split('.')
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)
}

export function isIP(value: string): boolean {
  if (typeof value !== 'string') return false
  return (
    isIPv4(value) ||
    (/^[0-9a-fA-F:.]+$/.test(value) && value.includes(':') && value.split('::').length <= 2)
  )
}
