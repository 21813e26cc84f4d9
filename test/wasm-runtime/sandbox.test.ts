// Capabilities, nothing more: env and args reach the component (and no host env does); only the
// granted dir is readable: `..`, absolute paths and symlinks pointing out are refused; output is
// captured per instance, timestamped, into the ring buffer and the log file.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRuntime } from '../../src/wasm-runtime/index.ts'
import { collect, exitOf, fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
let second: typeof runtime | undefined
const granted = join(f.dir, 'granted')
const outside = join(f.dir, 'outside')
mkdirSync(join(granted, 'sub'), { recursive: true })
mkdirSync(outside)
writeFileSync(join(granted, 'readings.csv'), 't,v\n1,20.5\n2,21.0\n')
writeFileSync(join(granted, 'sub', 'inner.txt'), 'inner\n')
writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET\n')
symlinkSync(outside, join(granted, 'abs-link'))
symlinkSync('../outside', join(granted, 'rel-link'))
symlinkSync('sub', join(granted, 'in-link'))

async function runJob(id: string, env: Record<string, string>, args: string[] = ['sensor-job']) {
  const exited = exitOf(runtime, id)
  const volumes = [{ guestPath: '/data', hostPath: granted, readOnly: true }]
  await runtime.start(f.spec(id, 'sensor-job', 'command', { env, args, volumes }))
  const status = await exited
  return { status, lines: await collect(runtime.logs(id)) }
}

test('env and args reach a command, and nothing of the host env', async () => {
  process.env.SHOAL_HOST_ONLY = 'leak'
  const { status, lines } = await runJob(
    'job-env',
    { SENSOR_ID: 'greenhouse-7', DATA_DIR: '/data' },
    ['sensor-job', '--window', '5m'],
  )
  assert.is(status.reason, 'Completed')
  assert.is(status.exitCode, 0)
  assert.ok(lines.includes('sensor-job: args: sensor-job --window 5m'), lines.join('\n'))
  assert.ok(lines.includes('sensor-job: SENSOR_ID=greenhouse-7'))
  assert.ok(lines.some((l) => l.includes('readings.csv: 18 bytes, 3 lines, first line: t,v')))
  assert.not.ok(lines.some((l) => l.includes('leak')))
})

test('an in-dir subdirectory and an in-dir symlink can be read', async () => {
  for (const dir of ['/data/sub', '/data/in-link']) {
    const { status, lines } = await runJob(`job-in-${dir.length}`, { DATA_DIR: dir })
    assert.is(status.reason, 'Completed', dir)
    assert.ok(
      lines.some((l) => l.includes('inner.txt: 6 bytes')),
      lines.join('\n'),
    )
  }
})

for (const [name, dir] of [
  ['`..` out of the granted dir', '/data/..'],
  ['`..` hidden in a path', '/data/sub/../../outside'],
  ['an absolute path elsewhere', outside],
  ['an absolute symlink pointing out', '/data/abs-link'],
  ['a relative symlink pointing out', '/data/rel-link'],
] as const) {
  test(`refused: ${name}`, async () => {
    const { status, lines } = await runJob(`job-${name.length}`, { DATA_DIR: dir })
    assert.is(status.reason, 'Error')
    assert.is(status.exitCode, 1)
    assert.ok(
      lines.some((l) => l.startsWith('sensor-job: cannot read')),
      lines.join('\n'),
    )
    assert.not.ok(lines.some((l) => l.includes('secret')))
  })
}

test('two instances at once: each log holds only its own lines, timestamped, also on disk', async () => {
  const [a, b] = await Promise.all([
    runJob('twin-a', { SENSOR_ID: 'alpha' }),
    runJob('twin-b', { SENSOR_ID: 'beta' }),
  ])
  assert.ok(a.lines.includes('sensor-job: SENSOR_ID=alpha'))
  assert.not.ok(a.lines.some((l) => l.includes('beta')))
  assert.ok(b.lines.includes('sensor-job: SENSOR_ID=beta'))
  assert.not.ok(b.lines.some((l) => l.includes('alpha')))
  const stamped = await collect(runtime.logs('twin-a', { timestamps: true, tailLines: 1 }))
  assert.match(stamped[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stdout sensor-job: done/)
  await runtime.close()
  const file = readFileSync(join(f.logDir, 'twin-b.log'), 'utf8')
  assert.match(file, /^\S+Z stdout F sensor-job: \d+ files in \/data$/m)
  assert.not.match(file, /alpha/)
})

test('hello-http answers with its own env and POD_NAME', async () => {
  const rt = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
  second = rt
  await rt.start(
    f.spec('web-a', 'hello-http', 'http', { env: { POD_NAME: 'web-a', COLOR: 'blue' } }),
  )
  await rt.start(f.spec('web-b', 'hello-http', 'http', { env: { POD_NAME: 'web-b' } }))
  const a = await (await fetch(rt.url('web-a') + '/status?x=1')).json()
  const b = await (await fetch(rt.url('web-b') + '/')).json()
  assert.equal(a, {
    message: 'hello from shoal',
    pod: 'web-a',
    method: 'GET',
    path: '/status?x=1',
    env: { POD_NAME: 'web-a', COLOR: 'blue' },
  })
  assert.equal(b.env, { POD_NAME: 'web-b' })
  await rt.close()
})

test.after(async () => {
  await runtime.close() // again, in case a test failed before its own close
  await second?.close()
  f.cleanup()
})
test.run()
