// The CLI's HTTP client of the plane's Kubernetes-shaped API: the connection a kubeconfig context
// describes (server, CA, bearer token or client certificate), JSON requests that fail with
// kubectl's wording, and watch streams read one JSON event a line.
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { Agent, request } from 'undici'
import { CliError, apiError, usageError } from './errors.ts'
import { fromFile, loadKubeconfig, type Kubeconfig } from './kubeconfig.ts'

/** JSON from the server or a manifest, of any kind: read field by field, as kubectl reads it */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any kind's JSON
export type Wire = any

export interface ConnectOptions {
  kubeconfig?: string
  context?: string
  namespace?: string
  env?: NodeJS.ProcessEnv
}

export interface RequestOptions {
  method?: string
  query?: Record<string, string | number | boolean | undefined>
  /** JSON (an object) or text; bytes or a stream of them are sent as they are */
  body?: unknown
  contentType?: string
  headers?: Record<string, string>
  accept?: string
  /** ends the request (a watch, a follow) */
  signal?: AbortSignal
}

export interface Client {
  server: string
  /** the namespace: -n, else the context's, else default */
  namespace: string
  request<T = Wire>(path: string, o?: RequestOptions): Promise<T>
  /** the raw body, streamed (logs -f) */
  stream(path: string, o?: RequestOptions): Promise<AsyncIterable<Buffer>>
  /** watch events, one a line */
  watch(path: string, o?: RequestOptions): AsyncGenerator<{ type: string; object: Wire }>
  close(): Promise<void>
}

const b64 = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'base64') : undefined)

function pem(cfg: Kubeconfig, fields: Record<string, unknown>, key: string, file: Wire) {
  const path = fromFile(file, fields[key])
  if (path) {
    try {
      return readFileSync(path)
    } catch (err) {
      throw usageError(`unable to read ${key} ${path}: ${(err as Error).message}`)
    }
  }
  return b64(fields[`${key}-data`])
}

/** what a kubeconfig context says about reaching the plane */
export interface Connection {
  server: string
  namespace: string
  /** the Authorization header (sent over https only, as kubectl) */
  authorization?: string
  tls: {
    ca?: Buffer
    cert?: Buffer
    key?: Buffer
    rejectUnauthorized: boolean
    servername?: string
  }
}

/** the context (--context, else current-context) of the kubeconfig, resolved */
export function resolveConnection(o: ConnectOptions = {}): Connection {
  const cfg = loadKubeconfig({ kubeconfig: o.kubeconfig, env: o.env })
  const ctxName = o.context ?? cfg.currentContext
  if (!ctxName)
    throw new CliError(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n' +
        "(no current context: 'shoal config use-context NAME', or --kubeconfig shoal-data/admin.kubeconfig)",
    )
  const ctx = cfg.contexts.get(ctxName)
  if (!ctx) throw usageError(`context was not found for specified context: ${ctxName}`)
  const clusterName = String(ctx.fields.cluster ?? '')
  const cluster = cfg.clusters.get(clusterName)
  if (!cluster) throw usageError(`cluster "${clusterName}" not found in the kubeconfig`)
  const user = cfg.users.get(String(ctx.fields.user ?? ''))
  const server = String(cluster.fields.server ?? '').replace(/\/+$/, '')
  if (!server) throw usageError(`cluster "${clusterName}" has no server`)
  const u = user?.fields ?? {}
  const tokenFile = user && fromFile(user.file, u.tokenFile)
  const token =
    (u.token as string) ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined)
  const basic =
    u.username !== undefined
      ? Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')
      : undefined
  return {
    server,
    namespace: o.namespace ?? ((ctx.fields.namespace as string) || 'default'),
    authorization: token ? `Bearer ${token}` : basic ? `Basic ${basic}` : undefined,
    tls: {
      ca: pem(cfg, cluster.fields, 'certificate-authority', cluster.file),
      cert: user ? pem(cfg, u, 'client-certificate', user.file) : undefined,
      key: user ? pem(cfg, u, 'client-key', user.file) : undefined,
      rejectUnauthorized: cluster.fields['insecure-skip-tls-verify'] !== true,
      servername: (cluster.fields['tls-server-name'] as string) || undefined,
    },
  }
}

/** one request; a non-2xx answer throws kubectl's error */
async function send(c: Connection, dispatcher: Agent, path: string, o: RequestOptions = {}) {
  const url = new URL(c.server + path)
  for (const [k, v] of Object.entries(o.query ?? {}))
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v))
  const headers: Record<string, string> = {
    accept: o.accept ?? 'application/json',
    'user-agent': 'shoal-cli',
  }
  if (c.authorization && url.protocol === 'https:') headers.authorization = c.authorization
  Object.assign(headers, o.headers)
  let body: string | Uint8Array | Readable | undefined
  if (o.body instanceof Uint8Array || isStream(o.body)) {
    body = o.body instanceof Uint8Array ? o.body : Readable.from(o.body)
    headers['content-type'] = o.contentType ?? 'application/octet-stream'
  } else if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
    headers['content-type'] = o.contentType ?? 'application/json'
  }
  const method = o.method ?? 'GET'
  let res
  try {
    res = await request(url, {
      method: method as 'GET',
      headers,
      body,
      dispatcher,
      signal: o.signal,
    })
  } catch (err) {
    throw connectionError(url, err)
  }
  if (res.statusCode >= 400) {
    const text = await res.body.text()
    throw apiError(res.statusCode, text, `${method.toLowerCase()} ${url.pathname}`)
  }
  return res
}

const isStream = (v: unknown): v is AsyncIterable<Uint8Array> =>
  !!v && typeof (v as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function'

/** JSON values, one a line, as a watch stream carries them */
async function* lines(body: AsyncIterable<Buffer>): AsyncGenerator<Wire> {
  let buf = ''
  for await (const chunk of body) {
    buf += chunk.toString()
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim()
      buf = buf.slice(nl + 1)
      if (line) yield JSON.parse(line)
    }
  }
}

export function connect(o: ConnectOptions = {}): Client {
  const c = resolveConnection(o)
  const dispatcher = new Agent({ connect: c.tls })
  return {
    server: c.server,
    namespace: c.namespace,
    async request(path, o) {
      const text = await (await send(c, dispatcher, path, o)).body.text()
      return text ? JSON.parse(text) : undefined
    },
    stream: async (path, o) => (await send(c, dispatcher, path, o)).body,
    async *watch(path, o) {
      yield* lines((await send(c, dispatcher, path, o)).body)
    },
    close: () => dispatcher.close(),
  }
}

function connectionError(url: URL, err: unknown): CliError {
  const e = err as { code?: string; cause?: { code?: string }; message?: string }
  const code = e.code ?? e.cause?.code
  if (code === 'ECONNREFUSED')
    return new CliError(
      `The connection to the server ${url.host} was refused - did you specify the right host or port?`,
    )
  return new CliError(`Unable to connect to the server: ${e.message ?? String(err)}`, {
    cause: err,
  })
}
