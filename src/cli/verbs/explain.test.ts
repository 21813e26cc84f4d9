// explain with no plane to ask: the schemas compiled into src/api
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../index.ts'

test('explain falls back to the compiled-in schemas when the plane does not answer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-explain-'))
  try {
    const kubeconfig = join(dir, 'config')
    writeFileSync(
      kubeconfig,
      'clusters: [{name: p, cluster: {server: "http://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: p}}]\ncurrent-context: c\n',
    )
    let out = ''
    const io = {
      out: (t: string) => void (out += t),
      err: () => {},
      stdin: async () => '',
      env: {},
    }
    const code = await runCli(['--kubeconfig', kubeconfig, 'explain', 'deployment.spec'], io, {
      version: '0',
    })
    assert.is(code, 0)
    assert.match(out, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: spec <Object>\n/)
    assert.match(out, /\n {2}replicas\t<integer>\n/)
    assert.match(out, /\n {2}template\t<Object>\n/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
