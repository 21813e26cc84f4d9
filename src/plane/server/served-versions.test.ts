// Route tests for a version served besides the storage version: HorizontalPodAutoscaler at
// autoscaling/v1, stored as autoscaling/v2, through every verb.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openRouteFixture, readWatchLines, type RouteFixture } from './route-fixture.ts'
import { AGGREGATED_CT } from './discovery.ts'

let f: RouteFixture
let app: RouteFixture['app']

test.before.each(async () => {
  f = await openRouteFixture('served')
  app = f.app
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

const V1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers'
const V2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers'
const ref = { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }
const cpu = (n: number) => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } },
})
const memory = {
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
}
const hpaV1 = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name },
  spec: {
    scaleTargetRef: ref,
    minReplicas: 2,
    maxReplicas: 5,
    targetCPUUtilizationPercentage: 80,
    ...spec,
  },
})
const mergePatch = { 'content-type': 'application/merge-patch+json' }

test('create at v1 → read at v2 (the CPU metric) and at v1 (targetCPUUtilizationPercentage)', async () => {
  const c = await req('POST', V1, hpaV1('web'))
  assert.is(c.status, 201, JSON.stringify(c.json))
  assert.equal(
    [c.json.apiVersion, c.json.spec.targetCPUUtilizationPercentage, c.json.spec.metrics],
    ['autoscaling/v1', 80, undefined],
  )
  const v2 = (await req('GET', `${V2}/web`)).json
  assert.equal(
    [v2.apiVersion, v2.spec.minReplicas, v2.spec.maxReplicas, v2.spec.metrics],
    ['autoscaling/v2', 2, 5, [cpu(80)]],
  )
  assert.is(v2.metadata.annotations, undefined)
  const v1 = (await req('GET', `${V1}/web`)).json
  assert.equal(
    [v1.apiVersion, v1.kind, v1.spec.targetCPUUtilizationPercentage, v1.metadata.resourceVersion],
    ['autoscaling/v1', 'HorizontalPodAutoscaler', 80, v2.metadata.resourceVersion],
  )
  const list = (await req('GET', V1)).json
  assert.equal(
    [
      list.kind,
      list.apiVersion,
      list.items[0].apiVersion,
      list.items[0].spec.targetCPUUtilizationPercentage,
    ],
    ['HorizontalPodAutoscalerList', 'autoscaling/v1', 'autoscaling/v1', 80],
  )
  // without a target, v1 gets Kubernetes' 80 % CPU default in the stored v2 object
  await req('POST', V1, hpaV1('bare', { targetCPUUtilizationPercentage: undefined }))
  assert.equal((await req('GET', `${V2}/bare`)).json.spec.metrics, [cpu(80)])
})

test('create at v2 with a memory metric → v1 keeps it in the metrics annotation; an update at v1 keeps it stored', async () => {
  await req('POST', V2, {
    metadata: { name: 'mem' },
    spec: { scaleTargetRef: ref, maxReplicas: 4, metrics: [cpu(60), memory] },
  })
  const v1 = (await req('GET', `${V1}/mem`)).json
  assert.is(v1.spec.targetCPUUtilizationPercentage, 60)
  assert.equal(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']), [
    { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
  ])
  const put = await req('PUT', `${V1}/mem`, { ...v1, spec: { ...v1.spec, maxReplicas: 6 } })
  assert.is(put.status, 200, JSON.stringify(put.json))
  const v2 = (await req('GET', `${V2}/mem`)).json
  assert.equal(
    [v2.spec.maxReplicas, v2.spec.metrics, v2.metadata.annotations],
    [6, [memory, cpu(60)], undefined],
  )
})

test('patch at v1 is applied to the v1 object, then stored as v2', async () => {
  await req('POST', V1, hpaV1('web'))
  const p = await req(
    'PATCH',
    `${V1}/web`,
    { spec: { targetCPUUtilizationPercentage: 55 } },
    mergePatch,
  )
  assert.equal(
    [p.status, p.json.apiVersion, p.json.spec.targetCPUUtilizationPercentage],
    [200, 'autoscaling/v1', 55],
  )
  assert.equal((await req('GET', `${V2}/web`)).json.spec.metrics, [cpu(55)])
  const json = await req(
    'PATCH',
    `${V1}/web`,
    [{ op: 'replace', path: '/spec/maxReplicas', value: 9 }],
    { 'content-type': 'application/json-patch+json' },
  )
  assert.equal([json.status, json.json.spec.maxReplicas], [200, 9])
  const apply = await req(
    'PATCH',
    `${V1}/applied?fieldManager=t`,
    hpaV1('applied', { targetCPUUtilizationPercentage: 70 }),
    { 'content-type': 'application/apply-patch+yaml' },
  )
  assert.equal([apply.status, apply.json.apiVersion], [201, 'autoscaling/v1'])
  assert.equal((await req('GET', `${V2}/applied`)).json.spec.metrics, [cpu(70)])
})

test('status at v1: currentCPUUtilizationPercentage in and out; delete at v1', async () => {
  await req('POST', V1, hpaV1('web'))
  const cur = (await req('GET', `${V1}/web/status`)).json
  const put = await req('PUT', `${V1}/web/status`, {
    ...cur,
    status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 91 },
  })
  assert.equal([put.status, put.json.status.currentCPUUtilizationPercentage], [200, 91])
  const v2 = (await req('GET', `${V2}/web`)).json
  assert.equal(v2.status.currentMetrics, [
    { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 91 } } },
  ])
  const table = await req('GET', `${V1}/web`, undefined, {
    accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
  })
  assert.equal(table.json.rows[0].cells.slice(0, 6), [
    'web',
    'Deployment/web',
    'cpu: 91%/80%',
    '2',
    5,
    2,
  ])
  const d = await req('DELETE', `${V1}/web`)
  assert.equal([d.status, d.json.apiVersion], [200, 'autoscaling/v1'])
  assert.is((await req('GET', `${V2}/web`)).status, 404)
})

test('watch at v1 gets v1 objects; a watch at v2 of the same events gets v2', async () => {
  const rv = (await req('GET', V1)).json.metadata.resourceVersion
  const ac = new AbortController()
  const w1 = await app.request(`${V1}?watch=true&resourceVersion=${rv}`, { signal: ac.signal })
  const w2 = await app.request(`${V2}?watch=true&resourceVersion=${rv}`, { signal: ac.signal })
  const lines1 = readLines(w1, 3)
  const lines2 = readLines(w2, 3)
  await req('POST', V1, hpaV1('web'))
  await req('PATCH', `${V2}/web`, { spec: { maxReplicas: 7 } }, mergePatch)
  await req('DELETE', `${V1}/web`)
  const [e1, e2] = await Promise.all([lines1, lines2])
  assert.equal(
    e1.map(
      (e) => `${e.type} ${e.object.apiVersion} ${e.object.spec.targetCPUUtilizationPercentage}`,
    ),
    ['ADDED autoscaling/v1 80', 'MODIFIED autoscaling/v1 80', 'DELETED autoscaling/v1 80'],
  )
  assert.equal(
    e2.map((e) => `${e.type} ${e.object.apiVersion} ${e.object.spec.metrics?.length}`),
    ['ADDED autoscaling/v2 1', 'MODIFIED autoscaling/v2 1', 'DELETED autoscaling/v2 1'],
  )
  assert.is(e1[1].object.spec.maxReplicas, 7)
  await req('POST', V2, {
    metadata: { name: 'kept' },
    spec: { scaleTargetRef: ref, maxReplicas: 3, metrics: [memory] },
  })
  const [first] = await readLines(await app.request(`${V1}?watch=true`, { signal: ac.signal }), 1)
  assert.equal(
    [
      first.type,
      first.object.apiVersion,
      first.object.metadata.name,
      first.object.spec.targetCPUUtilizationPercentage,
    ],
    ['ADDED', 'autoscaling/v1', 'kept', undefined],
  )
  assert.ok(first.object.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])
  ac.abort()
})

test('fieldValidation at v1 judges the v1 shape and names unknown fields as sent', async () => {
  const bad = {
    ...hpaV1('web'),
    spec: { ...hpaV1('web').spec, targetCPUUtilisationPercentage: 80, metrics: [] },
  }
  const strict = await req('POST', `${V1}?fieldValidation=Strict`, bad)
  assert.is(strict.status, 400)
  assert.is(
    strict.json.message,
    'HorizontalPodAutoscaler in version "v1" cannot be handled as a HorizontalPodAutoscaler: strict decoding error: unknown field "spec.targetCPUUtilisationPercentage", unknown field "spec.metrics"',
  )
  const warn = await req('POST', V1, bad)
  assert.is(warn.status, 201)
  assert.equal(
    warn.res.headers.get('warning'),
    '299 - "unknown field \\"spec.targetCPUUtilisationPercentage\\"", 299 - "unknown field \\"spec.metrics\\""',
  )
  const patch = await req(
    'PATCH',
    `${V1}/web?fieldValidation=Strict`,
    { spec: { metrics: [cpu(10)] } },
    mergePatch,
  )
  assert.equal(
    [patch.status, patch.json.message],
    [400, 'strict decoding error: unknown field "spec.metrics"'],
  )
  const invalid = await req('POST', V1, hpaV1('zero', { targetCPUUtilizationPercentage: 0 }))
  assert.equal(
    [invalid.status, invalid.json.details.causes[0].field],
    [422, 'spec.metrics[0].resource.target.averageUtilization'],
  )
})

test('discovery lists autoscaling v2 (preferred) and v1; OpenAPI has a v1 document', async () => {
  const apis = (await req('GET', '/apis', undefined, { accept: AGGREGATED_CT })).json
  const autoscaling = apis.items.find(
    (g: { metadata: { name: string } }) => g.metadata.name === 'autoscaling',
  )
  assert.equal(
    autoscaling.versions.map((v: { version: string }) => v.version),
    ['v2', 'v1'],
  )
  assert.equal(autoscaling.versions[1].resources[0].responseKind, {
    group: 'autoscaling',
    version: 'v1',
    kind: 'HorizontalPodAutoscaler',
  })
  const legacy = (await req('GET', '/apis')).json.groups.find(
    (g: { name: string }) => g.name === 'autoscaling',
  )
  assert.is(legacy.preferredVersion.version, 'v2')
  assert.is(
    (await req('GET', '/apis/autoscaling/v1')).json.resources[0].kind,
    'HorizontalPodAutoscaler',
  )
  assert.ok((await req('GET', '/openapi/v3')).json.paths['apis/autoscaling/v1'])
  const doc = (await req('GET', '/openapi/v3/apis/autoscaling/v1')).json
  assert.ok(
    doc.components.schemas['io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler'].properties.spec
      .properties.targetCPUUtilizationPercentage,
  )
})

const readLines = readWatchLines

test.run()
