// shoal image build <dir> [-t name:tag] [-o out.wasm]: a folder as in firmware-images (image.json
// and its source) built into a component by firmware-images' own toolchain, loaded as a module
// (JavaScript with componentize-js, WAT with wabt.js and jco: npm packages only). Writes the
// .wasm and beside it its metadata (.json, the shape firmware-images/.build/<app>.json has, plus
// the tag), which `shoal image push FILE` reads; prints the digest on stdout.
import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Ctx } from '../context.ts'
import { usageError } from '../errors.ts'
import { formatBytes } from '../progress.ts'
import { parseRef } from './image-ref.ts'

export interface BuiltImage {
  manifest: {
    name: string
    version: string
    language: string
    kind: string
    world: string
    description?: string
  }
  bytes: Uint8Array
  digest: string
  builtWith: Record<string, unknown>
}

interface Toolchain {
  buildFolder(dir: string, o: { log(text: string): void }): Promise<BuiltImage>
  BuildError: new (...args: never[]) => Error
}

/** where the toolchain is, from src/cli/verbs (under tsx) or from dist/ (the bundle) */
const TOOLCHAIN_AT = [
  '../../../firmware-images/toolchain/build-folder.mjs',
  '../firmware-images/toolchain/build-folder.mjs',
]

const noToolchain =
  'image build needs the firmware-images toolchain and its npm packages (componentize-js, jco, ' +
  'wabt): run shoal from a Shoal checkout after npm install'

async function loadToolchain(): Promise<Toolchain> {
  const url = TOOLCHAIN_AT.map((p) => new URL(p, import.meta.url)).find((u) =>
    existsSync(fileURLToPath(u)),
  )
  if (!url) throw usageError(noToolchain)
  try {
    return (await import(url.href)) as Toolchain
  } catch (err) {
    throw usageError(`${noToolchain} (${(err as Error).message})`)
  }
}

/** builds the folder in memory; a bad folder, manifest or source fails naming what is wrong */
export async function buildImage(ctx: Ctx, dir: string): Promise<BuiltImage> {
  const toolchain = await loadToolchain()
  try {
    return await toolchain.buildFolder(dir, { log: ctx.io.err })
  } catch (err) {
    if (err instanceof toolchain.BuildError) throw usageError(`image build: ${err.message}`)
    throw err
  }
}

/** the metadata written beside a built .wasm (and read back by push) */
export function metadataOf(built: BuiltImage, tag: string) {
  const { name, version, kind, world, language, description } = built.manifest
  return {
    name,
    version,
    tag,
    digest: built.digest,
    size: built.bytes.length,
    kind,
    world,
    language,
    ...(description ? { description } : {}),
    builtWith: built.builtWith,
  }
}

export const metadataPath = (wasm: string) => wasm.replace(/\.wasm$/, '') + '.json'

export async function imageBuild(
  ctx: Ctx,
  dir: string,
  o: { tag?: string; output?: string },
): Promise<number> {
  if (o.tag !== undefined) parseRef(o.tag, { tagOnly: true })
  const started = performance.now()
  const built = await buildImage(ctx, dir)
  const tag = o.tag ?? `${built.manifest.name}:${built.manifest.version}`
  const out = resolve(o.output ?? `${built.manifest.name}.wasm`)
  writeFileSync(out, built.bytes)
  writeFileSync(metadataPath(out), JSON.stringify(metadataOf(built, tag), null, 2) + '\n')
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  ctx.io.err(`built ${tag} → ${out} (${formatBytes(built.bytes.length)}, ${seconds} s)\n`)
  ctx.io.out(built.digest + '\n')
  return 0
}
