// Minimal OCI distribution client for pulls: GET with the anonymous Bearer token dance
// (401 + WWW-Authenticate: Bearer realm=…,service=…,scope=… → GET realm → {token}), which is what
// public registries (ghcr.io, Docker Hub) and docker-registry with token auth expect.
import { NotFoundError, ShoalError, UnavailableError } from '../../core/index.ts'

export interface OciSession {
  base: string // http(s)://host[:port]
  repository: string
  fetch: typeof fetch
  headers: Record<string, string>
  token?: string
}

/** WWW-Authenticate: Bearer realm="…",service="…",scope="…" → its parameters. */
export function parseBearerChallenge(header: string): Record<string, string> | undefined {
  const m = /^\s*Bearer\s+(.*)$/i.exec(header)
  if (!m) return undefined
  const params: Record<string, string> = {}
  for (const p of m[1].matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2]
  return params.realm ? params : undefined
}

async function fetchToken(s: OciSession, challenge: Record<string, string>): Promise<string> {
  const url = new URL(challenge.realm)
  if (challenge.service) url.searchParams.set('service', challenge.service)
  url.searchParams.set('scope', challenge.scope ?? `repository:${s.repository}:pull`)
  const res = await s.fetch(url, { headers: s.headers })
  if (!res.ok)
    throw new ShoalError(
      'Forbidden',
      `registry: the OCI registry's token service ${url.origin} refused an anonymous token (HTTP ${res.status})`,
    )
  const body = (await res.json()) as { token?: string; access_token?: string }
  const token = body.token ?? body.access_token
  if (!token)
    throw new ShoalError(
      'Forbidden',
      `registry: the OCI registry's token service ${url.origin} returned no token`,
    )
  return token
}

async function send(s: OciSession, url: string, accept: string): Promise<Response> {
  const headers: Record<string, string> = {
    ...s.headers,
    Accept: accept,
    ...(s.token ? { Authorization: `Bearer ${s.token}` } : {}),
  }
  try {
    return await s.fetch(url, { headers })
  } catch (cause) {
    throw new UnavailableError(
      `registry: cannot reach the OCI registry at ${s.base}: ${(cause as Error).message}`,
      { cause },
    )
  }
}

/** GET <base>/v2/<repo>/<path>, getting a token once if the registry asks for one. */
export async function ociGet(s: OciSession, path: string, accept: string): Promise<Response> {
  const url = `${s.base}/v2/${s.repository}/${path}`
  let res = await send(s, url, accept)
  const challenge =
    res.status === 401 && !s.token
      ? parseBearerChallenge(res.headers.get('www-authenticate') ?? '')
      : undefined
  if (challenge) {
    await res.body?.cancel()
    s.token = await fetchToken(s, challenge)
    res = await send(s, url, accept)
  }
  if (res.ok) return res
  const text = (await res.text().catch(() => '')).slice(0, 300)
  const what = `registry: GET ${url} answered HTTP ${res.status}${text ? `: ${text}` : ''}`
  if (res.status === 404) throw new NotFoundError(what)
  // upstream auth failures are not the caller's: Forbidden, so no client re-prompts for its own credentials
  if (res.status === 401 || res.status === 403) throw new ShoalError('Forbidden', what)
  throw new UnavailableError(what)
}
