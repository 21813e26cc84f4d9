// plane/registry — the plane's component image registry (Shoal's "docker push / pull").
// Contract:
// - Images are WebAssembly component binaries addressed by sha256. A push is streamed to a temp
//   file while hashed, refused unless the sha256 equals the digest it was pushed as and the bytes
//   are a well-formed component (preamble + top-level section headers; core modules refused), then
//   fsynced and renamed to <dir>/blobs/sha256/<hex>. A digest's bytes never change.
// - A tag (name:tag) points at one digest and may move; earlier digests stay in its history.
//   tags.json and images.json under dir are replaced atomically. Pushing the same thing twice is
//   idempotent. A blob a tag still points at is deleted only with force (which drops those tags).
// - Prepared images (so a node never transpiles): each component is made, once, into the file
//   the runtime runs (wasm-runtime's prepareComponent: jco glue + core modules + exports, one
//   CBOR file), stored as a blob of its own under its own sha256 and linked to the component's
//   digest (prepared-store.ts). With prepareAtPush (the plane) a push answers once that is done
//   and a component the transpiler refuses is refused; otherwise the first ask makes it. A link
//   made by another transpiler version is made again. Deleting a blob deletes its prepared image.
// - registry.app (Hono, paths relative to its mount point, /images in the plane) serves
//   GET / · PUT|GET|HEAD|DELETE /blobs/sha256:<hex> (Range, ETag) · PUT|GET|DELETE /tags/<name>/<tag>
//   · GET /manifests/<name>/<tag|digest> · GET /prepared/<component digest> (the PreparedRecord:
//   its digest, size, transpiler, exports) · GET|HEAD /prepared/blobs/<prepared digest> (Range,
//   ETag; so pullBlob with baseUrl …/images/prepared pulls it resumably and verified). It throws ShoalError; the mounting app maps codes to HTTP.
// - pullBlob() is the client side (node agent; it lives in core, re-exported here): resumable,
//   verified before it is renamed into place.
// - registry.importOci() copies a wasm OCI artifact from a distribution registry.
export { createRegistry, Registry, type RegistryOptions } from './create-registry.ts'
export { DEFAULT_MAX_IMAGE_BYTES } from './registry.ts'
export { pullBlob, type PullOptions, type PullProgress, type PullResult } from '../../core/index.ts'
export {
  WASM_CONFIG_TYPE,
  WASM_LAYER_TYPES,
  type OciImportOptions,
  type OciImportResult,
} from './oci-import.ts'
export { checkComponent } from './component-check.ts'
export type * from './types.ts'
