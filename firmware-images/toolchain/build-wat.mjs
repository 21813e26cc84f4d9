// WAT images, with npm packages only: wabt's wat2wasm compiled to wasm (the `wabt` npm package;
// the same bytes as Debian's wat2wasm 1.0.32 for these sources) assembles the core module, then jco
// makes the component: a handler gets the image's WIT world embedded (`jco embed` + `jco new`); a
// command, which calls WASI preview1, gets the preview1 command adapter as the C images do.
// A line `;; @include <path>` is replaced by that file (relative to the source): the commands share
// ../wat-lib/wasi-p1.wat.
import { readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { componentEmbed, componentNew } from '@bytecodealliance/jco'
import wabtInit from 'wabt'
import { commandComponent } from './adapter.mjs'
import { BuildError, packageVersion } from './tools.mjs'

let wabt

/** the source text with its `;; @include` lines expanded, and the files read */
export function watSource(file) {
  const included = [file]
  const text = readFileSync(file, 'utf8').replace(
    /^[ \t]*;; @include (\S+)[ \t]*$/gm,
    (_, path) => {
      const target = resolve(dirname(file), path)
      included.push(target)
      return readFileSync(target, 'utf8')
    },
  )
  return { text, included }
}

/** the core module of a WAT file; `name` is the file as errors name it (file:line:col) */
export function assemble(file, name = file) {
  const { text } = watSource(file)
  let module
  try {
    module = wabt.parseWat(name, text, {})
    module.resolveNames()
    module.validate()
    return module.toBinary({ log: false, write_debug_names: false }).buffer
  } catch (error) {
    const what = error.message.replace(/^parseWat failed:\n/, '') // wabt's lines name the file
    throw new BuildError(`images: ${what.startsWith(name) ? '' : `${name}: `}${what.trimEnd()}`, {
      cause: error,
    })
  } finally {
    module?.destroy()
  }
}

export async function buildWat(image, { witDir }) {
  wabt ??= await wabtInit()
  const { world, kind, source = 'main.wat' } = image.manifest
  const core = assemble(resolve(image.dir, source), join(basename(image.dir), source))
  const jco = packageVersion('@bytecodealliance/jco')
  const builtWith = { wabt: `wabt.js ${packageVersion('wabt')}`, jco }
  if (kind === 'command') {
    const bytes = await commandComponent(core, world, witDir)
    return { bytes, builtWith: { ...builtWith, adapter: 'wasi_snapshot_preview1.command (jco)' } }
  }
  const embedded = await componentEmbed({ binary: core, witPath: witDir, world })
  return { bytes: await componentNew(embedded, undefined), builtWith }
}
