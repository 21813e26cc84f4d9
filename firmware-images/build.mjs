// npm run images: builds every firmware-images/<app>/ (an image.json manifest plus its source) into
// firmware-images/.build/: <app>.wasm (a component), <app>.json (its metadata, digest = sha256 of
// the .wasm) and index.json (all of them). Builds are reproducible: same sources and toolchain,
// same digests. A missing tool or a failed image fails the whole build, naming what is wrong.
import './preopen-all.mjs' // first: jco and componentize-js read host files through preview2-shim
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildC } from './toolchain/build-c.mjs'
import { buildJs } from './toolchain/build-js.mjs'
import { buildWat } from './toolchain/build-wat.mjs'
import { BuildError, sha256 } from './toolchain/tools.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const buildDir = join(here, '.build')
const builders = { javascript: buildJs, c: buildC, wat: buildWat }
const kinds = ['http', 'handler', 'command']

function readManifest(dir, app) {
  const manifest = JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8'))
  const problems = []
  if (manifest.name !== app) problems.push(`name must be "${app}" (the folder name)`)
  if (!/^\d+\.\d+\.\d+$/.test(manifest.version ?? '')) problems.push('version must be x.y.z')
  if (!builders[manifest.language])
    problems.push(`language must be one of ${Object.keys(builders).join(', ')}`)
  if (!kinds.includes(manifest.kind)) problems.push(`kind must be one of ${kinds.join(', ')}`)
  if (!manifest.world) problems.push('world is missing')
  if (problems.length) throw new BuildError(`images: ${app}/image.json: ${problems.join('; ')}`)
  return manifest
}

function findImages() {
  return readdirSync(here, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'image.json')))
    .map((entry) => entry.name)
    .sort()
    .map((app) => ({ dir: join(here, app), manifest: readManifest(join(here, app), app) }))
}

function metadataOf(manifest, bytes, builtWith) {
  const { name, version, kind, world, language, description } = manifest
  const digest = sha256(bytes)
  return {
    name,
    version,
    ref: `${name}:${version}@${digest}`,
    digest,
    size: bytes.length,
    kind,
    world,
    language,
    description,
    builtWith,
  }
}

async function buildImage(image, context) {
  const { name, language, kind } = image.manifest
  process.stdout.write(`images: ${name} (${language}, ${kind}) ... `)
  const started = performance.now()
  const { bytes, builtWith } = await builders[language](image, context)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const metadata = metadataOf(image.manifest, bytes, builtWith)
  writeFileSync(join(buildDir, `${name}.wasm`), bytes)
  writeFileSync(join(buildDir, `${name}.json`), JSON.stringify(metadata, null, 2) + '\n')
  console.log(`${formatSize(metadata.size)}  ${metadata.digest}  ${seconds} s`)
  return metadata
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`
}

async function main() {
  const images = findImages()
  rmSync(buildDir, { recursive: true, force: true })
  const workDir = join(buildDir, 'work')
  mkdirSync(workDir, { recursive: true })
  const context = { root: dirname(here), witDir: join(here, 'wit'), workDir }
  const built = []
  const failed = []
  for (const image of images) {
    try {
      built.push(await buildImage(image, context))
    } catch (error) {
      console.log(`FAILED\n  ${error instanceof BuildError ? error.message : error.stack}`)
      failed.push(image.manifest.name)
    }
  }
  if (failed.length)
    throw new BuildError(
      `images: ${failed.length} of ${images.length} failed: ${failed.join(', ')}`,
    )
  writeFileSync(join(buildDir, 'index.json'), JSON.stringify({ images: built }, null, 2) + '\n')
  console.log(`images: ${built.length} built into ${buildDir}`)
}

try {
  await main()
} catch (error) {
  console.error(error instanceof BuildError ? error.message : error)
  process.exitCode = 1
}
