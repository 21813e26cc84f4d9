// Test fixture: a `handler` component built from the hello-wat source with one change: a request
// whose first byte is "!" makes handle() loop forever. A service that runs away on demand, to test
// fuel (and, with fuel disabled, the watchdog) in a worker shared with other instances.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { componentEmbed, componentNew, parse } from '@bytecodealliance/jco'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const world =
  'package shoal:test@0.1.0;\nworld handler { export handle: func(req: list<u8>) -> list<u8>; }\n'
const spinOnBang = `(if (i32.and (i32.gt_u (local.get $len) (i32.const 0)) (i32.eq (i32.load8_u (local.get $req)) (i32.const 33)))
      (then (loop $spin (br $spin))))
    (local.set $answer`

export async function buildSpinHandler(dir: string): Promise<{ digest: string; path: string }> {
  const wat = readFileSync(join(root, 'firmware-images/hello-wat/handle.wat'), 'utf8').replace(
    '(local.set $answer',
    spinOnBang,
  )
  if (!wat.includes('$spin'))
    throw new Error('test: hello-wat source changed; update spin-handler.ts')
  const core = await parse(wat)
  const bytes = await componentNew(
    await componentEmbed({ binary: core, witSource: world, world: 'handler' }),
    undefined,
  )
  const path = join(dir, 'spin-handler.wasm')
  writeFileSync(path, bytes)
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, path }
}
