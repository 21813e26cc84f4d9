// An image folder's manifest, image.json: what the build needs to know about the source beside it.
//   { "name": "hello-wat", "version": "0.1.0", "language": "wat" | "javascript" | "c",
//     "kind": "http" | "handler" | "command", "world": "handler", "source": "handle.wat",
//     "description": "…" }
// readManifest() names every problem it finds, with the file's path, so a user's folder that is
// wrong says what to fix (a missing file, JSON that does not parse, a field out of range).
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { BuildError } from './tools.mjs'

export const LANGUAGES = ['javascript', 'wat', 'c']
export const KINDS = ['http', 'handler', 'command']
/** the source file a language reads when image.json names none */
export const DEFAULT_SOURCE = { javascript: 'app.js', wat: 'main.wat', c: 'main.c' }
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/

function parse(file) {
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new BuildError(`${file}: cannot be read (${error.code ?? error.message})`)
  }
  try {
    const manifest = JSON.parse(text)
    if (manifest && typeof manifest === 'object' && !Array.isArray(manifest)) return manifest
  } catch (error) {
    throw new BuildError(`${file}: not JSON: ${error.message}`)
  }
  throw new BuildError(`${file}: must be a JSON object like {"name": …, "language": …}`)
}

function problemsOf(manifest, expectName) {
  const problems = []
  if (expectName !== undefined && manifest.name !== expectName)
    problems.push(`name must be "${expectName}" (the folder name)`)
  else if (typeof manifest.name !== 'string' || !NAME.test(manifest.name))
    problems.push('name must be lowercase letters, digits and . _ - (like hello-wat)')
  if (!/^\d+\.\d+\.\d+$/.test(manifest.version ?? '')) problems.push('version must be x.y.z')
  if (!LANGUAGES.includes(manifest.language))
    problems.push(`language must be one of ${LANGUAGES.join(', ')}`)
  if (!KINDS.includes(manifest.kind)) problems.push(`kind must be one of ${KINDS.join(', ')}`)
  if (typeof manifest.world !== 'string' || !manifest.world) problems.push('world is missing')
  if (manifest.source !== undefined && typeof manifest.source !== 'string')
    problems.push('source must be a file name')
  return problems
}

/**
 * The folder's image.json, checked. `expectName`: the name it must have (the samples are named
 * after their folder). Throws a BuildError naming the file and every problem.
 */
export function readManifest(dir, { expectName } = {}) {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BuildError(`${dir}: not a folder (want a folder with image.json and its source)`)
  const file = join(dir, 'image.json')
  if (!existsSync(file))
    throw new BuildError(
      `${dir}: no image.json (the manifest: name, version, language, kind, world)`,
    )
  const manifest = parse(file)
  const problems = problemsOf(manifest, expectName)
  if (problems.length) throw new BuildError(`${file}: ${problems.join('; ')}`)
  return manifest
}

/** the source file the manifest names (or its language's default), which must exist */
export function sourceOf(dir, manifest) {
  const source = manifest.source ?? DEFAULT_SOURCE[manifest.language]
  const file = join(dir, source)
  if (!existsSync(file))
    throw new BuildError(`${join(dir, 'image.json')}: source ${source} not found in ${dir}`)
  return source
}
