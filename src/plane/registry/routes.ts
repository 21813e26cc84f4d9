// The registry's HTTP surface, a Hono app with paths relative to where the plane mounts it
// (/images). Handlers only translate HTTP ⇄ RegistryCore calls; errors are thrown as ShoalError
// for the mounting app's one error mapper (no onError here, so the plane's applies).
import { Hono, type Context } from 'hono'
import { readLimited, ShoalError, type Logger } from '../../core/index.ts'
import { digestHex } from './digest.ts'
import { contentRange, parseRange } from './range.ts'
import type { RegistryCore } from './registry.ts'

const MAX_TAG_BODY = 64 * 1024
export const PREPARED_MEDIA_TYPE = 'application/vnd.shoal.prepared.v1+cbor'

/** "hello/wat/1.0" → ["hello/wat", "1.0"]; a bare last segment → [undefined, it]. */
function splitLast(path: string): [string | undefined, string] {
  const i = path.lastIndexOf('/')
  return i < 0 ? [undefined, path] : [path.slice(0, i), path.slice(i + 1)]
}

function nameAndTag(c: Context): [string, string] {
  const [name, tag] = splitLast(c.req.param('path') ?? '')
  if (!name || !tag)
    throw new ShoalError('BadRequest', `registry: want /tags/<name>/<tag>, got ${c.req.path}`)
  return [name, tag]
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const tooLarge = `registry: a tag body is at most ${MAX_TAG_BODY} bytes`
  if (Number(c.req.header('content-length') ?? 0) > MAX_TAG_BODY)
    throw new ShoalError('TooLarge', tooLarge)
  const bytes = await readLimited(c.req.raw.body, { limit: MAX_TAG_BODY, tooLarge }) // chunked too
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes))
    if (v && typeof v === 'object' && !Array.isArray(v)) return v
  } catch (cause) {
    throw new ShoalError(
      'BadRequest',
      `registry: the tag body is not JSON (want {"digest":"sha256:…"})`,
      { cause },
    )
  }
  throw new ShoalError(
    'BadRequest',
    'registry: the tag body must be a JSON object like {"digest":"sha256:…"}',
  )
}

async function putBlob(r: RegistryCore, c: Context): Promise<Response> {
  const digest = c.req.param('digest') ?? ''
  digestHex(digest)
  const declared = Number(c.req.header('content-length') ?? NaN)
  if (declared > r.maxImageBytes)
    throw new ShoalError(
      'TooLarge',
      `registry: the upload is ${declared} bytes, over the ${r.maxImageBytes}-byte limit`,
    )
  const body = c.req.raw.body
  if (!body)
    throw new ShoalError('BadRequest', 'registry: the upload has no body (send the .wasm bytes)')
  const res = await r.pushBlob(body as unknown as AsyncIterable<Uint8Array>, { digest })
  c.header('Location', c.req.path) // absolute path, as mounted
  c.header('Docker-Content-Digest', res.digest)
  return c.json(res, res.created ? 201 : 200)
}

interface Bytes {
  size: number
  contentType: string
  open(span: { start: number; end: number }): Promise<ReadableStream<Uint8Array>>
}

/** GET/HEAD of immutable bytes named by their digest: ETag, Range, If-Range, If-None-Match. */
function serveBytes(c: Context, digest: string, b: Bytes): Promise<Response> | Response {
  const etag = `"${digest}"`
  const headers: Record<string, string> = {
    'Content-Type': b.contentType,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Docker-Content-Digest': digest,
    'Cache-Control': 'public, max-age=31536000, immutable',
  }
  if (c.req.header('if-none-match') === etag) return new Response(null, { status: 304, headers })
  const ifRange = c.req.header('if-range')
  const range = parseRange(
    ifRange === undefined || ifRange === etag ? c.req.header('range') : undefined,
    b.size,
  )
  if (range.kind === 'unsatisfiable') {
    return new Response(null, {
      status: 416,
      headers: { ...headers, 'Content-Range': contentRange(range, b.size) },
    })
  }
  const span = range.kind === 'partial' ? range : { start: 0, end: b.size - 1 }
  headers['Content-Length'] = String(span.end - span.start + 1)
  if (range.kind === 'partial') headers['Content-Range'] = contentRange(range, b.size)
  const status = range.kind === 'partial' ? 206 : 200
  if (c.req.method === 'HEAD') return new Response(null, { status, headers })
  return b.open(span).then((stream) => new Response(stream, { status, headers }))
}

async function getBlob(r: RegistryCore, c: Context): Promise<Response> {
  const digest = c.req.param('digest') ?? ''
  const blob = await r.statBlob(digest)
  return serveBytes(c, digest, {
    size: blob.size,
    contentType: 'application/wasm',
    open: async (span) => (await r.openBlob(digest, span)).stream,
  })
}

async function getPrepared(r: RegistryCore, c: Context): Promise<Response> {
  const digest = c.req.param('digest') ?? ''
  return serveBytes(c, digest, {
    size: await r.preparedSize(digest),
    contentType: PREPARED_MEDIA_TYPE,
    open: async (span) => (await r.openPrepared(digest, span)).stream,
  })
}

export function registryRoutes(r: RegistryCore, log: Logger): Hono {
  const app = new Hono()
  app.use('*', async (c, next) => {
    await next()
    if (c.error)
      log.warn('request refused', { method: c.req.method, path: c.req.path, err: c.error.message })
  })
  app.get('/', async (c) => c.json({ images: await r.list() }))
  app.put('/blobs/:digest', (c) => putBlob(r, c))
  app.get('/blobs/:digest', (c) => getBlob(r, c)) // HEAD too: Hono runs GET handlers for HEAD
  app.delete('/blobs/:digest', async (c) =>
    c.json(await r.deleteBlob(c.req.param('digest'), { force: c.req.query('force') === 'true' })),
  )
  // a component's prepared image: its record by the component's digest, its bytes by its own
  app.get('/prepared/blobs/:digest', (c) => getPrepared(r, c))
  app.get('/prepared/:digest', async (c) => {
    const digest = c.req.param('digest')
    digestHex(digest)
    return c.json(await r.prepared(digest))
  })
  app.put('/tags/:path{.+}', async (c) => {
    const [name, tag] = nameAndTag(c)
    const res = await r.putTag(name, tag, (await jsonBody(c)) as { digest: string })
    return c.json(res, res.created ? 201 : 200)
  })
  app.get('/tags/:path{.+}', async (c) => c.json(await r.getTag(...nameAndTag(c))))
  app.delete('/tags/:path{.+}', async (c) => c.json(await r.deleteTag(...nameAndTag(c))))
  app.get('/manifests/:path{.+}', async (c) => {
    const [name, ref] = splitLast(c.req.param('path') ?? '')
    return c.json(await r.manifest(ref, name))
  })
  return app
}
