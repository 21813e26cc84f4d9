// Adapter: a component → jco's instantiation-mode glue (component.js) plus its core modules, cached
// on disk under <cacheDir>/<digest hex>-jco<version>/ so each image is transpiled once per jco
// version. Written to a temporary dir first and renamed into place: a crash never leaves half.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidError } from '../core/index.ts'
import { offload } from './thread-spawn.ts'

export interface Transpiled {
  dir: string
  /** absolute path of the glue module (component.mjs) exporting instantiate(getCoreModule, imports, instantiateCore) */
  glueFile: string
  /** core module file names, as the glue asks for them */
  coreFiles: string[]
}

type TranspileFn = (
  bytes: Uint8Array,
  opts: Record<string, unknown>,
) => Promise<{ files: Record<string, Uint8Array> | [string, Uint8Array][] }>

const glueName = 'component'
const candidates = [
  { name: '@bytecodealliance/jco-transpile', fn: 'transpileBytes' },
  { name: '@bytecodealliance/jco', fn: 'transpile' },
]

function packageVersion(entryUrl: string): string {
  for (let dir = dirname(fileURLToPath(entryUrl)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) return String(JSON.parse(readFileSync(file, 'utf8')).version)
  }
  return 'unknown'
}

/** The transpiler that would be used, found without loading it: { name, fn, version }. */
function findTranspiler(): { name: string; fn: string; version: string } {
  for (const c of candidates) {
    try {
      return {
        ...c,
        version: `${c.name.split('/')[1]}-${packageVersion(import.meta.resolve(c.name))}`,
      }
    } catch {
      // not installed: try the next one
    }
  }
  throw new InvalidError(
    'runtime: neither @bytecodealliance/jco-transpile nor @bytecodealliance/jco is installed',
  )
}

async function listing(dir: string): Promise<Transpiled | undefined> {
  if (!existsSync(join(dir, `${glueName}.mjs`))) return undefined
  const coreFiles = (await readdir(dir)).filter((f) => /\.core\d*\.wasm$/.test(f)).sort()
  return { dir, glueFile: join(dir, `${glueName}.mjs`), coreFiles }
}

/** Runs in a short-lived thread (offload): jco and its ~100 MB stay out of the agent's heap. */
export async function transpileFiles(bytes: Uint8Array): Promise<[string, Uint8Array][]> {
  const { name, fn } = findTranspiler()
  const transpile = ((await import(name)) as Record<string, TranspileFn>)[fn]!
  const out = await transpile(bytes, {
    name: glueName,
    instantiation: 'sync',
    noTypescript: true,
    emitTypescriptDeclarations: false,
    minify: false,
  })
  return Array.isArray(out.files) ? out.files : Object.entries(out.files)
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
  let files: [string, Uint8Array][]
  try {
    files = await offload<[string, Uint8Array][]>('transpile', 'transpileFiles', [bytes])
  } catch (error) {
    throw new InvalidError(
      `runtime: jco cannot transpile ${digest}: ${(error as Error).message}`,
      [],
      { cause: error },
    )
  }
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(tmp, { recursive: true })
  // the glue is ESM; .mjs keeps it ESM wherever the cache dir is (no package.json "type" there)
  for (const [name, data] of files)
    await writeFile(join(tmp, name === `${glueName}.js` ? `${glueName}.mjs` : name), data)
  await rm(dir, { recursive: true, force: true })
  await rename(tmp, dir)
  return (await listing(dir))!
}
