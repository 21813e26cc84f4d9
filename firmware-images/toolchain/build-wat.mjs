// WAT images: wat2wasm assembles the hand-written core module, jco embeds the image's WIT world
// and makes the component (`jco embed` + `jco new`). No WASI, no language runtime: a few hundred bytes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { componentEmbed, componentNew } from '@bytecodealliance/jco'
import { packageVersion, run, toolVersion } from './tools.mjs'

export async function buildWat(image, { witDir, workDir }) {
  const source = join(image.dir, image.manifest.source ?? 'main.wat')
  const coreFile = join(workDir, `${image.manifest.name}.core.wasm`)
  run('wat2wasm', [source, '-o', coreFile])
  const embedded = await componentEmbed({
    binary: readFileSync(coreFile),
    witPath: witDir,
    world: image.manifest.world,
  })
  const bytes = await componentNew(embedded, undefined)
  return {
    bytes,
    builtWith: { wabt: toolVersion('wat2wasm'), jco: packageVersion('@bytecodealliance/jco') },
  }
}
