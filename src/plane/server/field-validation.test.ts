// fieldValidation on the write routes, through app.request(): Strict fails with every unknown
// and duplicate field and writes nothing; Warn (the default) and Ignore drop unknown fields,
// Warn says so in Warning headers; patches and the scale subresource are judged too.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, unknownFields } from '../../api/index.ts'
import type { LogStore } from '../store/index.ts'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'
import type { ObjectStore } from './object-store.ts'

let f: RouteFixture
let store: LogStore
let objects: ObjectStore

test.before.each(async () => {
  f = await openRouteFixture('fv')
  ;({ store, objects } = f)
})
test.after.each(() => f.close())

async function req(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const { res, status, text } = await f.request(
    method,
    path,
    body,
    body === undefined ? {} : { 'content-type': contentType },
  )
  const warnings = (res.headers.get('warning') ?? '').split(/, (?=299 )/).filter(Boolean)
  return { status, json: text.startsWith('{') ? JSON.parse(text) : undefined, warnings }
}

const deployments = '/apis/apps/v1/namespaces/default/deployments'

const deployment = (extra: { spec?: object; container?: object } = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    labels: { app: 'web', 'any.key/even-this': 'kept' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}' },
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'web', image: 'hello-http:1', ...extra.container }],
        nodeSelector: { 'free-form': 'yes' },
      },
    },
    ...extra.spec,
  },
})

const typo = () => deployment({ spec: { replicass: 3 }, container: { imagee: 'x' } })

test("Strict: 400 naming every unknown field, in kubectl's format, and nothing is written", async () => {
  const before = store.revision
  const r = await req('POST', `${deployments}?fieldValidation=Strict`, typo())
  assert.is(r.status, 400)
  assert.is(r.json.reason, 'BadRequest')
  assert.is(
    r.json.message,
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replicass"',
  )
  assert.is(store.revision, before, 'nothing written')
  assert.is((await req('GET', `${deployments}/web`)).status, 404)
})

test('Warn (also the default): 201, one Warning header per field, unknown fields not stored, maps verbatim', async () => {
  for (const q of ['?fieldValidation=Warn', '']) {
    const r = await req('POST', `${deployments}${q}`, typo())
    assert.is(r.status, 201, q)
    assert.equal(
      r.warnings,
      [
        '299 - "unknown field \\"spec.template.spec.containers[0].imagee\\""',
        '299 - "unknown field \\"spec.replicass\\""',
      ],
      q,
    )
    const got = (await req('GET', `${deployments}/web`)).json
    assert.is(got.spec.replicass, undefined)
    assert.is(got.spec.template.spec.containers[0].imagee, undefined)
    assert.is(got.spec.replicas, 2)
    assert.equal(got.metadata.labels, { app: 'web', 'any.key/even-this': 'kept' })
    assert.is(
      got.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
      '{"x":1}',
    )
    assert.equal(got.spec.template.spec.nodeSelector, { 'free-form': 'yes' })
    await req('DELETE', `${deployments}/web`)
  }
})

test('Ignore: pruned silently; a known-but-unsupported field is still kept for validation', async () => {
  const r = await req('POST', `${deployments}?fieldValidation=Ignore`, typo())
  assert.equal([r.status, r.warnings], [201, []])
  assert.is(r.json.spec.replicass, undefined)
  const clean = await req('POST', `${deployments}?fieldValidation=Strict`, {
    ...deployment(),
    metadata: { name: 'clean' },
  })
  assert.equal([clean.status, clean.warnings], [201, []])
})

test('a bad fieldValidation value fails before anything is read or written', async () => {
  const r = await req('POST', `${deployments}?fieldValidation=strict`, deployment())
  assert.is(r.status, 422)
  assert.is(
    r.json.message,
    'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
  )
  const p = await req(
    'PATCH',
    `${deployments}/web?fieldValidation=Nope`,
    { spec: {} },
    'application/merge-patch+json',
  )
  assert.match(
    p.json.message,
    /^PatchOptions\.meta\.k8s\.io "" is invalid: fieldValidation: Unsupported value: "Nope"/,
  )
})

test('duplicate keys: JSON in document order with the unknown fields, YAML as the YAML decoder says', async () => {
  const json = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"dupename","name":"web","unknownMeta":1},
    "spec":{"unknownDupe":1,"unknownDupe":2,"paused":true,"paused":false,"selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"i:1","unknownNested":1,"imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}`
  const r = await req('POST', `${deployments}?fieldValidation=Strict`, json)
  assert.is(
    r.json.message,
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
  )
  const warned = await req('POST', deployments, json)
  assert.is(warned.status, 201)
  assert.is(warned.warnings.length, 6)
  assert.equal(
    [
      warned.json.metadata.name,
      warned.json.spec.paused,
      warned.json.spec.template.spec.containers[0].imagePullPolicy,
    ],
    ['web', false, 'Never'],
    'the last wins',
  )
  const yaml =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  name: c\ndata:\n  a: "1"\n  a: "2"\nextra: 1\n'
  const y = await req(
    'POST',
    '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
    yaml,
    'application/yaml',
  )
  assert.is(y.status, 400)
  assert.is(
    y.json.message,
    'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map\n  line 8: key "a" already set in map, unknown field "extra"',
  )
  const yw = await req('POST', '/api/v1/namespaces/default/configmaps', yaml, 'application/yaml')
  assert.is(yw.status, 201)
  assert.equal(yw.json.data, { a: '2' })
  assert.is(yw.warnings[0], '299 - "line 5: key \\"name\\" already set in map"')
})

test('PUT is judged like POST; status PUT too', async () => {
  const created = (await req('POST', deployments, deployment())).json
  const body = { ...typo(), metadata: { ...created.metadata } }
  const strict = await req('PUT', `${deployments}/web?fieldValidation=Strict`, body)
  assert.equal(
    [strict.status, strict.json.message],
    [
      400,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replicass"',
    ],
  )
  const warn = await req('PUT', `${deployments}/web`, body)
  assert.equal([warn.status, warn.warnings.length, warn.json.spec.replicass], [200, 2, undefined])
  const status = await req('PUT', `${deployments}/web/status?fieldValidation=Strict`, {
    ...warn.json,
    status: { replicas: 1, readyReplicass: 1 },
  })
  assert.equal(
    [status.status, status.json.message],
    [
      400,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "status.readyReplicass"',
    ],
  )
})

test('patches: duplicates of the patch, then unknown fields of the patched object, sorted; pruned under Warn', async () => {
  await req('POST', deployments, deployment())
  const before = store.revision
  const merge =
    '{"spec":{"paused":true,"paused":false,"zzz":1,"template":{"spec":{"containers":[{"name":"web","image":"i:2","imagee":"x"}]}}}}'
  const strict = await req(
    'PATCH',
    `${deployments}/web?fieldValidation=Strict`,
    merge,
    'application/merge-patch+json',
  )
  assert.equal(
    [strict.status, strict.json.message],
    [
      400,
      'strict decoding error: duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.zzz"',
    ],
  )
  assert.is(store.revision, before)
  const smp = await req(
    'PATCH',
    `${deployments}/web`,
    '{"spec":{"template":{"spec":{"containers":[{"name":"web","imagee":"x"}]}}}}',
    'application/strategic-merge-patch+json',
  )
  assert.equal(
    [smp.status, smp.warnings, smp.json.spec.template.spec.containers[0].imagee],
    [200, ['299 - "unknown field \\"spec.template.spec.containers[0].imagee\\""'], undefined],
  )
  const ops =
    '[{"op":"add","path":"/spec/foo","value":1,"extra":2},{"op":"add","path":"/spec/a","path":"/spec/b","value":1}]'
  const jp = await req(
    'PATCH',
    `${deployments}/web?fieldValidation=Strict`,
    ops,
    'application/json-patch+json',
  )
  assert.is(
    jp.json.message,
    'strict decoding error: json patch unknown field "[0].extra", json patch duplicate field "[1].path", unknown field "spec.b", unknown field "spec.foo"',
  )
  const ignored = await req(
    'PATCH',
    `${deployments}/web?fieldValidation=Ignore`,
    ops,
    'application/json-patch+json',
  )
  assert.equal([ignored.status, ignored.warnings, ignored.json.spec.foo], [200, [], undefined])
})

test('server-side apply: unknown fields fail in every mode (no typed object), duplicates follow the directive', async () => {
  const body = JSON.stringify({ ...typo(), metadata: { name: 'web', namespace: 'default' } })
  for (const q of ['Strict', 'Warn', 'Ignore']) {
    const r = await req(
      'PATCH',
      `${deployments}/web?fieldManager=kubectl&fieldValidation=${q}`,
      body,
      'application/apply-patch+yaml',
    )
    assert.equal([r.status, r.json.reason], [400, 'BadRequest'], q)
    assert.is(
      r.json.message,
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n  .spec.template.spec.containers[0].imagee: field not declared in schema\n  .spec.replicass: field not declared in schema',
    )
  }
  assert.is((await req('GET', `${deployments}/web`)).status, 404)
  const dup = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n  a: "2"\n'
  const s = await req(
    'PATCH',
    '/api/v1/namespaces/default/configmaps/c?fieldManager=m&fieldValidation=Strict',
    dup,
    'application/apply-patch+yaml',
  )
  assert.equal(
    [s.status, s.json.message],
    [
      400,
      'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "a" already set in map',
    ],
  )
  const w = await req(
    'PATCH',
    '/api/v1/namespaces/default/configmaps/c?fieldManager=m',
    dup,
    'application/apply-patch+yaml',
  )
  assert.equal(
    [w.status, w.warnings, w.json.data],
    [201, ['299 - "line 7: key \\"a\\" already set in map"'], { a: '2' }],
  )
})

test('scale subresource: judged against the Scale schema', async () => {
  await req('POST', deployments, deployment())
  const strict = await req(
    'PATCH',
    `${deployments}/web/scale?fieldValidation=Strict`,
    { spec: { replicas: 3, replicass: 4 } },
    'application/merge-patch+json',
  )
  assert.equal(
    [strict.status, strict.json.message],
    [400, 'strict decoding error: unknown field "spec.replicass"'],
  )
  const warn = await req(
    'PATCH',
    `${deployments}/web/scale`,
    { spec: { replicas: 3, replicass: 4 } },
    'application/merge-patch+json',
  )
  assert.equal(
    [warn.status, warn.json.spec.replicas, warn.warnings],
    [200, 3, ['299 - "unknown field \\"spec.replicass\\""']],
  )
  const put = await req('PUT', `${deployments}/web/scale?fieldValidation=Strict`, {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'web' },
    spec: { replicas: 1 },
    bogus: 1,
  })
  assert.equal(
    [put.status, put.json.message],
    [
      400,
      'Scale in version "v1" cannot be handled as a Scale: strict decoding error: unknown field "bogus"',
    ],
  )
  assert.is((await req('GET', `${deployments}/web`)).json.spec.replicas, 3)
})

test('objects stored before this check are cleaned by the next patch, not blamed on it', async () => {
  const old = {
    ...typo(),
    metadata: { name: 'web', namespace: 'default', uid: 'u1', generation: 1 },
  }
  await objects.create(resourceByKind('Deployment')!, old)
  const r = await req(
    'PATCH',
    `${deployments}/web?fieldValidation=Strict`,
    { metadata: { labels: { extra: 'x' } } },
    'application/merge-patch+json',
  )
  assert.equal(
    [r.status, r.json.metadata.labels.extra, r.json.spec.replicass],
    [200, 'x', undefined],
  )
})

test('what the server stores and serves has no unknown field: GET, edit, PUT back works under Strict', async () => {
  const bodies: [string, object][] = [
    ['/apis/apps/v1/namespaces/default/deployments', deployment()],
    [
      '/api/v1/namespaces/default/pods',
      {
        metadata: { name: 'p' },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'i:1',
              ports: [{ containerPort: 80 }],
              readinessProbe: { httpGet: { port: 80 } },
            },
          ],
          volumes: [{ name: 'v', secret: { secretName: 's' } }],
        },
      },
    ],
    [
      '/apis/batch/v1/namespaces/default/jobs',
      {
        metadata: { name: 'j' },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i:1' }] } },
        },
      },
    ],
    [
      '/api/v1/namespaces/default/services',
      { metadata: { name: 's' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } },
    ],
    ['/api/v1/namespaces/default/secrets', { metadata: { name: 'sec' }, stringData: { a: 'b' } }],
    [
      '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers',
      {
        metadata: { name: 'h' },
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 },
      },
    ],
    [
      '/apis/apps/v1/namespaces/default/daemonsets',
      {
        metadata: { name: 'd' },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'b' } },
            spec: { containers: [{ name: 'c', image: 'i:1' }] },
          },
        },
      },
    ],
  ]
  for (const [path, body] of bodies) {
    const created = await req('POST', `${path}?fieldValidation=Strict`, body)
    assert.is(created.status, 201, `${path}: ${created.json?.message}`)
    const got = (await req('GET', `${path}/${created.json.metadata.name}`)).json
    assert.equal(unknownFields(got.kind, got), [], got.kind)
    const put = await req('PUT', `${path}/${got.metadata.name}?fieldValidation=Strict`, {
      ...got,
      metadata: { ...got.metadata, labels: { edited: 'yes' } },
    })
    assert.is(put.status, 200, `${path}: ${put.json?.message}`)
  }
  const ns = (await req('GET', '/api/v1/namespaces/default')).json
  assert.equal(unknownFields('Namespace', ns), [])
})

test('/openapi/v3 describes the same fields for kubectl explain; PATCH paths keep no request body', async () => {
  const doc = (await req('GET', '/openapi/v3/apis/apps/v1')).json
  assert.is(
    doc.components.schemas['io.k8s.api.apps.v1.Deployment'].properties.spec.properties.replicas
      .type,
    'integer',
  )
  assert.ok(
    (await req('GET', '/openapi/v3/api/v1')).json.components.schemas['io.k8s.api.core.v1.Pod'],
  )
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch
  assert.is(
    patch.requestBody,
    undefined,
    'with one, kubectl would build client-side apply patches from this schema, which has no merge keys',
  )
})

test.run()
