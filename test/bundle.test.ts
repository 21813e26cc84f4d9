// The one-file bundle: esbuild builds dist/shoal.mjs, and it runs on its own.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

test('npm run build writes dist/shoal.mjs, which answers --help and version', () => {
  const build = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: root, encoding: 'utf8' })
  assert.is(build.status, 0, build.stderr)
  const help = spawnSync(process.execPath, ['dist/shoal.mjs', '--help'], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.is(help.status, 0, help.stderr)
  assert.match(help.stdout, /Usage: shoal <command>/)
  assert.match(help.stdout, /plane/)
  const version = spawnSync(process.execPath, ['dist/shoal.mjs', 'version'], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.match(version.stdout, /^shoal \d+\.\d+\.\d+/)
  const bad = spawnSync(process.execPath, ['dist/shoal.mjs', 'frobnicate'], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.is(bad.status, 1)
  assert.match(bad.stderr, /unknown command "frobnicate"/)
})

test.run()
