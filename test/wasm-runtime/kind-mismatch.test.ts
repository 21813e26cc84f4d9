// A component whose exports do not fit its declared kind is refused at start with a clear
// InvalidError naming both; the instance exits with that message and nothing is left serving.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../../src/core/index.ts'
import { createRuntime, type WorkloadKind } from '../../src/wasm-runtime/index.ts'
import { fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })

async function startError(id: string, app: string, kind: WorkloadKind): Promise<Error> {
  try {
    await runtime.start(f.spec(id, app, kind))
  } catch (error) {
    return error as Error
  }
  throw new Error(`start of ${app} as ${kind} should have failed`)
}

for (const [app, kind, needs] of [
  ['hello-http', 'handler', /kind 'handler' needs handle: func/],
  ['hello-wat', 'http', /exports handle but kind 'http' needs wasi:http\/incoming-handler/],
  ['sensor-job', 'handler', /exports run but kind 'handler' needs handle/],
  ['hello-wat', 'command', /exports handle but kind 'command' needs wasi:cli\/run/],
] as const) {
  test(`${app} declared as ${kind} is refused at start`, async () => {
    const id = `${app}-as-${kind}`
    const error = await startError(id, app, kind)
    assert.ok(isShoalError(error, 'Invalid'), error.message)
    assert.match(error.message, /^runtime: the component exports /)
    assert.match(error.message, needs)
    const status = runtime.status(id)!
    assert.is(status.state, 'exited')
    assert.is(status.reason, 'Error')
    assert.is(status.message, error.message)
    assert.is(runtime.url(id), undefined)
  })
}

test('the same images under their own kinds still start', async () => {
  await runtime.start(f.spec('wat', 'hello-wat', 'handler'))
  const response = await fetch(runtime.url('wat')!, { method: 'POST', body: 'ok?' })
  assert.is(await response.text(), 'hello from wat: ok?')
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
