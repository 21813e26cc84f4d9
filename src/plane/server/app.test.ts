// Route tests with app.request(): no socket, a real store in a temp dir.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decode as cborDecode } from 'cbor-x'
import type { LogStore } from '../store/index.ts'
import { openRouteFixture, readWatchLines, type RouteFixture } from './route-fixture.ts'
import { AGGREGATED_CT } from './discovery.ts'

let f: RouteFixture
let store: LogStore
let app: RouteFixture['app']

test.before.each(async () => {
  f = await openRouteFixture('api')
  ;({ store, app } = f)
})
test.after.each(() => f.close())

async function req(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const { res, status, json } = await f.request(method, path, body, headers)
  return { res, status, json }
}

const pod = (name: string, labels: Record<string, string> = { app: 'web' }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'main', image: 'hello-http:1' }] },
})

test('discovery: aggregated /api and /apis with the exact content type and short names', async () => {
  const accept =
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'
  const core = await req('GET', '/api', undefined, { accept })
  assert.is(core.res.headers.get('content-type'), AGGREGATED_CT)
  const pods = core.json.items[0].versions[0].resources.find(
    (r: { resource: string }) => r.resource === 'pods',
  )
  assert.equal(pods.shortNames, ['po'])
  const apis = await req('GET', '/apis', undefined, { accept })
  const apps = apis.json.items.find(
    (g: { metadata: { name: string } }) => g.metadata.name === 'apps',
  )
  assert.ok(
    apps.versions[0].resources.some((r: { shortNames?: string[] }) =>
      r.shortNames?.includes('deploy'),
    ),
  )
  assert.is((await req('GET', '/version')).json.gitVersion.slice(0, 6), 'v1.32.')
  const oa = await req('GET', '/openapi/v3/apis/apps/v1')
  assert.ok(
    oa.json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch[
      'x-kubernetes-group-version-kind'
    ],
  )
})

test('create, get, AlreadyExists, NotFound as metav1.Status', async () => {
  const c = await req('POST', '/api/v1/namespaces/default/pods', pod('a'))
  assert.is(c.status, 201)
  assert.ok(
    c.json.metadata.uid && c.json.metadata.resourceVersion && c.json.metadata.creationTimestamp,
  )
  assert.is(c.json.spec.restartPolicy, 'Always', 'defaults applied')
  const g = await req('GET', '/api/v1/namespaces/default/pods/a')
  assert.is(g.json.metadata.resourceVersion, c.json.metadata.resourceVersion)
  const dup = await req('POST', '/api/v1/namespaces/default/pods', pod('a'))
  assert.equal(
    [dup.status, dup.json.kind, dup.json.reason, dup.json.message],
    [409, 'Status', 'AlreadyExists', 'pods "a" already exists'],
  )
  const nf = await req('GET', '/api/v1/namespaces/default/pods/nope')
  assert.equal(
    [nf.status, nf.json.reason, nf.json.message],
    [404, 'NotFound', 'pods "nope" not found'],
  )
  const noNs = await req('POST', '/api/v1/namespaces/ghost/pods', pod('a'))
  assert.equal([noNs.status, noNs.json.message], [404, 'namespaces "ghost" not found'])
})

test('bad input: 422 with every field path, 400 for malformed JSON/YAML, 415, 413; nothing written', async () => {
  const before = store.revision
  const bad = await req('POST', '/api/v1/namespaces/default/pods', {
    metadata: { name: 'Bad_Name' },
    spec: { containers: [{ name: 'x' }, { name: 'x', image: 'i' }] },
  })
  assert.is(bad.status, 422)
  assert.is(bad.json.reason, 'Invalid')
  const fields = bad.json.details.causes.map((c: { field: string }) => c.field)
  for (const f of ['metadata.name', 'spec.containers[0].image', 'spec.containers[1].name'])
    assert.ok(fields.includes(f), `${f} in ${fields}`)
  const malformed = await req('POST', '/api/v1/namespaces/default/pods', '{"metadata": {', {
    'content-type': 'application/json',
  })
  assert.equal([malformed.status, malformed.json.reason], [400, 'BadRequest'])
  assert.match(malformed.json.message, /not valid JSON/)
  const yaml = await req(
    'POST',
    '/api/v1/namespaces/default/pods',
    'metadata:\n  name: [unclosed',
    { 'content-type': 'application/yaml' },
  )
  assert.equal([yaml.status], [400])
  assert.match(yaml.json.message, /not valid YAML/)
  const ct = await req('POST', '/api/v1/namespaces/default/pods', 'x', {
    'content-type': 'text/csv',
  })
  assert.is(ct.status, 415)
  const big = await req(
    'POST',
    '/api/v1/namespaces/default/pods',
    JSON.stringify({ metadata: { name: 'big', annotations: { a: 'x'.repeat(4 << 20) } } }),
    { 'content-type': 'application/json' },
  )
  assert.is(big.status, 413)
  const listMeta = await req('POST', '/api/v1/namespaces/default/pods', { metadata: [1], spec: {} })
  assert.is(listMeta.status, 422, 'metadata that is a list')
  assert.equal(
    listMeta.json.details.causes.map((c: { field: string }) => c.field),
    ['metadata'],
  )
  for (const body of ['null', '5', '[]']) {
    const apply = await req('PATCH', '/api/v1/namespaces/default/pods/none?fieldManager=t', body, {
      'content-type': 'application/apply-patch+yaml',
    })
    assert.equal(
      [apply.status, apply.json.message],
      [400, 'the apply body must be an object'],
      `apply ${body}`,
    )
  }
  const dry = await req('DELETE', '/api/v1/namespaces/default', { dryRun: 'All' })
  assert.equal([dry.status, dry.json.message], [400, 'dryRun must be a list of strings, not "All"'])
  assert.is(store.revision, before, 'failed requests wrote nothing')
})

test('update: stale resourceVersion is a 409 Conflict; generation follows spec changes only', async () => {
  const c = await req('POST', '/apis/apps/v1/namespaces/default/deployments', {
    metadata: { name: 'web' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'm', image: 'i:1' }] },
      },
    },
  })
  assert.is(c.status, 201)
  assert.is(c.json.metadata.generation, 1)
  const upd = { ...c.json, spec: { ...c.json.spec, replicas: 3 } }
  const u = await req('PUT', '/apis/apps/v1/namespaces/default/deployments/web', upd)
  assert.is(u.status, 200)
  assert.is(u.json.metadata.generation, 2)
  const stale = await req('PUT', '/apis/apps/v1/namespaces/default/deployments/web', upd)
  assert.equal([stale.status, stale.json.reason], [409, 'Conflict'])
  const labelled = await req(
    'PATCH',
    '/apis/apps/v1/namespaces/default/deployments/web',
    { metadata: { labels: { x: 'y' } } },
    { 'content-type': 'application/merge-patch+json' },
  )
  assert.is(labelled.json.metadata.generation, 2)
  assert.is(labelled.json.metadata.labels.x, 'y')
})

test('patch: merge, JSON patch, strategic merge, and server-side apply as an upsert', async () => {
  await req('POST', '/api/v1/namespaces/default/pods', pod('p'))
  const j = await req(
    'PATCH',
    '/api/v1/namespaces/default/pods/p',
    [{ op: 'add', path: '/metadata/annotations', value: { a: '1' } }],
    { 'content-type': 'application/json-patch+json' },
  )
  assert.is(j.json.metadata.annotations.a, '1')
  const s = await req(
    'PATCH',
    '/api/v1/namespaces/default/pods/p',
    { metadata: { labels: { app: null, tier: 'x' } } },
    { 'content-type': 'application/strategic-merge-patch+json' },
  )
  assert.equal(s.json.metadata.labels, { tier: 'x' })
  const failing = await req(
    'PATCH',
    '/api/v1/namespaces/default/pods/p',
    [{ op: 'test', path: '/metadata/name', value: 'other' }],
    { 'content-type': 'application/json-patch+json' },
  )
  assert.is(failing.status, 422)
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { k: 'v' } }
  const a1 = await req(
    'PATCH',
    '/api/v1/namespaces/default/configmaps/cfg?fieldManager=kubectl&force=false',
    cm,
    { 'content-type': 'application/apply-patch+yaml' },
  )
  assert.is(a1.status, 201)
  const a2 = await req(
    'PATCH',
    '/api/v1/namespaces/default/configmaps/cfg?fieldManager=kubectl',
    { ...cm, data: { k: 'v2' } },
    { 'content-type': 'application/apply-patch+yaml' },
  )
  assert.equal([a2.status, a2.json.data.k], [200, 'v2'])
  const yamlApply = await req(
    'PATCH',
    '/api/v1/namespaces/default/configmaps/cfg',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: v3\n',
    { 'content-type': 'application/apply-patch+yaml' },
  )
  assert.is(yamlApply.json.data.k, 'v3')
})

test('list with label and field selectors; Table and CBOR output', async () => {
  await req('POST', '/api/v1/namespaces/default/pods', pod('a', { app: 'web' }))
  await req('POST', '/api/v1/namespaces/default/pods', pod('b', { app: 'db' }))
  const l = await req(
    'GET',
    '/api/v1/namespaces/default/pods?labelSelector=' + encodeURIComponent('app in (web,x)'),
  )
  assert.equal(
    l.json.items.map((i: { metadata: { name: string } }) => i.metadata.name),
    ['a'],
  )
  assert.is(l.json.kind, 'PodList')
  assert.ok(Number(l.json.metadata.resourceVersion) > 0)
  const f = await req('GET', '/api/v1/pods?fieldSelector=metadata.name%3Db')
  assert.equal(
    f.json.items.map((i: { metadata: { name: string } }) => i.metadata.name),
    ['b'],
  )
  const badSel = await req('GET', '/api/v1/pods?labelSelector=' + encodeURIComponent('app in (web'))
  assert.is(badSel.status, 400)
  const t = await req('GET', '/api/v1/namespaces/default/pods', undefined, {
    accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
  })
  assert.is(t.json.kind, 'Table')
  assert.ok(t.json.columnDefinitions.some((c: { name: string }) => c.name === 'Ready'))
  assert.is(t.json.rows.length, 2)
  assert.is(t.json.rows[0].object.metadata.namespace, 'default')
  const cb = await app.request('/api/v1/namespaces/default/pods/a', {
    headers: { accept: 'application/cbor' },
  })
  assert.is(cb.headers.get('content-type'), 'application/cbor')
  const obj = cborDecode(new Uint8Array(await cb.arrayBuffer())) as { metadata: { name: string } }
  assert.is(obj.metadata.name, 'a')
})

test('limit and continue page through one revision', async () => {
  for (const n of ['a', 'b', 'c', 'd', 'e'])
    await req('POST', '/api/v1/namespaces/default/pods', pod(n))
  const p1 = await req('GET', '/api/v1/namespaces/default/pods?limit=2')
  assert.is(p1.json.items.length, 2)
  await req('POST', '/api/v1/namespaces/default/pods', pod('f'))
  const p2 = await req(
    'GET',
    `/api/v1/namespaces/default/pods?limit=10&continue=${p1.json.metadata.continue}`,
  )
  assert.equal(
    p2.json.items.map((i: { metadata: { name: string } }) => i.metadata.name),
    ['c', 'd', 'e'],
  )
})

const readLines = readWatchLines

test('watch from a list resourceVersion streams changes; a compacted one is 410 Gone', async () => {
  await req('POST', '/api/v1/namespaces/default/pods', pod('w1'))
  const list = await req('GET', '/api/v1/namespaces/default/pods')
  const rv = list.json.metadata.resourceVersion
  const ac = new AbortController()
  const res = await app.request(
    `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`,
    { signal: ac.signal },
  )
  assert.is(res.status, 200)
  const lines = readLines(res, 3)
  await req('POST', '/api/v1/namespaces/default/pods', pod('w2'))
  await req(
    'PATCH',
    '/api/v1/namespaces/default/pods/w1',
    { metadata: { labels: { x: 'y' } } },
    { 'content-type': 'application/merge-patch+json' },
  )
  await req('DELETE', '/api/v1/namespaces/default/pods/w2')
  const evs = await lines
  assert.equal(
    evs.map((e) => `${e.type} ${e.object.metadata.name}`),
    ['ADDED w2', 'MODIFIED w1', 'DELETED w2'],
  )
  assert.ok(evs.every((e) => (e.object as unknown as { kind: string }).kind === 'Pod'))
  await store.compact(store.revision)
  const gone = await req('GET', `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`)
  assert.equal([gone.status, gone.json.reason], [410, 'Expired'])
})

test('delete: finalizers hold the object with a deletionTimestamp until removed', async () => {
  await req('POST', '/api/v1/namespaces/default/configmaps', {
    metadata: { name: 'f', finalizers: ['example.com/hold'] },
    data: {},
  })
  const d = await req('DELETE', '/api/v1/namespaces/default/configmaps/f', {
    propagationPolicy: 'Background',
  })
  assert.is(d.status, 200, 'kept, and answered 200 as kube-apiserver does')
  assert.ok(d.json.metadata.deletionTimestamp)
  assert.is((await req('GET', '/api/v1/namespaces/default/configmaps/f')).status, 200)
  const fin = await req(
    'PATCH',
    '/api/v1/namespaces/default/configmaps/f',
    { metadata: { finalizers: null } },
    { 'content-type': 'application/merge-patch+json' },
  )
  assert.is(fin.status, 200)
  assert.is((await req('GET', '/api/v1/namespaces/default/configmaps/f')).status, 404)
})

test('creates follow their namespace: refused while it is being deleted, NotFound once it is gone, allowed again when it is back', async () => {
  const ns = (name: string) => ({ metadata: { name, finalizers: ['example.com/hold'] } })
  assert.is((await req('POST', '/api/v1/namespaces', ns('life'))).status, 201)
  assert.is((await req('POST', '/api/v1/namespaces/life/pods', pod('p1'))).status, 201)
  const deleting = await req('DELETE', '/api/v1/namespaces/life')
  assert.equal(
    [deleting.status, deleting.json.status.phase, deleting.json.spec.finalizers],
    [200, 'Terminating', ['kubernetes']],
  )
  assert.ok(deleting.json.metadata.deletionTimestamp)
  const terminating = await req('POST', '/api/v1/namespaces/life/pods', pod('p2'))
  assert.equal(
    [terminating.status, terminating.json.reason, terminating.json.message],
    [
      403,
      'Forbidden',
      'unable to create new content in namespace life because it is being terminated',
    ],
  )
  await req(
    'PATCH',
    '/api/v1/namespaces/life',
    { metadata: { finalizers: null }, spec: { finalizers: [] } },
    { 'content-type': 'application/merge-patch+json' },
  )
  const held = await req('GET', '/api/v1/namespaces/life')
  assert.equal(held.json.spec.finalizers, ['kubernetes'], 'only finalize changes spec.finalizers')
  // what the namespace controller does once the namespace is empty (no controllers here)
  const fin = await req('PUT', '/api/v1/namespaces/life/finalize', {
    ...held.json,
    spec: { finalizers: [] },
  })
  assert.is(fin.status, 200)
  assert.is((await req('GET', '/api/v1/namespaces/life')).status, 404)
  const gone = await req('POST', '/api/v1/namespaces/life/pods', pod('p3'))
  assert.equal([gone.status, gone.json.message], [404, 'namespaces "life" not found'])
  assert.is((await req('POST', '/api/v1/namespaces', { metadata: { name: 'life' } })).status, 201)
  assert.is((await req('POST', '/api/v1/namespaces/life/pods', pod('p4'))).status, 201)
})

test('what a create answers is what it stored: defaults, server-owned metadata, no client resourceVersion or deletionTimestamp', async () => {
  const body = {
    ...pod('shared'),
    metadata: { name: 'shared', resourceVersion: '999', deletionTimestamp: '2020-01-01T00:00:00Z' },
  }
  const c = await req('POST', '/api/v1/namespaces/default/pods', body)
  assert.is(c.status, 201)
  assert.is(c.json.spec.restartPolicy, 'Always')
  assert.is(c.json.metadata.generation, 1)
  assert.ok(c.json.metadata.resourceVersion !== '999')
  const g = await req('GET', '/api/v1/namespaces/default/pods/shared')
  assert.equal(g.json.spec, c.json.spec, 'what was answered is what was stored')
  assert.is(g.json.metadata.resourceVersion, c.json.metadata.resourceVersion)
  assert.is('deletionTimestamp' in g.json.metadata, false)
})

test('scale subresource reads and writes spec.replicas', async () => {
  await req('POST', '/apis/apps/v1/namespaces/default/deployments', {
    metadata: { name: 's' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 's' } },
      template: {
        metadata: { labels: { app: 's' } },
        spec: { containers: [{ name: 'm', image: 'i:1' }] },
      },
    },
  })
  const g = await req('GET', '/apis/apps/v1/namespaces/default/deployments/s/scale')
  assert.equal([g.json.kind, g.json.spec.replicas, g.json.status.selector], ['Scale', 1, 'app=s'])
  const p = await req(
    'PATCH',
    '/apis/apps/v1/namespaces/default/deployments/s/scale',
    { spec: { replicas: 3 } },
    { 'content-type': 'application/merge-patch+json' },
  )
  assert.is(p.json.spec.replicas, 3)
  assert.is(
    (await req('GET', '/apis/apps/v1/namespaces/default/deployments/s')).json.spec.replicas,
    3,
  )
  const neg = await req(
    'PATCH',
    '/apis/apps/v1/namespaces/default/deployments/s/scale',
    { spec: { replicas: -1 } },
    { 'content-type': 'application/merge-patch+json' },
  )
  assert.is(neg.status, 400)
  for (const [method, ct] of [
    ['PUT', 'application/json'],
    ['PATCH', 'application/merge-patch+json'],
  ]) {
    const nul = await req(method, '/apis/apps/v1/namespaces/default/deployments/s/scale', 'null', {
      'content-type': ct,
    })
    assert.is(nul.status, 400, `${method} null`)
  }
  assert.is(
    (await req('GET', '/apis/apps/v1/namespaces/default/deployments/s')).json.spec.replicas,
    3,
  )
})

test('delete with a propagation policy: Foreground and Orphan mark the owner for the garbage collector, Background deletes it now', async () => {
  const cm = (name: string) =>
    req('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name } })
  const path = (name: string) => `/api/v1/namespaces/default/configmaps/${name}`
  await cm('fore')
  const fore = await req('DELETE', path('fore'), { propagationPolicy: 'Foreground' })
  assert.equal([fore.status, fore.json.metadata.finalizers], [200, ['foregroundDeletion']])
  assert.ok(fore.json.metadata.deletionTimestamp)
  // asked again without a policy: the pending one stands, nothing is written
  const again = await req('DELETE', path('fore'))
  assert.is(again.json.metadata.resourceVersion, fore.json.metadata.resourceVersion)
  // asked again with Background: the garbage collector's finalizer goes, and so does the object
  assert.is((await req('DELETE', path('fore'), { propagationPolicy: 'Background' })).status, 200)
  assert.is((await req('GET', path('fore'))).status, 404)
  await cm('orph')
  const orph = await req('DELETE', `${path('orph')}?propagationPolicy=Orphan`)
  assert.equal(orph.json.metadata.finalizers, ['orphan'])
  await cm('legacy')
  const legacy = await req('DELETE', path('legacy'), { orphanDependents: false })
  assert.is(legacy.status, 200, 'deleted at once')
  const both = await req('DELETE', path('orph'), {
    orphanDependents: true,
    propagationPolicy: 'Foreground',
  })
  assert.equal([both.status, both.json.details.causes[0].field], [422, 'propagationPolicy'])
  const batch = await req('POST', '/apis/batch/v1/namespaces/default/jobs', {
    metadata: { name: 'j' },
    spec: {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'i:1' }] } },
    },
  })
  assert.is(batch.status, 201)
  const job = await req('DELETE', '/apis/batch/v1/namespaces/default/jobs/j')
  assert.equal(job.json.metadata.finalizers, ['orphan'], 'batch/v1 Jobs orphan by default')
})

test('a Job gets a selector on its own uid, as in Kubernetes', async () => {
  const j = await req('POST', '/apis/batch/v1/namespaces/default/jobs', {
    metadata: { name: 'once' },
    spec: {
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'sensor-job:1' }] },
      },
    },
  })
  assert.is(j.status, 201, JSON.stringify(j.json))
  const uid = j.json.metadata.uid
  assert.equal(j.json.spec.selector.matchLabels, { 'batch.kubernetes.io/controller-uid': uid })
  assert.is(j.json.spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'once')
})

test('metrics in Prometheus text format', async () => {
  await req('GET', '/api/v1/namespaces/default/pods')
  const m = await app.request('/metrics')
  const text = await m.text()
  assert.match(text, /shoal_apiserver_requests_total\{verb="list",resource="pods",code="200"\} 1/)
  assert.match(text, /shoal_store_revision \d+/)
  assert.match(text, /shoal_apiserver_watches 0/)
  assert.match(text, /shoal_store_versions [1-9]\d*/)
  assert.match(text, /shoal_store_value_bytes\{state="unsettled"\} \d+/)
  assert.match(text, /shoal_store_value_bytes\{state="cached"\} \d+/)
  assert.match(text, /shoal_store_disk_bytes\{state="retained"\} [1-9]\d*/)
  assert.match(text, /shoal_store_disk_bytes\{state="dead"\} \d+/)
  for (const g of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes'])
    assert.match(text, new RegExp(`\\n${g} [1-9]\\d*\\n`), g)
  assert.match(text, /\nnodejs_external_memory_bytes \d+\n/)
})

test.run()
