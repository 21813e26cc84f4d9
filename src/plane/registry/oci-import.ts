// Pull a component from an OCI distribution registry in the wasm OCI artifact layout (CNCF
// TAG-Runtime; what `wkg oci push` writes): an image manifest whose config.mediaType is
// application/vnd.wasm.config.v0+json and whose one layer, application/wasm (older tools:
// application/vnd.wasm.content.layer.v1+wasm), is the component. An image index is followed to
// its wasm entry. The layer is stored like a push (digest and component checked) and tagged
// <repository>:<tag>.
import { createHash } from 'node:crypto'
import { parseImageRef } from '../../api/index.ts'
import { InvalidError, ShoalError, type Logger } from '../../core/index.ts'
import { ociGet, type OciSession } from './oci-client.ts'
import type { ImageMeta, PushResult, TagResult } from './types.ts'

export const WASM_CONFIG_TYPE = 'application/vnd.wasm.config.v0+json'
export const WASM_LAYER_TYPES = ['application/wasm', 'application/vnd.wasm.content.layer.v1+wasm']
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const INDEX = 'application/vnd.oci.image.index.v1+json'
const ACCEPT = [
  MANIFEST,
  INDEX,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ')
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

export interface OciImportOptions {
  /** plain http instead of https (a local registry) */
  insecure?: boolean
  fetch?: typeof fetch
  headers?: Record<string, string>
}

export interface OciImportResult extends PushResult {
  ref: string
  name: string
  tag?: string
  manifestDigest: string
  layerMediaType: string
}

/** What an import needs of the registry. */
export interface ImportTarget {
  maxImageBytes: number
  pushBlob(
    body: AsyncIterable<Uint8Array>,
    opts: { digest: string; meta: ImageMeta },
  ): Promise<PushResult>
  putTag(name: string, tag: string, input: { digest: string } & ImageMeta): Promise<TagResult>
}

interface Descriptor {
  mediaType?: string
  digest?: string
  size?: number
  platform?: { os?: string; architecture?: string }
}

interface OciManifest {
  mediaType?: string
  config?: Descriptor
  layers?: Descriptor[]
  manifests?: Descriptor[]
}

export async function importOci(
  target: ImportTarget,
  ref: string,
  opts: OciImportOptions & { log: Logger },
): Promise<OciImportResult> {
  const parsed = parseImageRef(ref)
  if (parsed?.scheme !== 'oci')
    throw new InvalidError(
      `registry: "${ref}" is not an OCI reference (want oci://host[:port]/repo:tag or …@sha256:<hex>)`,
      [{ field: 'ref', message: 'not an oci:// reference' }],
    )
  const s: OciSession = {
    base: `${opts.insecure ? 'http' : 'https'}://${parsed.host}`,
    repository: parsed.repository,
    fetch: opts.fetch ?? fetch,
    headers: opts.headers ?? {},
  }
  const { manifest, digest: manifestDigest } = await resolveManifest(
    s,
    parsed.digest ?? parsed.tag ?? 'latest',
    parsed.digest,
  )
  const layer = wasmLayer(manifest, ref)
  if (manifest.config?.mediaType !== WASM_CONFIG_TYPE)
    opts.log.warn(
      'OCI artifact has an unexpected config media type; importing its wasm layer anyway',
      { ref, config: manifest.config?.mediaType },
    )
  if ((layer.size ?? 0) > target.maxImageBytes)
    throw new ShoalError(
      'TooLarge',
      `registry: ${ref} is ${layer.size} bytes, over the ${target.maxImageBytes}-byte limit`,
    )
  const res = await ociGet(s, `blobs/${layer.digest}`, '*/*')
  const pushed = await target.pushBlob(res.body as unknown as AsyncIterable<Uint8Array>, {
    digest: layer.digest!,
    meta: { source: ref },
  })
  const tag = parsed.tag
  if (tag) await target.putTag(parsed.repository, tag, { digest: pushed.digest, source: ref })
  opts.log.info('imported OCI image', { ref, digest: pushed.digest, size: pushed.size })
  return {
    ...pushed,
    ref,
    name: parsed.repository,
    ...(tag ? { tag } : {}),
    manifestDigest,
    layerMediaType: layer.mediaType!,
  }
}

/** Fetches the manifest at reference; an index is followed once to its wasm (or only) entry. */
async function resolveManifest(
  s: OciSession,
  reference: string,
  pinned?: string,
  depth = 0,
): Promise<{ manifest: OciManifest; digest: string }> {
  const res = await ociGet(s, `manifests/${reference}`, ACCEPT)
  const bytes = new Uint8Array(await res.arrayBuffer())
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw new ShoalError(
      'TooLarge',
      `registry: the manifest of ${s.repository}:${reference} is over ${MAX_MANIFEST_BYTES} bytes`,
    )
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  if (pinned && digest !== pinned)
    throw new ShoalError(
      'BadRequest',
      `registry: digest mismatch: asked for manifest ${pinned} but ${s.base} served bytes that hash to ${digest}`,
    )
  let manifest: OciManifest
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes))
  } catch (cause) {
    throw new InvalidError(
      `registry: the manifest of ${s.repository}:${reference} is not JSON`,
      [],
      { cause },
    )
  }
  const isIndex = manifest.mediaType === INDEX || Array.isArray(manifest.manifests)
  if (!isIndex) return { manifest, digest }
  const entries = manifest.manifests ?? []
  const entry =
    entries.find(
      (m) => m.platform?.architecture === 'wasm' || /^wasi/.test(m.platform?.os ?? ''),
    ) ?? (entries.length === 1 ? entries[0] : undefined)
  if (!entry?.digest || depth > 0)
    throw new InvalidError(
      `registry: the image index of ${s.repository}:${reference} has no wasm entry (platform architecture "wasm")`,
    )
  return resolveManifest(s, entry.digest, entry.digest, depth + 1)
}

function wasmLayer(manifest: OciManifest, ref: string): Descriptor {
  const layers = manifest.layers ?? []
  const wasm = layers.filter((l) => WASM_LAYER_TYPES.includes(l.mediaType ?? ''))
  const seen = layers.map((l) => l.mediaType).join(', ') || 'none'
  if (wasm.length !== 1 || !wasm[0].digest) {
    throw new InvalidError(
      `registry: ${ref} is not a wasm OCI artifact: want exactly one layer of mediaType ${WASM_LAYER_TYPES.join(' or ')}, found ${wasm.length} (layers: ${seen})`,
      [{ field: 'layers', message: `found ${seen}` }],
    )
  }
  return wasm[0]
}
