// The registry's records, as its routes return them (JSON) and its methods resolve them.

/** What a tag push may say about the image besides its digest (an image's .json fits). */
export interface ImageMeta {
  kind?: string // 'http' | 'command' | … as firmware-images/build.mjs writes it
  world?: string
  version?: string
  description?: string
  /** where it came from, e.g. oci://host/repo:tag */
  source?: string
}

export interface BlobRecord extends ImageMeta {
  digest: string
  size: number
  pushedAt: string // ISO 8601
}

export interface TagMove {
  digest: string
  at: string
}

export interface TagRecord {
  name: string
  tag: string
  digest: string
  updatedAt: string
  /** earlier digests of this tag, newest first (at most 50) */
  history: TagMove[]
}

export interface PushResult {
  digest: string
  size: number
  created: boolean
  /** the prepared image's digest, when the registry prepares at push */
  prepared?: string
}

export interface TagResult extends TagRecord {
  created: boolean
  /** the digest the tag pointed at before, when it moved */
  previous?: string
}

/** One stored image (a blob) with every name:tag that points at it. */
export interface ImageSummary extends BlobRecord {
  tags: string[]
}

export interface Manifest extends ImageSummary {
  mediaType: 'application/wasm'
  name?: string
  tag?: string
}

export interface DeletedBlob {
  digest: string
  /** tags removed with it (only with force) */
  untagged: string[]
}

/** A stored component's prepared image (GET /prepared/<component digest>): pull it by `digest`. */
export interface PreparedRecord {
  /** the component it was made from */
  component: string
  /** the prepared file's own sha256: GET /prepared/blobs/<digest> */
  digest: string
  size: number
  /** e.g. jco-transpile-0.15.0 */
  transpiler: string
  /** the component's top-level export names (its workload kind reads from them) */
  exports: string[]
}
