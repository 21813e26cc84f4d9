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
import { digestUsers, imageUsers, tagUsers, usersText } from './image-usage.ts'

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

/** a tag → its digest; a digest prefix → the one stored digest it begins (else an error) */
async function digestOf(ctx: Ctx, ref: Ref, text: string): Promise<string> {
  if (ref.kind === 'digest') return ref.digest
  if (ref.kind === 'tag')
    return (await ctx.client().request(`/images/tags/${ref.name}/${ref.tag}`)).digest
  const images = await listImages(ctx)
  const matches = images.filter((i) => i.digest.startsWith(ref.prefix)).map((i) => i.digest)
  if (matches.length === 1) return matches[0]
  if (matches.length > 1) throw usageError(`"${text}" is ambiguous: ${matches.join(', ')}`)
  if (ref.name) return digestOf(ctx, { kind: 'tag', ...ref.name }, text)
  throw usageError(`no image in the registry has a digest beginning ${ref.prefix}`)
}

/** a hex-looking name that is a tag (a repository named "cafe01") is taken as the tag */
const asTag = (ref: Ref): Ref =>
  ref.kind === 'prefix' && ref.name ? { kind: 'tag', ...ref.name } : ref

export async function imageInspect(ctx: Ctx, text: string): Promise<number> {
  const ref = parseRef(text)
  const digest = await digestOf(ctx, ref, text)
  const client = ctx.client()
  const m: Wire = await client.request(`/images/manifests/${digest}`)
  let prepared: Wire
  try {
    prepared = await client.request(`/images/prepared/${digest}`)
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    prepared = { error: err.message }
  }
  const name = ref.kind === 'tag' ? { name: ref.name, tag: ref.tag } : {}
  const { mediaType: _m, ...image } = m
  const out = {
    ...name,
    ...image,
    exports: prepared.exports ?? [],
    prepared: prepared.error
      ? { error: prepared.error }
      : { digest: prepared.digest, size: prepared.size, transpiler: prepared.transpiler },
  }
  ctx.io.out(JSON.stringify(out, null, 2) + '\n')
  return 0
}

export async function imageRm(ctx: Ctx, refs: string[], o: { force?: boolean }) {
  const users = await imageUsers(ctx)
  const tags = new Map<string, string>()
  for (const img of await listImages(ctx)) for (const t of img.tags) tags.set(t, img.digest)
  const inUse = (what: string, who: typeof users) => {
    if (!who.length) return
    const text = `image ${what} is in use by ${usersText(who)}`
    if (!o.force) throw usageError(`${text} (--force removes it all the same)`)
    ctx.io.err(`Warning: ${text}; removed all the same (--force)\n`)
  }
  for (const text of refs) {
    const parsed = parseRef(text)
    const ref =
      parsed.kind === 'prefix' && parsed.name && tags.has(`${parsed.name.name}:${parsed.name.tag}`)
        ? asTag(parsed)
        : parsed
    if (ref.kind === 'tag') {
      inUse(`${ref.name}:${ref.tag}`, tagUsers(users, ref.name, ref.tag))
      await ctx.client().request(`/images/tags/${ref.name}/${ref.tag}`, { method: 'DELETE' })
      tags.delete(`${ref.name}:${ref.tag}`)
      ctx.io.out(`Untagged: ${ref.name}:${ref.tag}\n`)
      continue
    }
    const digest = await digestOf(ctx, ref, text)
    inUse(digest, digestUsers(users, digest, tags))
    const tagged = [...tags].filter(([, d]) => d === digest).map(([t]) => t)
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
  return 0
}
