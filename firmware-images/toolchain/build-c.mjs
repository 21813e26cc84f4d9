// C command images (the optional extras; they need clang-14, lld-14, wasi-libc and
// libclang-rt-14-dev-wasm32 from Debian): clang-14 compiles main.c for wasm32-wasi (wasi-libc,
// preview1), then jco wraps the core module with the preview1 command adapter (adapter.mjs).
// clang runs `wasm-opt` on its output whenever one is on PATH, so the result depended on PATH
// (`npm run` adds node_modules/.bin). It always gets binaryen's wasm-opt from node_modules (a jco
// dependency, pinned by the lock file): smaller images, and the same bytes however it is started.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { commandComponent } from './adapter.mjs'
import { BuildError, debianVersion, packageVersion, run, toolVersion } from './tools.mjs'

export const clang = 'clang-14'

function pathWithWasmOpt(root) {
  const bin = join(root, 'node_modules/.bin')
  if (!existsSync(join(bin, 'wasm-opt')))
    throw new BuildError(`images: ${bin}/wasm-opt not found: run npm ci`)
  return `${bin}:${process.env.PATH}`
}

export async function buildC(image, { root, witDir, workDir }) {
  const source = join(image.dir, image.manifest.source ?? 'main.c')
  const coreFile = join(workDir, `${image.manifest.name}.core.wasm`)
  const flags = [
    '--target=wasm32-wasi',
    '--sysroot=/usr',
    '-Os',
    '-Wall',
    '-Werror',
    `-ffile-prefix-map=${root}/=`,
  ]
  run(clang, [...flags, '-Wl,--strip-all', '-o', coreFile, source], {
    env: { ...process.env, PATH: pathWithWasmOpt(root) },
  })
  const bytes = await commandComponent(readFileSync(coreFile), image.manifest.world, witDir)
  const builtWith = {
    clang: toolVersion(clang),
    'wasi-libc': debianVersion('wasi-libc'),
    'wasm-opt': `binaryen ${packageVersion('binaryen')}`,
    jco: packageVersion('@bytecodealliance/jco'),
    adapter: 'wasi_snapshot_preview1.command (jco)',
  }
  return { bytes, builtWith }
}
