// The image build as an API: one folder (image.json + its source) → a component's bytes, with
// npm packages only for JavaScript (componentize-js) and WAT (wabt.js + jco); C needs clang-14.
// build.mjs builds the samples with it; `shoal image build <dir>` builds a user's folder.
//   const { manifest, bytes, digest, builtWith } = await buildFolder('app/', { log })
// A folder with its own wit/ builds against it; else against firmware-images/wit (the worlds
// http, handler, command … of wit/worlds.wit and the WASI packages). Every failure is a
// BuildError whose message names the file and what is wrong (a WAT syntax error: file:line:col).
import '../preopen-all.mjs' // first: jco and componentize-js read host files through preview2-shim
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readManifest, sourceOf } from './manifest.mjs'
import { BuildError, sha256 } from './tools.mjs'

export { BuildError }
export const firmwareWitDir = fileURLToPath(new URL('../wit', import.meta.url))

const builders = {
  javascript: async () => (await import('./build-js.mjs')).buildJs,
  c: async () => (await import('./build-c.mjs')).buildC,
  wat: async () => (await import('./build-wat.mjs')).buildWat,
}

/** the build function of a language: (image, { root, witDir, workDir }) → { bytes, builtWith } */
export function builderFor(language) {
  const builder = builders[language]
  if (!builder) throw new BuildError(`images: no builder for language "${language}"`)
  return builder()
}

/** a toolchain message without the sample build's prefix */
const plain = (message) => message.replace(/^images: /, '')

/** Builds the image in `dir`; `log` gets one line when it starts. */
export async function buildFolder(dir, { log = () => {} } = {}) {
  const folder = resolve(dir)
  const manifest = readManifest(folder)
  const source = sourceOf(folder, manifest)
  const ownWit = join(folder, 'wit')
  const witDir = existsSync(ownWit) ? ownWit : firmwareWitDir
  const workDir = mkdtempSync(join(tmpdir(), 'shoal-image-build-'))
  log(`building ${manifest.name}:${manifest.version} (${manifest.language}, ${manifest.kind})\n`)
  try {
    const builder = await builderFor(manifest.language)
    const image = { dir: folder, manifest: { ...manifest, source } }
    const root = fileURLToPath(new URL('../..', import.meta.url))
    const { bytes, builtWith } = await builder(image, { root, witDir, workDir })
    return { manifest, bytes, digest: sha256(bytes), builtWith }
  } catch (error) {
    if (error instanceof BuildError) throw new BuildError(plain(error.message), { cause: error })
    throw new BuildError(`${join(folder, source)}: ${error.message ?? error}`, { cause: error })
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}
