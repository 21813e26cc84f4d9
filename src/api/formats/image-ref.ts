// A container image names a WebAssembly component, in one of three forms:
//   sha256:<64 hex>               content address in the plane's registry
//   name[:tag][@sha256:<hex>]      a name in the plane's registry ("hello-http:1.0", "busybox")
//   oci://host[:port]/repo[:tag]   an OCI registry (may also pin @sha256:<hex>)

export type ImageRef =
  | { scheme: 'digest'; digest: string }
  | { scheme: 'name'; name: string; tag?: string; digest?: string }
  | { scheme: 'oci'; host: string; repository: string; tag?: string; digest?: string }

const digestRe = /^sha256:[a-f0-9]{64}$/
const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const nameRe = new RegExp(
  `^(${component}(?:/${component})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
)
const hostRe = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?$/

/** Parses an image reference; undefined when it is none of the three forms. */
export function parseImageRef(image: string): ImageRef | undefined {
  if (image.startsWith('sha256:'))
    return digestRe.test(image) ? { scheme: 'digest', digest: image } : undefined
  if (image.startsWith('oci://')) return parseOci(image.slice('oci://'.length))
  const m = nameRe.exec(image)
  if (!m) return undefined
  return withOptional({ scheme: 'name' as const, name: m[1] }, m[2], m[3])
}

function parseOci(rest: string): ImageRef | undefined {
  const slash = rest.indexOf('/')
  if (slash < 0) return undefined
  const host = rest.slice(0, slash)
  const m = nameRe.exec(rest.slice(slash + 1))
  if (!hostRe.test(host) || !m) return undefined
  return withOptional({ scheme: 'oci' as const, host, repository: m[1] }, m[2], m[3])
}

function withOptional<T extends object>(ref: T, tag?: string, digest?: string): T {
  return { ...ref, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }
}

export const imageRefHelp =
  "must be a component digest ('sha256:<64 hex digits>'), a name with an optional tag ('hello-http:1.0') " +
  "or an OCI reference ('oci://registry.example:5000/team/app:1.0')"
