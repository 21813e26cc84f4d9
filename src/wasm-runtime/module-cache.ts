// Adapter: the core modules of a transpiled component, instrumented (memory cap + fuel) and
// compiled once per process for each (image, memory cap). The rewrite of modules past 1 MiB runs
// in a short-lived thread (it takes ~0.3 s for a 12 MB module; smaller ones are rewritten in
// place, quicker than a thread starts) and its output is kept on disk beside the transpiled
// glue, so a restart of the agent skips it.
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidError, readBigFile } from '../core/index.ts'
import { offload } from './thread-spawn.ts'
import { instrumentModule } from './instrument/index.ts'
import type { Transpiled } from './transpile-cache.ts'
import { waitImports } from './wait-imports.ts'

export interface PreparedModules {
  /** stable key of this (image, cap) pair; workers cache compiled modules under it */
  key: string
  glueFile: string
  modules: Record<string, WebAssembly.Module>
  /** export names of the fuel globals */
  fuelExports: string[]
  /** imports that may wait in a host call ("interface#function"; see wait-imports.ts) */
  waits: string[]
}

const pageBytes = 65536
const compiled = new Map<string, Promise<PreparedModules>>()

export function memoryPages(memoryBytes: number | undefined): number | undefined {
  return memoryBytes === undefined ? undefined : Math.max(1, Math.floor(memoryBytes / pageBytes))
}

/** Runs in a short-lived thread (offload): rewrites each core module file of `srcDir` into `destDir`. */
export async function instrumentFiles(
  srcDir: string,
  destDir: string,
  files: string[],
  pages: number | undefined,
): Promise<void> {
  await mkdir(destDir, { recursive: true })
  for (const file of files) {
    let result
    try {
      result = instrumentModule(new Uint8Array(await readFile(join(srcDir, file))), {
        maxMemoryPages: pages,
        fuel: true,
      })
    } catch (error) {
      throw new InvalidError(`${file}: ${(error as Error).message}`, [], { cause: error })
    }
    const tmp = join(destDir, `${file}.tmp-${process.pid}-${Date.now()}`)
    await writeFile(tmp, result.bytes)
    await rename(tmp, join(destDir, file))
    await writeFile(join(destDir, `${file}.fuel`), result.fuelExport ?? '')
  }
}

/** core modules this small are rewritten in the calling thread: a thread costs more than the
 *  rewrite (hello-wat's 337 bytes take microseconds; a thread's start takes tens of ms) */
const INLINE_BYTES = 1 << 20

async function instrumented(t: Transpiled, pages: number | undefined): Promise<string> {
  const dir = join(t.dir, `instrumented-${pages ?? 'nocap'}`)
  if (t.coreFiles.every((f) => existsSync(join(dir, `${f}.fuel`)))) return dir
  let bytes = 0
  for (const f of t.coreFiles) bytes += (await stat(join(t.dir, f))).size
  try {
    if (bytes <= INLINE_BYTES) await instrumentFiles(t.dir, dir, t.coreFiles, pages)
    else await offload<void>('instrument', 'instrumentFiles', [t.dir, dir, t.coreFiles, pages])
  } catch (error) {
    throw new InvalidError(`runtime: cannot apply limits to ${(error as Error).message}`, [], {
      cause: error,
    })
  }
  return dir
}

async function prepare(
  t: Transpiled,
  pages: number | undefined,
  key: string,
): Promise<PreparedModules> {
  const modules: Record<string, WebAssembly.Module> = {}
  const fuelExports = new Set<string>()
  const dir = await instrumented(t, pages)
  for (const file of t.coreFiles) {
    const bytes = await readBigFile(join(dir, file))
    const fuelExport = await readFile(join(dir, `${file}.fuel`), 'utf8')
    if (fuelExport) fuelExports.add(fuelExport)
    try {
      modules[file] = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>)
    } catch (error) {
      throw new InvalidError(`runtime: ${file} does not compile: ${(error as Error).message}`, [], {
        cause: error,
      })
    }
  }
  const waits = waitImports(Object.values(modules).flatMap((m) => WebAssembly.Module.imports(m)))
  return { key, glueFile: t.glueFile, modules, fuelExports: [...fuelExports], waits }
}

/** Compiled, instrumented modules for a transpiled image under a memory cap (memoized). */
export function preparedModules(
  t: Transpiled,
  memoryBytes: number | undefined,
): Promise<PreparedModules> {
  const pages = memoryPages(memoryBytes)
  const key = `${t.dir}#${pages ?? 'nocap'}`
  let entry = compiled.get(key)
  if (!entry) {
    entry = prepare(t, pages, key)
    compiled.set(key, entry)
    entry.catch(() => compiled.delete(key))
  }
  return entry
}
