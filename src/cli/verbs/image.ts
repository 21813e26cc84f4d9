// shoal image ls | inspect | rm: the plane's registry (/images) as `docker image` shows it. ls: a
// row per name:tag (an untagged image as <none>), newest first; inspect: one image as JSON with
// its prepared artifact; rm: untags name:tag, or deletes a digest's bytes — refused while an
// object in the cluster uses it (pods and workload templates, image-usage.ts) unless --force.
import { ageSince } from '../../api/index.ts'
import type { Wire } from '../client.ts'
import type { Ctx } from '../context.ts'
import { ApiError, usageError } from '../errors.ts'
import { formatColumns } from '../printers.ts'
import { formatBytes } from '../progress.ts'
import { parseRef, shortDigest, type Ref } from './image-ref.ts'
import { digestUsers, imageUsers, tagUsers, usersText, type ImageUser } from './image-usage.ts'

interface Image {
  digest: string
  size: number
  kind?: string
  pushedAt: string
  tags: string[]
}

const listImages = async (ctx: Ctx): Promise<Image[]> =>
  ((await ctx.client().request('/images')) as { images: Image[] }).images

const splitTag = (t: string) => [t.slice(0, t.lastIndexOf(':')), t.slice(t.lastIndexOf(':') + 1)]

export async function imageLs(ctx: Ctx, o: { output?: string; noTrunc?: boolean }) {
  const images = await listImages(ctx)
  if (o.output === 'json') {
    ctx.io.out(JSON.stringify(images, null, 2) + '\n')
    return 0
  }
  if (o.output !== undefined) throw usageError(`unknown output format "${o.output}": json`)
  const now = Date.now()
  const rows = [['NAME', 'TAG', 'DIGEST', 'KIND', 'SIZE', 'AGE']]
  for (const img of images) {
    const digest = o.noTrunc ? img.digest : shortDigest(img.digest)
    const rest = [digest, img.kind ?? '<none>', formatBytes(img.size), ageSince(img.pushedAt, now)]
    const names = img.tags.length ? [...img.tags].sort().map(splitTag) : [['<none>', '<none>']]
    for (const [name, tag] of names) rows.push([name, tag, ...rest])
  }
  ctx.io.out(formatColumns(rows))
  return 0
}

interface Stored {
  images: Image[]
  /** name:tag → digest */
  tags: Map<string, string>
}

async function stored(ctx: Ctx): Promise<Stored> {
  const images = await listImages(ctx)
  const tags = new Map(images.flatMap((i) => i.tags.map((t) => [t, i.digest] as const)))
  return { images, tags }
}

/** the image named: a hex-looking name that is a stored tag (a repository "cafe01") is that tag */
function refIn(text: string, s: Stored): Ref {
  const ref = parseRef(text)
  if (ref.kind !== 'prefix' || !ref.name) return ref
  return s.tags.has(`${ref.name.name}:${ref.name.tag}`) ? { kind: 'tag', ...ref.name } : ref
}

/** a tag → its digest (the server's NotFound if none); a digest prefix → the one it begins */
async function digestOf(ctx: Ctx, ref: Ref, s: Stored): Promise<string> {
  if (ref.kind === 'digest') return ref.digest
  if (ref.kind === 'tag')
    return (await ctx.client().request(`/images/tags/${ref.name}/${ref.tag}`)).digest
  const matches = s.images.filter((i) => i.digest.startsWith(ref.prefix)).map((i) => i.digest)
  if (matches.length === 1) return matches[0]
  if (matches.length > 1) throw usageError(`${ref.prefix} is ambiguous: ${matches.join(', ')}`)
  throw usageError(`no image in the registry has a digest beginning ${ref.prefix}`)
}

/** the prepared artifact's record, or the reason there is none */
async function preparedOf(ctx: Ctx, digest: string): Promise<Wire> {
  try {
    const p: Wire = await ctx.client().request(`/images/prepared/${digest}`)
    return { exports: p.exports, digest: p.digest, size: p.size, transpiler: p.transpiler }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return { error: err.message }
  }
}

export async function imageInspect(ctx: Ctx, text: string): Promise<number> {
  const s = await stored(ctx)
  const ref = refIn(text, s)
  const digest = await digestOf(ctx, ref, s)
  const { mediaType: _m, ...image } = await ctx.client().request(`/images/manifests/${digest}`)
  const { exports = [], ...prepared } = await preparedOf(ctx, digest)
  const name = ref.kind === 'tag' ? { name: ref.name, tag: ref.tag } : {}
  ctx.io.out(JSON.stringify({ ...name, ...image, exports, prepared }, null, 2) + '\n')
  return 0
}

export async function imageRm(ctx: Ctx, refs: string[], o: { force?: boolean }) {
  const users = await imageUsers(ctx)
  const s = await stored(ctx)
  const inUse = (what: string, who: ImageUser[]) => {
    if (!who.length) return
    const text = `image ${what} is in use by ${usersText(who)}`
    if (!o.force) throw usageError(`${text} (--force removes it all the same)`)
    ctx.io.err(`Warning: ${text}; removed all the same (--force)\n`)
  }
  for (const text of refs) {
    const ref = refIn(text, s)
    if (ref.kind === 'tag') {
      inUse(`${ref.name}:${ref.tag}`, tagUsers(users, ref.name, ref.tag))
      await ctx.client().request(`/images/tags/${ref.name}/${ref.tag}`, { method: 'DELETE' })
      s.tags.delete(`${ref.name}:${ref.tag}`)
      ctx.io.out(`Untagged: ${ref.name}:${ref.tag}\n`)
    } else {
      const digest = await digestOf(ctx, ref, s)
      inUse(digest, digestUsers(users, digest, s.tags))
      await deleteDigest(ctx, digest, { tags: s.tags, force: o.force })
    }
  }
  return 0
}

async function deleteDigest(
  ctx: Ctx,
  digest: string,
  o: { tags: Map<string, string>; force?: boolean },
): Promise<void> {
  const tagged = [...o.tags].filter(([, d]) => d === digest).map(([t]) => t)
  if (tagged.length && !o.force)
    throw usageError(
      `image ${digest} is tagged as ${tagged.join(', ')}: untag it first (shoal image rm ${tagged[0]}) or pass --force`,
    )
  const res: Wire = await ctx.client().request(`/images/blobs/${digest}`, {
    method: 'DELETE',
    query: { force: o.force ? 'true' : undefined },
  })
  for (const t of res.untagged ?? []) ctx.io.out(`Untagged: ${t}\n`)
  ctx.io.out(`Deleted: ${digest}\n`)
}
