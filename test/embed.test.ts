// Shoal as a library: the package's entry (src/index.ts) runs a plane and an agent inside this
// one process. The agent joins with a token from plane.joinToken(); a pod created through the
// API runs on it, answers on the port its 'pod-started' event names, and is Running in the API;
// deleted, it ends with 'pod-stopped'; the plane stopped, the agent says 'disconnected'.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger } from '../src/core/index.ts'
import { createAgent, createPlane, type EmbeddedAgent, type PodEvent } from '../src/index.ts'

const images = fileURLToPath(new URL('../firmware-images/.build', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'shoal-embed-'))
const quiet = { level: (process.env.SHOAL_LOG_LEVEL ?? 'warn') as 'warn' }

const plane = createPlane({
  dataDir: join(dir, 'plane'),
  listen: '127.0.0.1:0',
  mqttListen: '127.0.0.1:0',
  logger: createLogger('plane', quiet),
})
let agent: EmbeddedAgent | undefined

test.after(async () => {
  await agent?.stop()
  await plane.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 60_000
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('a plane and an agent in one process: join, run a pod through the API, its events', async () => {
  const ready = once(plane, 'ready')
  await plane.start()
  assert.equal((await ready)[0].url, plane.url)
  assert.match(plane.url, /^https:\/\/127\.0\.0\.1:\d+$/)
  await plane.pushImage('hello-wat', '1', readFileSync(join(images, 'hello-wat.wasm')))

  const joined = once(plane, 'node-joined')
  agent = createAgent({
    dataDir: join(dir, 'agent'),
    join: { ...plane.joinToken(), node: 'embedded-1' },
    address: '127.0.0.1',
    mesh: { local: { host: '127.0.0.1', port: 0 }, public: false, metrics: false, port: 0 },
    logger: createLogger('agent', quiet),
  })
  const connected = once(agent, 'connected')
  await agent.start()
  assert.equal((await joined)[0], { node: 'embedded-1' })
  await connected
  assert.is(agent.node, 'embedded-1')

  const started = once(agent, 'pod-started') as Promise<[PodEvent]>
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'hello', namespace: 'default' },
    spec: {
      containers: [{ name: 'main', image: 'hello-wat:1', ports: [{ containerPort: 8080 }] }],
    },
  }
  const created = await plane.request('POST', '/api/v1/namespaces/default/pods', pod)
  assert.is(created.status, 201, created.text)
  const [event] = await started
  assert.equal(
    { namespace: event.namespace, name: event.name, uid: event.uid },
    { namespace: 'default', name: 'hello', uid: created.body.metadata.uid },
  )
  const answer = await fetch(`http://127.0.0.1:${event.ports.main}/`, {
    method: 'POST',
    body: 'hi',
  })
  assert.is(await answer.text(), 'hello from wat: hi')
  const phase = await until('the pod Running in the API', async () => {
    const got = await plane.request('GET', '/api/v1/namespaces/default/pods/hello')
    return got.body?.status?.phase === 'Running' ? got.body.status.phase : undefined
  })
  assert.is(phase, 'Running')

  const stopped = once(agent, 'pod-stopped')
  const deleted = await plane.request('DELETE', '/api/v1/namespaces/default/pods/hello')
  assert.is(deleted.status, 200, deleted.text)
  assert.equal((await stopped)[0], { ...event, reason: 'Gone' })

  const disconnected = once(agent, 'disconnected')
  const planeStopped = once(plane, 'stopped')
  await plane.stop()
  await planeStopped
  await disconnected
})

test.run()
