// Adapter: the core modules of a transpiled component, instrumented (memory cap + fuel) and
// compiled once per process for each (image, memory cap). Instrumented bytes are also kept on
// disk beside the transpiled glue, so a restart of the agent skips the rewrite.
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidError, isShoalError } from '../core/index.ts'
import { instrumentModule } from './instrument/index.ts'
import type { Transpiled } from './transpile-cache.ts'

export interface PreparedModules {
  /** stable key of this (image, cap) pair; workers cache compiled modules under it */
  key: string
  glueFile: string
  modules: Record<string, WebAssembly.Module>
  /** export names of the fuel globals */
  fuelExports: string[]
}

const pageBytes = 65536
const compiled = new Map<string, Promise<PreparedModules>>()

export function memoryPages(memoryBytes: number | undefined): number | undefined {
  return memoryBytes === undefined ? undefined : Math.max(1, Math.floor(memoryBytes / pageBytes))
}

async function instrumentedBytes(t: Transpiled, file: string, pages: number | undefined): Promise<{ bytes: Uint8Array; fuelExport?: string }> {
  const dir = join(t.dir, `instrumented-${pages ?? 'nocap'}`)
  const cached = join(dir, file)
  const meta = `${cached}.fuel`
  if (existsSync(cached) && existsSync(meta)) {
    return { bytes: new Uint8Array(await readFile(cached)), fuelExport: (await readFile(meta, 'utf8')) || undefined }
  }
  const original = new Uint8Array(await readFile(join(t.dir, file)))
  let result
  try {
    result = instrumentModule(original, { maxMemoryPages: pages, fuel: true })
  } catch (error) {
    const what = isShoalError(error) ? error.message : String(error)
    throw new InvalidError(`runtime: cannot apply limits to ${file}: ${what}`, [], { cause: error })
  }
  await mkdir(dir, { recursive: true })
  const tmp = `${cached}.tmp-${process.pid}`
  await writeFile(tmp, result.bytes)
  await rename(tmp, cached)
  await writeFile(meta, result.fuelExport ?? '')
  return result
}

async function prepare(t: Transpiled, pages: number | undefined, key: string): Promise<PreparedModules> {
  const modules: Record<string, WebAssembly.Module> = {}
  const fuelExports = new Set<string>()
  for (const file of t.coreFiles) {
    const { bytes, fuelExport } = await instrumentedBytes(t, file, pages)
    if (fuelExport) fuelExports.add(fuelExport)
    try {
      modules[file] = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>)
    } catch (error) {
      throw new InvalidError(`runtime: ${file} does not compile: ${(error as Error).message}`, [], { cause: error })
    }
  }
  return { key, glueFile: t.glueFile, modules, fuelExports: [...fuelExports] }
}

/** Compiled, instrumented modules for a transpiled image under a memory cap (memoized). */
export function preparedModules(t: Transpiled, memoryBytes: number | undefined): Promise<PreparedModules> {
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
