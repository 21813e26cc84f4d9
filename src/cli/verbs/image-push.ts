// shoal image push <file.wasm|dir> [name:tag]: a built component (or a folder, built first) sent
// to the plane's registry of the current context — skipped when the registry has its digest
// already (HEAD), so a push again only sets the tag — then tagged with its metadata (kind,
// world, version, description). A progress bar on stderr when it is a terminal or with
// --progress; the digest on stdout.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import type { Wire } from '../client.ts'
import type { Ctx } from '../context.ts'
import { isNotFound, usageError } from '../errors.ts'
import { formatBytes, progressBar } from '../progress.ts'
import { buildImage, metadataOf, metadataPath } from './image-build.ts'
import { parseRef, shortDigest } from './image-ref.ts'

const CHUNK = 64 * 1024

interface Source {
  bytes: Uint8Array
  digest: string
  /** what the tag records about the image, and the tag it was built as */
  meta: { kind?: string; world?: string; version?: string; description?: string; tag?: string }
}

function readMetadata(file: string): Source['meta'] {
  const path = metadataPath(file)
  if (!existsSync(path)) return {}
  try {
    const m = JSON.parse(readFileSync(path, 'utf8'))
    const pick = (k: string) => (typeof m[k] === 'string' ? { [k]: m[k] as string } : {})
    return Object.assign({}, ...['kind', 'world', 'version', 'description', 'tag'].map(pick))
  } catch (err) {
    throw usageError(`${path}: not JSON (${(err as Error).message})`)
  }
}

async function sourceOf(ctx: Ctx, path: string): Promise<Source> {
  if (!existsSync(path)) throw usageError(`${path}: no such file or folder`)
  if (statSync(path).isDirectory()) {
    const built = await buildImage(ctx, path)
    const m = metadataOf(built, `${built.manifest.name}:${built.manifest.version}`)
    const { kind, world, version, description, tag } = m
    return {
      bytes: built.bytes,
      digest: built.digest,
      meta: { kind, world, version, description, tag },
    }
  }
  const bytes = readFileSync(path)
  const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex')
  return { bytes, digest, meta: readMetadata(path) }
}

async function* chunks(bytes: Uint8Array, sent: (n: number) => void) {
  for (let at = 0; at < bytes.length; at += CHUNK) {
    yield bytes.subarray(at, at + CHUNK)
    sent(Math.min(bytes.length, at + CHUNK))
  }
}

/** uploads the blob unless the registry has it; answers whether it was sent */
async function upload(ctx: Ctx, label: string, src: Source, o: { progress?: boolean }) {
  const client = ctx.client()
  const path = `/images/blobs/${src.digest}`
  try {
    await client.request(path, { method: 'HEAD' })
    return false
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
  const tty = ctx.io.errTty === true
  const bar =
    tty || o.progress ? progressBar(ctx.io, { label, total: src.bytes.length, tty }) : undefined
  let res: Wire
  try {
    res = await client.request(path, {
      method: 'PUT',
      body: chunks(src.bytes, (n) => bar?.update(n)),
      contentType: 'application/wasm',
      headers: { 'content-length': String(src.bytes.length) },
    })
  } finally {
    bar?.finish() // a refused upload's error starts on a line of its own
  }
  const prepared = res?.prepared ? `, prepared for nodes as ${shortDigest(res.prepared)}` : ''
  ctx.io.err(`${label}: uploaded ${formatBytes(src.bytes.length)}${prepared}\n`)
  return true
}

export async function imagePush(
  ctx: Ctx,
  path: string,
  target: string | undefined,
  o: { progress?: boolean },
): Promise<number> {
  if (target !== undefined) parseRef(target, { tagOnly: true }) // before a build, not after
  const src = await sourceOf(ctx, path)
  const named = target ?? src.meta.tag
  if (!named)
    throw usageError(`push ${path} as what? give a name:tag (shoal image push ${path} NAME:TAG)`)
  const ref = parseRef(named, { tagOnly: true }) as { name: string; tag: string }
  const label = `${ref.name}:${ref.tag}`
  if (!(await upload(ctx, label, src, o)))
    ctx.io.err(`${label}: ${shortDigest(src.digest)} is in the registry already, not uploaded\n`)
  const { tag: _built, ...meta } = src.meta
  const res: Wire = await ctx.client().request(`/images/tags/${ref.name}/${ref.tag}`, {
    method: 'PUT',
    body: { digest: src.digest, ...meta },
  })
  const what = res.created
    ? 'tagged'
    : res.previous
      ? `moved from ${shortDigest(res.previous)}`
      : 'points at it already'
  ctx.io.err(`${label}: ${what}\n`)
  ctx.io.out(src.digest + '\n')
  return 0
}
