// Bodies and paths an attacker with a node's or a viewer's token would send: prototype keys
// through every decoder and every kind of write, nesting past the limit, numbers that do not fit
// their type, malformed %-escapes. Each must be a clear 4xx that stores nothing, and the process's
// Object.prototype must be untouched after all of them (the last test).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Encoder } from 'cbor-x'
import { MAX_NESTING } from '../../api/index.ts'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'

let f: RouteFixture
let tok: RouteFixture['tokens']
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort()

test.before(async () => {
  f = await openRouteFixture('hostile', { tokens: true })
  tok = f.tokens
  const pod = {
    metadata: { name: 'on-1' },
    spec: { nodeName: 'pi-1', containers: [{ name: 'c', image: 'i:1' }] },
  }
  assert.is((await as(tok.admin, 'POST', '/api/v1/namespaces/default/pods', pod)).status, 201)
  await as(tok.admin, 'POST', '/api/v1/namespaces/default/secrets', {
    metadata: { name: 'theirs' },
    stringData: { p: 'x' },
  })
})
test.after(() => f.close())

/** a raw string body is sent as it is */
function as(
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
) {
  return f.request(method, path, body, {
    authorization: `Bearer ${token}`,
    'content-type': contentType,
  })
}

const polluted = () =>
  Object.getOwnPropertyNames(Object.prototype).sort().join() !== prototypeNames.join() ||
  ({} as Record<string, unknown>)[''] !== undefined

test('strategic merge patch of a pod status with "__proto__" from a node token: 400, and no escalation after it', async () => {
  for (const body of [
    '{"__proto__":{"":["pods"]}}',
    '{"status":{"__proto__":{"finalizers":["x"]}}}',
  ]) {
    const r = await as(
      tok.pi1,
      'PATCH',
      '/api/v1/namespaces/default/pods/on-1/status',
      body,
      'application/strategic-merge-patch+json',
    )
    assert.is(r.status, 400, r.text)
    assert.match(r.json.message, /field named "__proto__"/)
  }
  assert.not.ok(polluted())
  const sneaky = {
    metadata: { name: 'sneaky' },
    spec: {
      nodeName: 'pi-1',
      containers: [{ name: 'c', image: 'i:1', envFrom: [{ secretRef: { name: 'theirs' } }] }],
    },
  }
  assert.is(
    (await as(tok.pi1, 'POST', '/api/v1/namespaces/default/pods', sneaky)).status,
    403,
    'a node creates no pods',
  )
  assert.is(
    (await as(tok.viewer, 'POST', '/api/v1/namespaces/default/pods', sneaky)).status,
    403,
    'a viewer creates no pods',
  )
  assert.is((await as(tok.pi1, 'GET', '/api/v1/namespaces/default/secrets/theirs')).status, 403)
  const made = await as(tok.admin, 'POST', '/api/v1/namespaces/default/configmaps', {
    metadata: { name: 'after' },
  })
  assert.is(made.json.metadata.finalizers, undefined, 'new objects carry nothing injected')
  assert.is(
    (await as(tok.admin, 'DELETE', '/api/v1/namespaces/default/configmaps/after')).status,
    200,
  )
})

test('"__proto__" is refused in every decoder and every write, naming where it is; nothing is stored', async () => {
  const cm = '/api/v1/namespaces/default/configmaps'
  const cbor = new Encoder({ useRecords: false, mapsAsObjects: true })
  const hostile = JSON.parse(
    '{"metadata":{"name":"p","labels":{"__proto__":{"x":"y"}}},"data":{"a":"b"}}',
  )
  const cases: [string, string, unknown, string][] = [
    ['POST', cm, JSON.stringify(hostile), 'application/json'],
    ['POST', cm, 'metadata:\n  name: p\n  __proto__:\n    finalizers: [x]\n', 'application/yaml'],
    ['POST', cm, Buffer.from(cbor.encode(hostile)), 'application/cbor'],
    [
      'PUT',
      `${cm}/base`,
      JSON.stringify({ ...hostile, metadata: { ...hostile.metadata, name: 'base' } }),
      'application/json',
    ],
    [
      'PATCH',
      `${cm}/base`,
      '{"data":{"__proto__":{"polluted":"yes"}}}',
      'application/merge-patch+json',
    ],
    [
      'PATCH',
      `${cm}/base`,
      '{"metadata":{"__proto__":{"finalizers":["x"]}}}',
      'application/strategic-merge-patch+json',
    ],
    [
      'PATCH',
      `${cm}/base`,
      '[{"op":"add","path":"/data/__proto__","value":{"polluted":"yes"}}]',
      'application/json-patch+json',
    ],
    [
      'PATCH',
      `${cm}/base?fieldManager=m`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n  __proto__: {finalizers: [x]}\n',
      'application/apply-patch+yaml',
    ],
  ]
  assert.is(
    (await as(tok.admin, 'POST', cm, { metadata: { name: 'base' }, data: { a: 'b' } })).status,
    201,
  )
  for (const [method, path, body, ct] of cases) {
    const r = await f.app.request(path, {
      method,
      body: body as BodyInit,
      headers: { authorization: `Bearer ${tok.admin}`, 'content-type': ct },
    })
    const text = await r.text()
    assert.is(r.status, 400, `${method} ${ct}: ${text}`)
    assert.match(JSON.parse(text).message, /"__proto__"/, `${method} ${ct} names the field`)
  }
  assert.is((await as(tok.admin, 'GET', `${cm}/p`)).status, 404)
  const base = await as(tok.admin, 'GET', `${cm}/base`)
  assert.equal(base.json.data, { a: 'b' })
  assert.is(base.json.metadata.finalizers, undefined)
  assert.not.ok(polluted())
})

test('"constructor", "prototype" and "toString" are ordinary keys: stored and merged as such', async () => {
  const path = '/api/v1/namespaces/default/configmaps'
  const data = { constructor: 'c', prototype: 'p', toString: 't', hasOwnProperty: 'h' }
  assert.is(
    (
      await as(tok.admin, 'POST', path, {
        metadata: { name: 'keys', labels: { constructor: 'x' } },
        data,
      })
    ).status,
    201,
  )
  const patched = await as(
    tok.admin,
    'PATCH',
    `${path}/keys`,
    '{"data":{"constructor":{"prototype":"x"}}}',
    'application/merge-patch+json',
  )
  assert.is(patched.status, 422, 'a data value must be a string') // and nothing reached Object.prototype
  const smp = await as(
    tok.admin,
    'PATCH',
    `${path}/keys`,
    '{"data":{"constructor":"c2","valueOf":"v"}}',
    'application/strategic-merge-patch+json',
  )
  assert.is(smp.status, 200, smp.text)
  assert.equal(smp.json.data, { ...data, constructor: 'c2', valueOf: 'v' })
  const jp = await as(
    tok.admin,
    'PATCH',
    `${path}/keys`,
    '[{"op":"replace","path":"/data/prototype","value":"p2"}]',
    'application/json-patch+json',
  )
  assert.is(jp.json.data.prototype, 'p2')
  assert.is((await as(tok.admin, 'GET', `${path}/keys`)).json.metadata.labels.constructor, 'x')
  assert.not.ok(polluted())
})

test(`nesting past ${MAX_NESTING} levels is a 400 that says the limit, in JSON, YAML and CBOR, and through a patch`, async () => {
  const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) })
  const body = (n: number) => ({
    metadata: {
      name: `deep-${n}`,
      managedFields: [{ manager: 'm', operation: 'Apply', fieldsV1: deep(n) }],
    },
  })
  const cm = '/api/v1/namespaces/default/configmaps'
  const cbor = new Encoder({ useRecords: false, mapsAsObjects: true })
  for (const n of [1_500, 100_000]) {
    const json = await as(tok.admin, 'POST', cm, `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)
    assert.is(json.status, 400, json.text)
    assert.match(json.json.message, new RegExp(`nested more than ${MAX_NESTING} levels deep`))
    const yaml = await as(
      tok.admin,
      'POST',
      cm,
      `${'['.repeat(n)}${']'.repeat(n)}`,
      'application/yaml',
    )
    assert.is(yaml.status, 400, yaml.text.slice(0, 300))
    assert.match(yaml.json.message, /nested more than/)
  }
  const c = await f.app.request(cm, {
    method: 'POST',
    body: Buffer.from(cbor.encode(body(1_000))),
    headers: { authorization: `Bearer ${tok.admin}`, 'content-type': 'application/cbor' },
  })
  assert.is(c.status, 400)
  assert.match(await c.text(), /nested more than 100 levels deep/)
  assert.is(
    (await as(tok.admin, 'POST', cm, body(50))).status,
    201,
    'an object within the limit is stored',
  )
  let pointer = '/metadata/managedFields/0/fieldsV1'
  for (let i = 0; i < 50; i++) pointer += '/a'
  const grow = await as(
    tok.admin,
    'PATCH',
    `${cm}/deep-50`,
    JSON.stringify([{ op: 'replace', path: pointer, value: deep(60) }]),
    'application/json-patch+json',
  )
  assert.is(grow.status, 400, grow.text)
  assert.match(grow.json.message, /the patched object is refused: it is nested more than/)
})

test('numbers must fit their field: int32, int64, no Infinity (400 as Kubernetes decodes)', async () => {
  const dep = (replicas: unknown) =>
    `{"metadata":{"name":"d"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i:1"}]}}}}`
  const path = '/apis/apps/v1/namespaces/default/deployments'
  for (const [n, type] of [
    ['2147483648', 'int32'],
    ['9007199254740991', 'int32'],
    ['1.5', 'int32'],
    ['1e400', 'out of range'],
  ]) {
    const r = await as(tok.admin, 'POST', path, dep(n))
    assert.is(r.status, 400, `${n}: ${r.text}`)
    assert.match(
      r.json.message,
      new RegExp(
        `Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal .*${type}.*: spec.replicas`,
      ),
    )
  }
  assert.is((await as(tok.admin, 'POST', path, dep('2147483647'))).status, 201)
  const pod =
    '{"metadata":{"name":"g"},"spec":{"terminationGracePeriodSeconds":4294967296,"containers":[{"name":"c","image":"i:1"}]}}'
  assert.is(
    (await as(tok.admin, 'POST', '/api/v1/namespaces/default/pods', pod)).status,
    201,
    'int64 fields take more than 2^32',
  )
  const big = await as(
    tok.admin,
    'PATCH',
    `${path}/d`,
    '{"spec":{"replicas":4294967296}}',
    'application/merge-patch+json',
  )
  assert.is(big.status, 400, 'a patch is held to the same types')
})

test('DELETE ?gracePeriodSeconds=abc is a 400 and deletes nothing', async () => {
  await as(tok.admin, 'POST', '/api/v1/namespaces/default/configmaps', {
    metadata: { name: 'keep' },
  })
  for (const g of ['abc', '1.5', '', '99999999999999999999']) {
    const r = await as(
      tok.admin,
      'DELETE',
      `/api/v1/namespaces/default/configmaps/keep?gracePeriodSeconds=${g}`,
    )
    assert.is(r.status, 400, `${g}: ${r.text}`)
    assert.match(r.json.message, /gracePeriodSeconds/)
  }
  assert.is((await as(tok.admin, 'GET', '/api/v1/namespaces/default/configmaps/keep')).status, 200)
  assert.is(
    (
      await as(
        tok.admin,
        'DELETE',
        '/api/v1/namespaces/default/configmaps/keep?gracePeriodSeconds=0',
      )
    ).status,
    200,
  )
})

test('a malformed %-escape in the path is a 400 that says so', async () => {
  for (const path of [
    '/api/v1/namespaces/%zz/configmaps',
    '/api/v1/namespaces/default/configmaps/%E0%A4%A',
    '/apis/apps/v1/namespaces/default/deployments/a%',
  ]) {
    const r = await as(tok.admin, 'GET', path)
    assert.is(r.status, 400, `${path}: ${r.text}`)
    assert.match(r.json.message, /malformed %-escape/)
  }
})

test("the process's Object.prototype is untouched after every route above", () => {
  assert.equal(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeNames)
  for (const k of ['', 'finalizers', 'polluted', 'x'])
    assert.is(({} as Record<string, unknown>)[k], undefined, k)
})

test.run()
