// JavaScript images: componentize-js (StarlingMonkey) snapshots the engine with the app loaded.
// Three things made that snapshot differ from build to build, and each is pinned here:
// - wizer's random bytes and clock: an LD_PRELOAD library fakes both (deterministic-init.c). It is
//   compiled with the host's C compiler (clang-14, cc or gcc); on a machine without one the image
//   is built all the same, only not reproducibly (builtWith.reproducible: false): each build
//   gives another digest. The build cache (build.mjs) rebuilds only when a source changes.
// - componentize-js's work dir name comes from Math.random(): fixed for the call;
// - absolute paths (the work dir, the source's folder) end up in the heap image: the source is
//   copied to a fixed staging folder (stage.mjs) and built from there, so the digest does not
//   depend on where the repository is checked out.
import { cpSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { componentize } from '@bytecodealliance/componentize-js'
import { BuildError, haveTool, packageVersion, run } from './tools.mjs'
import { withStage } from './stage.mjs'

/** the host C compiler for the preload library, or undefined */
export function hostCompiler() {
  if (process.platform !== 'linux') return undefined // the preload is for glibc Linux
  return ['clang-14', 'cc', 'gcc'].find(haveTool)
}

function deterministicPreload(workDir) {
  const compiler = hostCompiler()
  if (!compiler) return undefined
  const library = join(workDir, 'deterministic-init.so')
  const source = new URL('./deterministic-init.c', import.meta.url).pathname
  run(compiler, ['-O2', '-shared', '-fPIC', '-o', library, source, '-ldl'])
  return library
}

async function componentizeAt(stage, { sourcePath, witPath, worldName, preload }) {
  const saved = { random: Math.random, cwd: process.cwd(), tmp: process.env.TMPDIR }
  Math.random = () => 0.5
  process.chdir(stage.dir)
  process.env.TMPDIR = stage.tmp
  try {
    const env = preload ? { LD_PRELOAD: preload } : {}
    return await componentize({ sourcePath, witPath, worldName, env })
  } finally {
    Math.random = saved.random
    process.chdir(saved.cwd)
    if (saved.tmp === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved.tmp
  }
}

/**
 * A syntax error in the source as file:line:col and its code frame. componentize-js parses the
 * source with oxc-parser (its own dependency) too, but says only "encountered [1] errors".
 */
async function checkSyntax(file, name) {
  const oxc = await import('oxc-parser')
  const code = readFileSync(file, 'utf8')
  const [first] = (await oxc.parseAsync(name, code)).errors
  if (!first) return
  const before = code.slice(0, first.labels?.[0]?.start ?? 0).split('\n')
  const at = `${name}:${before.length}:${before.at(-1).length + 1}`
  throw new BuildError(`images: ${at}: ${first.message}${first.codeframe?.trimEnd() ?? ''}`)
}

export async function buildJs(image, { witDir, workDir }) {
  const { name, world, source = 'app.js' } = image.manifest
  await checkSyntax(join(image.dir, source), join(basename(image.dir), source))
  const preload = deterministicPreload(workDir)
  const { component } = await withStage(async (stage) => {
    const appDir = join(stage.dir, name)
    // the folder without what builds leave in it (.build/, node_modules/)
    const skip = new Set(['.build', 'node_modules'].map((d) => join(image.dir, d)))
    cpSync(image.dir, appDir, { recursive: true, filter: (path) => !skip.has(path) })
    const witPath = join(stage.dir, 'wit')
    cpSync(witDir, witPath, { recursive: true })
    return componentizeAt(stage, {
      sourcePath: join(appDir, source),
      witPath,
      worldName: world,
      preload,
    })
  })
  const builtWith = {
    'componentize-js': packageVersion('@bytecodealliance/componentize-js'),
    wizer: packageVersion('@bytecodealliance/wizer'),
    engine: 'StarlingMonkey (bundled with componentize-js), WASI 0.2.10',
    reproducible: preload !== undefined,
  }
  return { bytes: new Uint8Array(component), builtWith }
}
