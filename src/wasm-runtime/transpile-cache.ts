// Transpiled components on disk, in the layout the module cache reads: <dir>/component.mjs (the
// glue) beside its core modules. Two ways in, both written to a temporary dir first and renamed
// into place, so a crash never leaves half:
// - a prepared image (the registry's, see prepared-image.ts) is unpacked into
//   <cacheDir>/<component hex>-prepared-<first 16 hex of its own digest>/ — nothing transpiles;
// - the local path (a bare component, in-process users such as tests and benches): transpiled
//   once per jco version into <cacheDir>/<component hex>-<jco version>/ (transpile.ts, in a thread).
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidError } from '../core/index.ts'
import type { PreparedImage } from './prepared-image.ts'
import { offload } from './thread-spawn.ts'
import { findTranspiler, GLUE_NAME, type TranspileOutput } from './transpile.ts'

export interface Transpiled {
  dir: string
  /** absolute path of the glue module (component.mjs) exporting instantiate(getCoreModule, imports, instantiateCore) */
  glueFile: string
  /** core module file names, as the glue asks for them */
  coreFiles: string[]
}

async function listing(dir: string): Promise<Transpiled | undefined> {
  if (!existsSync(join(dir, `${GLUE_NAME}.mjs`))) return undefined
  const coreFiles = (await readdir(dir)).filter((f) => /\.core\d*\.wasm$/.test(f)).sort()
  return { dir, glueFile: join(dir, `${GLUE_NAME}.mjs`), coreFiles }
}

async function place(dir: string, files: [string, Uint8Array][]): Promise<Transpiled> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(tmp, { recursive: true })
  // the glue is ESM; .mjs keeps it ESM wherever the cache dir is (no package.json "type" there)
  for (const [name, data] of files)
    await writeFile(join(tmp, name === `${GLUE_NAME}.js` ? `${GLUE_NAME}.mjs` : name), data)
  await rm(dir, { recursive: true, force: true })
  await rename(tmp, dir)
  return (await listing(dir))!
}

/** Transpile (or find in the cache) the component whose verified bytes and digest are given. */
export async function transpileCached(
  bytes: Uint8Array,
  digest: string,
  cacheDir: string,
): Promise<Transpiled> {
  const { version } = findTranspiler()
  const dir = join(cacheDir, `${digest.replace('sha256:', '')}-${version}`)
  const cached = await listing(dir)
  if (cached) return cached
  let out: TranspileOutput
  try {
    out = await offload<TranspileOutput>('transpile', 'transpileFiles', [bytes])
  } catch (error) {
    throw new InvalidError(
      `runtime: jco cannot transpile ${digest}: ${(error as Error).message}`,
      [],
      { cause: error },
    )
  }
  return place(dir, out.files)
}

/** Unpack (or find unpacked) a verified prepared image whose own digest is `preparedDigest`. */
export async function unpackPrepared(
  image: PreparedImage,
  preparedDigest: string,
  cacheDir: string,
): Promise<Transpiled> {
  const hex = preparedDigest.replace('sha256:', '').slice(0, 16)
  const dir = join(cacheDir, `${image.component.replace('sha256:', '')}-prepared-${hex}`)
  return (await listing(dir)) ?? place(dir, Object.entries(image.files))
}
