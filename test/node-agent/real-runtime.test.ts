// The agent driving the real runtime (createRuntime, which may not transpile, as on a node) with
// the sample images prepared as the registry prepares them and pulled from a fake plane: each
// image's kind read from its exports, env from the pod, a handler and an HTTP service answering
// on their loopback URLs, a crashing command in CrashLoopBackOff.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createAgent, FakeChannel } from '../../src/node-agent/index.ts'
import {
  credentials,
  desired,
  FakePlane,
  pod,
  waitFor,
} from '../../src/node-agent/agent-fixture.ts'
import { createRuntime, prepareComponent } from '../../src/wasm-runtime/index.ts'
import { fixture } from '../wasm-runtime/images.ts'

const f = fixture()
const plane = new FakePlane()
plane.prepare = (digest, bytes) => prepareComponent(bytes, digest)
const image = (app: string) => {
  const { digest, path } = f.image(app)
  plane.blobs.set(digest, new Uint8Array(readFileSync(path)))
  return { main: { digest } }
}
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir, transpile: false })
const channel = new FakeChannel()
const statusOf = (name: string) =>
  channel
    .of('status')
    .flatMap((r) => r.pods)
    .filter((u) => u.name === name)
    .at(-1)?.status

test('sample images run under the agent: handler, http service, crashing command', async () => {
  const agent = await createAgent({
    dataDir: join(f.dir, 'agent'),
    credentials,
    runtime,
    channel,
    fetch: plane.fetch,
    logger: memoryLogger(),
    restartBackoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 },
    statusBatchMs: 1,
    statsMs: 100,
  })
  channel.connect()
  const wat = pod('wat', { images: image('hello-wat') })
  const web = pod(
    'web',
    { images: image('hello-http') },
    { env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] },
  )
  const crash = pod(
    'crash',
    { images: image('crasher') },
    {
      env: [
        { name: 'CRASH_AFTER_MS', value: '20' },
        { name: 'CRASH_CODE', value: '3' },
      ],
    },
  )
  channel.deliver(desired(1, wat, web, crash))

  await waitFor(
    'wat Ready',
    () => statusOf('wat')?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
    30_000,
  )
  const watUrl = runtime.url('uid-wat/main')!
  assert.is(
    await (await fetch(watUrl, { method: 'POST', body: 'pi' })).text(),
    'hello from wat: pi',
  )
  // stats: the request served, the time spent in it and the memory, from the real runtime
  const watStats = await waitFor(
    'stats of wat after its request',
    () =>
      channel
        .of('stats')
        .flatMap((r) => r.pods)
        .find((p) => p.name === 'wat' && p.containers[0].requests >= 1)?.containers[0],
    10_000,
  )
  assert.ok(watStats.cpuNanos > 0, `cpuNanos ${watStats.cpuNanos}`)
  assert.ok(watStats.memoryBytes >= 65536, `memoryBytes ${watStats.memoryBytes}`)
  assert.is(watStats.startTime, runtime.status('uid-wat/main')!.startedAt)
  const last = channel.of('stats').at(-1)!
  assert.ok(last.node.memoryBytes > last.node.agent.memoryBytes && last.node.agent.cpuNanos > 0)

  const crashed = await waitFor(
    'CrashLoopBackOff',
    () => {
      const c = statusOf('crash')?.containerStatuses?.[0]
      return c?.state?.waiting?.reason === 'CrashLoopBackOff' && c
    },
    30_000,
  )
  assert.equal(
    [crashed.lastState?.terminated?.exitCode, crashed.lastState?.terminated?.reason],
    [3, 'Error'],
  )
  await waitFor(
    'restarted',
    () => (statusOf('crash')?.containerStatuses?.[0].restartCount ?? 0) >= 1,
    30_000,
  )

  await waitFor(
    'web Ready',
    () => statusOf('web')?.phase === 'Running' && statusOf('web')?.containerStatuses?.[0].ready,
    60_000,
  )
  const answer = (await (await fetch(`${runtime.url('uid-web/main')!}/hi`)).json()) as {
    pod: string
    path: string
  }
  assert.equal([answer.pod, answer.path], ['web', '/hi'])

  await agent.close()
  await runtime.close()
})

test.after(() => f.cleanup())

test.run()
