// Adapter: a component → jco's instantiation-mode glue (component.js) plus its core modules, cached
// on disk under <cacheDir>/<digest hex>-jco<version>/ so each image is transpiled once per jco
// version. Written to a temporary dir first and renamed into place: a crash never leaves half.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidError } from '../core/index.ts'

export interface Transpiled {
  dir: string
  /** absolute path of the glue module (component.mjs) exporting instantiate(getCoreModule, imports, instantiateCore) */
  glueFile: string
  /** core module file names, as the glue asks for them */
  coreFiles: string[]
}

type TranspileFn = (bytes: Uint8Array, opts: Record<string, unknown>) => Promise<{ files: Record<string, Uint8Array> | [string, Uint8Array][] }>

const glueName = 'component'
let transpiler: Promise<{ transpile: TranspileFn; version: string }> | undefined

function packageVersion(entryUrl: string): string {
  for (let dir = dirname(fileURLToPath(entryUrl)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) return String(JSON.parse(readFileSync(file, 'utf8')).version)
  }
  return 'unknown'
}

async function loadTranspiler(): Promise<{ transpile: TranspileFn; version: string }> {
  for (const [name, fn] of [['@bytecodealliance/jco-transpile', 'transpileBytes'], ['@bytecodealliance/jco', 'transpile']]) {
    try {
      const mod = (await import(name)) as Record<string, TranspileFn>
      if (typeof mod[fn] === 'function') return { transpile: mod[fn], version: `${name.split('/')[1]}-${packageVersion(import.meta.resolve(name))}` }
    } catch {
      // try the next one
    }
  }
  throw new InvalidError('runtime: neither @bytecodealliance/jco-transpile nor @bytecodealliance/jco is installed')
}

export async function transpilerVersion(): Promise<string> {
  transpiler ??= loadTranspiler()
  return (await transpiler).version
}

async function listing(dir: string): Promise<Transpiled | undefined> {
  if (!existsSync(join(dir, `${glueName}.mjs`))) return undefined
  const coreFiles = (await readdir(dir)).filter((f) => /\.core\d*\.wasm$/.test(f)).sort()
  return { dir, glueFile: join(dir, `${glueName}.mjs`), coreFiles }
}

/** Transpile (or find in the cache) the component whose verified bytes and digest are given. */
export async function transpileCached(bytes: Uint8Array, digest: string, cacheDir: string): Promise<Transpiled> {
  transpiler ??= loadTranspiler()
  const { transpile, version } = await transpiler
  const dir = join(cacheDir, `${digest.replace('sha256:', '')}-${version}`)
  const cached = await listing(dir)
  if (cached) return cached
  let out: Awaited<ReturnType<TranspileFn>>
  try {
    out = await transpile(bytes, { name: glueName, instantiation: 'sync', noTypescript: true, emitTypescriptDeclarations: false, minify: false })
  } catch (error) {
    throw new InvalidError(`runtime: jco cannot transpile ${digest}: ${String((error as Error)?.message ?? error)}`, [], { cause: error })
  }
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(tmp, { recursive: true })
  const files = Array.isArray(out.files) ? out.files : Object.entries(out.files)
  // the glue is ESM; .mjs keeps it ESM wherever the cache dir is (no package.json "type" there)
  for (const [name, data] of files) await writeFile(join(tmp, name === `${glueName}.js` ? `${glueName}.mjs` : name), data)
  await rm(dir, { recursive: true, force: true })
  await rename(tmp, dir)
  return (await listing(dir))!
}
