// The dashboard's files at /ui: served without a token (they hold no data), from the directory
// given; anything else under /ui is a 404 naming the file; an unbuilt dashboard says how to build
// it. The API behind the page still wants a token: a viewer reads, a viewer's scale is a 403,
// and /shoal/v1/request-rates answers any signed-in caller.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { FakeClock } from '../../core/index.ts'
import { NodeStats } from '../transport/index.ts'
import { openRouteFixture } from './route-fixture.ts'
import { uiDirectory, uiRoutes } from './ui-routes.ts'

test('/ui serves index.html, app.js and style.css with their types; other names are 404s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-ui-')) + '/'
  try {
    writeFileSync(dir + 'index.html', '<!doctype html><title>x</title>')
    writeFileSync(dir + 'app.js', 'export {}')
    writeFileSync(dir + 'style.css', 'body{}')
    const app = new Hono()
    uiRoutes(app, dir)
    const redirect = await app.request('/ui')
    assert.is(redirect.status, 302)
    assert.is(redirect.headers.get('location'), '/ui/')
    const index = await app.request('/ui/')
    assert.is(index.status, 200)
    assert.match(index.headers.get('content-type')!, /^text\/html/)
    assert.match(index.headers.get('content-security-policy')!, /default-src 'self'/)
    assert.match((await app.request('/ui/app.js')).headers.get('content-type')!, /javascript/)
    assert.match((await app.request('/ui/style.css')).headers.get('content-type')!, /text\/css/)
    const missing = await app.request('/ui/nope.js')
    assert.is(missing.status, 404)
    assert.match(await missing.text(), /no such file in the dashboard: nope\.js/)
    assert.is((await app.request('/ui/..%2Fpasswd')).status, 404)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('an unbuilt dashboard: /ui/ says to run npm run build', async () => {
  const app = new Hono()
  uiRoutes(app, null)
  const res = await app.request('/ui/')
  assert.is(res.status, 404)
  assert.match(await res.text(), /npm run build/)
  assert.is(uiDirectory([new URL('file:///nonexistent/')]), undefined)
})

test('the plane: /ui without a token, the API with one; a viewer reads but cannot scale', async () => {
  const f = await openRouteFixture('ui', { tokens: true })
  try {
    const page = await f.request('GET', '/ui/')
    assert.ok([200, 404].includes(page.status), 'no 401: the files need no token')
    assert.is((await f.request('GET', '/api/v1/nodes')).status, 401)
    const viewer = { authorization: `Bearer ${f.tokens.viewer}` }
    assert.is((await f.request('GET', '/api/v1/nodes', undefined, viewer)).status, 200)
    const rates = await f.request('GET', '/shoal/v1/request-rates', undefined, viewer)
    assert.is(rates.status, 200)
    assert.equal(rates.json, { items: [] })
    const admin = { authorization: `Bearer ${f.tokens.admin}` }
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'main', image: 'hello-wat:1' }] },
        },
      },
    }
    const made = await f.request('POST', '/apis/apps/v1/namespaces/default/deployments', d, admin)
    assert.is(made.status, 201, made.text)
    const scale = await f.request(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/web/scale',
      JSON.stringify({ spec: { replicas: 3 } }),
      { ...viewer, 'content-type': 'application/merge-patch+json' },
    )
    assert.is(scale.status, 403)
    assert.match(scale.json.message, /cannot patch resource "deployments\/scale"/)
  } finally {
    await f.close()
  }
})

test("/shoal/v1/request-rates: each pod's rate, with what the meshes saw of it", async () => {
  const clock = new FakeClock()
  const stats = new NodeStats({ clock })
  const latency = (n: number) => Array.from({ length: 14 }, (_, i) => (i === 3 ? n : 0))
  const sample = (time: number, requests: number, errors: number) => ({
    ...{ type: 'stats' as const, time },
    node: { cpuNanos: time, memoryBytes: 1, agent: { cpuNanos: 1, memoryBytes: 1 } },
    pods: [
      {
        ...{ uid: 'u1', namespace: 'default', name: 'web-1' },
        containers: [{ name: 'm', cpuNanos: 0, memoryBytes: 1, requests, startTime: 0 }],
      },
    ],
    mesh: [
      {
        namespace: 'default',
        service: 'web',
        pod: 'web-1',
        requests,
        errors,
        latency: latency(requests),
      },
    ],
  })
  stats.record('pi-1', sample(clock.now(), 0, 0))
  clock.advance(10_000)
  stats.record('pi-1', sample(clock.now(), 40, 2))
  const f = await openRouteFixture('rates', { usage: () => stats })
  try {
    const { status, json } = await f.request('GET', '/shoal/v1/request-rates')
    assert.is(status, 200)
    assert.equal(json.items, [
      {
        namespace: 'default',
        pod: 'web-1',
        timestamp: new Date(clock.now()).toISOString(),
        requestsPerSecond: 4,
        mesh: { requestsPerSecond: 4, errorsPerSecond: 0.2, latencyP50Ms: 7.5, latencyP99Ms: 9.95 },
      },
    ])
  } finally {
    await f.close()
  }
})

test.run()
