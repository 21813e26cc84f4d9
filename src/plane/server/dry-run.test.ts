// ?dryRun=All: every write runs in full — validation, defaults, conflicts, AlreadyExists — and
// nothing is stored (kubectl --dry-run=server).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LogStore } from '../store/index.ts'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'

let f: RouteFixture
let store: LogStore

test.before.each(async () => {
  f = await openRouteFixture('dry')
  store = f.store
})
test.after.each(() => f.close())

async function req(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const { status, json } = await f.request(
    method,
    path,
    body,
    body === undefined ? {} : { 'content-type': contentType },
  )
  return { status, json }
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' } },
  spec: { containers: [{ name: 'main', image: 'hello-http:1' }] },
})
const PODS = '/api/v1/namespaces/default/pods'

test('a dry-run create answers the object as it would be stored and stores nothing', async () => {
  const rev = store.revision
  const r = await req('POST', `${PODS}?dryRun=All`, pod('a'))
  assert.is(r.status, 201)
  assert.ok(r.json.metadata.uid && r.json.metadata.creationTimestamp, 'server fields stamped')
  assert.is(r.json.spec.restartPolicy, 'Always', 'defaults applied')
  assert.is(r.json.status.phase, 'Pending')
  assert.is(r.json.metadata.resourceVersion, undefined)
  assert.is((await req('GET', `${PODS}/a`)).status, 404)
  assert.is(store.revision, rev, 'no revision written')
  const invalid = await req('POST', `${PODS}?dryRun=All`, { ...pod('b'), spec: { containers: [] } })
  assert.is(invalid.status, 422, 'validation still runs')
})

test('dry-run update, patch and delete check everything and change nothing', async () => {
  const created = (await req('POST', PODS, pod('a'))).json
  await req('POST', '/api/v1/namespaces', { metadata: { name: 'other' } })
  await req('POST', '/api/v1/namespaces/other/pods', pod('b'))
  const rev = store.revision
  const put = await req('PUT', `${PODS}/a?dryRun=All`, {
    ...created,
    metadata: { ...created.metadata, labels: { app: 'new' } },
  })
  assert.is(put.status, 200)
  assert.equal(put.json.metadata.labels, { app: 'new' })
  const patch = await req(
    'PATCH',
    `${PODS}/a?dryRun=All`,
    { metadata: { labels: { tier: 'x' } } },
    'application/merge-patch+json',
  )
  assert.is(patch.json.metadata.labels.tier, 'x')
  const stale = await req('PUT', `${PODS}/a?dryRun=All`, {
    ...created,
    metadata: { ...created.metadata, resourceVersion: '1' },
  })
  assert.is(stale.status, 409, 'conflicts still detected')
  assert.is((await req('DELETE', `${PODS}/a?dryRun=All`)).status, 200)
  assert.is((await req('DELETE', `/api/v1/namespaces/other?dryRun=All`)).status, 200)
  assert.is(
    (await req('DELETE', `/api/v1/namespaces/default?dryRun=All`)).status,
    403,
    'a built-in namespace is refused, dry run or not',
  )
  assert.is(
    (await req('DELETE', `${PODS}/a`, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] }))
      .status,
    200,
    'dryRun in DeleteOptions, as kubectl sends it',
  )
  assert.is((await req('DELETE', PODS, { dryRun: ['All'] })).status, 200, 'deletecollection')
  const after = await req('GET', `${PODS}/a`)
  assert.is(after.status, 200)
  assert.equal(after.json.metadata.labels, { app: 'web' })
  assert.is(
    (await req('GET', '/api/v1/namespaces/other')).json.metadata.deletionTimestamp,
    undefined,
  )
  assert.is((await req('GET', '/api/v1/namespaces/other/pods/b')).status, 200)
  assert.is(store.revision, rev)
})

test('a dry-run create of an existing name is AlreadyExists; an unknown dryRun value is refused', async () => {
  await req('POST', PODS, pod('a'))
  assert.is((await req('POST', `${PODS}?dryRun=All`, pod('a'))).status, 409)
  const bad = await req('POST', `${PODS}?dryRun=Some`, pod('c'))
  assert.is(bad.status, 422)
  assert.match(bad.json.message, /dryRun: Unsupported value: "Some": supported values: "All"/)
  assert.is((await req('GET', `${PODS}/c`)).status, 404)
})

test.run()
