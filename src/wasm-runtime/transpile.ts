// Adapter: a component → jco's instantiation-mode glue (component.js) plus its core modules and
// the names the component exports. The only place jco is imported; it runs in a short-lived
// thread (thread-spawn.ts offload, entry "transpile"), so jco and its ~100 MB never stay in the
// heap of the process that asked — the plane's registry at push, or the runtime's local path.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidError } from '../core/index.ts'

export interface TranspileOutput {
  /** file name → bytes: component.js and component.core*.wasm */
  files: [string, Uint8Array][]
  /** the component's top-level export names, as jco reads them */
  exports: string[]
}

type TranspileFn = (
  bytes: Uint8Array,
  opts: Record<string, unknown>,
) => Promise<{
  files: Record<string, Uint8Array> | [string, Uint8Array][]
  exports?: [string, string][]
}>

export const GLUE_NAME = 'component'
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
export function findTranspiler(): { name: string; fn: string; version: string } {
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

/** Runs in a short-lived thread (offload): jco and its ~100 MB stay out of the caller's heap. */
export async function transpileFiles(bytes: Uint8Array): Promise<TranspileOutput> {
  const { name, fn } = findTranspiler()
  const transpile = ((await import(name)) as Record<string, TranspileFn>)[fn]!
  const out = await transpile(bytes, {
    name: GLUE_NAME,
    instantiation: 'sync',
    noTypescript: true,
    emitTypescriptDeclarations: false,
    minify: false,
  })
  return {
    files: Array.isArray(out.files) ? out.files : Object.entries(out.files),
    exports: (out.exports ?? []).map(([exportName]) => exportName),
  }
}
