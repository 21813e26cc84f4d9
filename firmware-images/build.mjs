// Builds the sample images firmware-images/<app>/ (an image.json manifest plus its source) into
// firmware-images/.build/: <app>.wasm (a component), <app>.json (its metadata, digest = sha256 of
// the .wasm) and index.json (all of them). Node and the npm packages are enough for every image in
// firmware-images/<app>/; the C ones in firmware-images/extras/ are optional and built only where
// clang-14 is installed (else skipped, with one line saying so).
//
// Cached: an image is rebuilt only when the hash of its inputs changes — its folder, the toolchain,
// wit/ and wat-lib/, the npm tool versions and the native tools used (`inputs` in its metadata).
// One build at a time (the lock .build/.lock); files are replaced atomically, so a reader never
// sees half an image. Progress goes to stderr.
//
//   node firmware-images/build.mjs [--force]     (npm run images; npm test and npm start run it)
//   SHOAL_NO_NATIVE_TOOLCHAIN=1 ...              pretend no native tool is installed (npm-only path)
import './preopen-all.mjs' // first: jco and componentize-js read host files through preview2-shim
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withLock } from './toolchain/lock.mjs'
import { builderFor } from './toolchain/build-folder.mjs'
import { readManifest } from './toolchain/manifest.mjs'
import {
  BuildError,
  debianVersion,
  haveTool,
  packageVersion,
  sha256,
  toolVersion,
} from './toolchain/tools.mjs'

const here = dirname(fileURLToPath(import.meta.url))
export const buildDir = join(here, '.build')
/** folders every image's build depends on */
const shared = ['build.mjs', 'preopen-all.mjs', 'toolchain', 'wit', 'wat-lib']
const npmTools = [
  '@bytecodealliance/jco',
  '@bytecodealliance/componentize-js',
  '@bytecodealliance/preview2-shim',
  '@bytecodealliance/wizer',
  'wabt',
]

function imagesIn(dir, extra) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'image.json')))
    .map((entry) => ({
      dir: join(dir, entry.name),
      extra,
      manifest: readManifest(join(dir, entry.name), { expectName: entry.name }),
    }))
}

/** every image: the samples, then the optional extras */
export function findImages() {
  const images = [...imagesIn(here, false), ...imagesIn(join(here, 'extras'), true)]
  const names = images.map((image) => image.manifest.name)
  const twice = names.filter((name, i) => names.indexOf(name) !== i)
  if (twice.length) throw new BuildError(`images: two images named ${twice.join(', ')}`)
  return images.sort((a, b) => (a.manifest.name < b.manifest.name ? -1 : 1))
}

function filesUnder(path, out = []) {
  if (!existsSync(path)) return out
  if (!statSync(path).isDirectory()) out.push(path)
  else for (const name of readdirSync(path).sort()) filesUnder(join(path, name), out)
  return out
}

/** the native tools an image's language needs, with their versions (absent ones as null) */
async function nativeTools(language) {
  if (language === 'c') {
    const { clang } = await import('./toolchain/build-c.mjs')
    return {
      [clang]: haveTool(clang) ? toolVersion(clang) : null,
      'wasi-libc': debianVersion('wasi-libc'),
    }
  }
  if (language === 'javascript') {
    const { hostCompiler } = await import('./toolchain/build-js.mjs')
    const compiler = hostCompiler()
    return { 'preload compiler': compiler ? toolVersion(compiler) : 'none' }
  }
  return {}
}

/** the hash of everything the image's bytes depend on */
function inputsHash(image, native) {
  const hash = createHash('sha256')
  const files = [
    ...shared.flatMap((path) => filesUnder(join(here, path))),
    ...filesUnder(image.dir),
  ]
  for (const file of files) {
    hash.update(`${relative(here, file)}\0`)
    hash.update(readFileSync(file))
    hash.update('\0')
  }
  const versions = Object.fromEntries(npmTools.map((name) => [name, packageVersion(name)]))
  hash.update(JSON.stringify({ versions, native }))
  return 'sha256:' + hash.digest('hex')
}

function readMetadata(name) {
  try {
    const metadata = JSON.parse(readFileSync(join(buildDir, `${name}.json`), 'utf8'))
    return existsSync(join(buildDir, `${name}.wasm`)) ? metadata : undefined
  } catch {
    return undefined
  }
}

/** writes the file whole or not at all (a temp file renamed over it) */
function writeAtomic(file, bytes) {
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, bytes)
  renameSync(temp, file)
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`
}

async function buildImage(image, inputs, context, log) {
  const { name, version, kind, world, language, description } = image.manifest
  const started = performance.now()
  const builder = await builderFor(language)
  const { bytes, builtWith } = await builder(image, context)
  const digest = sha256(bytes)
  const metadata = {
    name,
    version,
    ref: `${name}:${version}@${digest}`,
    digest,
    size: bytes.length,
    kind,
    world,
    language,
    description,
    ...(image.extra ? { extra: true } : {}),
    builtWith,
    inputs,
  }
  writeAtomic(join(buildDir, `${name}.wasm`), bytes)
  writeAtomic(join(buildDir, `${name}.json`), JSON.stringify(metadata, null, 2) + '\n')
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  log(`images: ${name} built: ${formatSize(bytes.length)}  ${digest}  ${seconds} s\n`)
  return metadata
}

/**
 * Builds every image whose inputs changed (all of them with force), skips the C extras without
 * clang-14, and rewrites index.json. Throws a BuildError naming the images that failed.
 */
export async function ensureImages({
  force = false,
  log = (text) => process.stderr.write(text),
} = {}) {
  const images = findImages()
  mkdirSync(buildDir, { recursive: true })
  const plan = []
  for (const image of images) {
    const native = await nativeTools(image.manifest.language)
    const missing = Object.entries(native).find(([, version]) => version === null)?.[0]
    plan.push({ image, native, missing, inputs: missing ? undefined : inputsHash(image, native) })
  }
  const stale = () =>
    plan.filter(
      (p) => !p.missing && (force || readMetadata(p.image.manifest.name)?.inputs !== p.inputs),
    )
  if (stale().length === 0) return writeIndex(plan, log)
  return withLock(
    join(buildDir, '.lock'),
    async () => {
      const todo = stale() // again: another process may have built them while this one waited
      if (todo.length)
        log(
          `images: building ${todo.map((p) => p.image.manifest.name).join(', ')} into ${relative(process.cwd(), buildDir) || '.'}\n`,
        )
      const workDir = join(buildDir, 'work')
      mkdirSync(workDir, { recursive: true })
      const context = { root: dirname(here), witDir: join(here, 'wit'), workDir }
      const failed = []
      for (const { image, inputs } of todo) {
        try {
          await buildImage(image, inputs, context, log)
        } catch (error) {
          log(
            `images: ${image.manifest.name} FAILED\n  ${error instanceof BuildError ? error.message : error.stack}\n`,
          )
          failed.push(image.manifest.name)
        }
      }
      const built = writeIndex(plan, log)
      if (failed.length)
        throw new BuildError(
          `images: ${failed.length} of ${todo.length} failed: ${failed.join(', ')}`,
        )
      return built
    },
    () => log('images: waiting for another image build to finish\n'),
  )
}

function writeIndex(plan, log) {
  const built = plan
    .filter((p) => !p.missing)
    .map((p) => readMetadata(p.image.manifest.name))
    .filter((metadata, i) => metadata?.inputs === plan.filter((p) => !p.missing)[i].inputs)
  const text = JSON.stringify({ images: built }, null, 2) + '\n'
  const index = join(buildDir, 'index.json')
  if (!existsSync(index) || readFileSync(index, 'utf8') !== text) writeAtomic(index, text)
  const skipped = plan.filter((p) => p.missing)
  if (skipped.length)
    log(
      `images: skipped the optional extras ${skipped.map((p) => p.image.manifest.name).join(', ')}: ` +
        `${[...new Set(skipped.map((p) => p.missing))].join(', ')} not found\n`,
    )
  return built
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const started = performance.now()
    const built = await ensureImages({ force: process.argv.includes('--force') })
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    process.stderr.write(
      `images: ${built.length} ready in ${relative(process.cwd(), buildDir)} (${seconds} s)\n`,
    )
  } catch (error) {
    console.error(error instanceof BuildError ? error.message : error)
    process.exitCode = 1
  }
}
