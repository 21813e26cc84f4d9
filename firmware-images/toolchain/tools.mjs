// Host tools for the image build: find them (with a clear error naming the missing one), run them,
// and report their versions for the image metadata.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

const installHint =
  'install the Debian packages: apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32'

export class BuildError extends Error {}

/** Runs a tool and returns its stdout; a missing tool or a failure becomes a BuildError. */
export function run(tool, args, options = {}) {
  try {
    return execFileSync(tool, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    })
  } catch (error) {
    if (error.code === 'ENOENT') throw new BuildError(`images: ${tool} not found: ${installHint}`)
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim()
    throw new BuildError(`images: ${tool} ${args.join(' ')} failed:\n${output}`, { cause: error })
  }
}

const versions = new Map()

/**
 * Whether a native tool is on PATH. SHOAL_NO_NATIVE_TOOLCHAIN=1 hides them all, to try the
 * npm-only build on a machine that has them.
 */
export function haveTool(tool) {
  if (process.env.SHOAL_NO_NATIVE_TOOLCHAIN === '1') return false
  try {
    toolVersion(tool)
    return true
  } catch {
    return false
  }
}

/** The version of a host tool (first line of `tool --version`), checked once; throws if absent. */
export function toolVersion(tool) {
  if (!versions.has(tool)) {
    const line = run(tool, ['--version']).split('\n')[0].trim()
    versions.set(tool, line.replace(/^Debian /, ''))
  }
  return versions.get(tool)
}

/** The installed version of an npm package. */
export function packageVersion(name) {
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')).version
}

/** The version of a Debian package, or "unknown" off Debian. */
export function debianVersion(name) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
  } catch {
    return 'unknown'
  }
}

export function sha256(bytes) {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex')
}
