// The self-reviews through the app: each access review agrees with what the same caller's real
// request gets, whoami echoes the caller, rules reviews list the role, bad bodies are 400/422.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'
import { REVIEW_KINDS } from './review-kinds.ts'
import { SELF_REVIEWS } from './security/authorizer.ts'

type Body = {
  status?: Record<string, unknown>
  reason?: string
  message?: string
  kind?: string
  spec?: unknown
  items?: {
    metadata: { name?: string }
    versions: { resources: { resource: string; verbs: string[] }[] }[]
  }[]
}
let f: RouteFixture
let app: RouteFixture['app']
let tok: Record<'admin' | 'viewer' | 'pi1', string>

const call = async (
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const h = { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }
  const raw =
    body instanceof Uint8Array
      ? new Uint8Array(body)
      : body === undefined
        ? undefined
        : typeof body === 'string'
          ? body
          : JSON.stringify(body)
  const res = await app.request(path, { method, headers: h, body: raw })
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Body }
}

const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'
const canI = async (token: string, spec: object) => {
  const r = await call(token, 'POST', SSAR, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec,
  })
  assert.is(r.status, 201, JSON.stringify(r.json))
  return r.json.status as { allowed: boolean; denied?: boolean; reason: string }
}

const pod = (name: string, nodeName: string, secret: string) => ({
  metadata: { name },
  spec: {
    nodeName,
    containers: [
      {
        name: 'c',
        image: 'i:1',
        env: [{ name: 'P', valueFrom: { secretKeyRef: { name: secret, key: 'p' } } }],
      },
    ],
  },
})

test.before.each(async () => {
  f = await openRouteFixture('reviews', { tokens: true })
  ;({ app, tokens: tok } = f)
  for (const n of ['pi-1', 'pi-2'])
    await call(tok.admin, 'POST', '/api/v1/nodes', { metadata: { name: n } })
  for (const s of ['mine', 'theirs'])
    await call(tok.admin, 'POST', '/api/v1/namespaces/default/secrets', {
      metadata: { name: s },
      stringData: { p: 'x' },
    })
  await call(tok.admin, 'POST', '/api/v1/namespaces/default/pods', pod('on-1', 'pi-1', 'mine'))
  await call(tok.admin, 'POST', '/api/v1/namespaces/default/pods', pod('on-2', 'pi-2', 'theirs'))
})
test.after.each(() => f.close())

const ns = '/api/v1/namespaces/default'
const mergePatch = { 'content-type': 'application/merge-patch+json' }
type Case = [
  who: keyof typeof tok,
  spec: object,
  real: [method: string, path: string, body?: unknown, headers?: Record<string, string>],
  allowed: boolean,
]
const ra = (verb: string, resource: string, more: object = {}) => ({
  resourceAttributes: { verb, resource, ...more },
})
const cases: Case[] = [
  [
    'admin',
    ra('create', 'pods', { namespace: 'default' }),
    [
      'POST',
      `${ns}/pods`,
      { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
    ],
    true,
  ],
  [
    'admin',
    ra('delete', 'secrets', { namespace: 'default', name: 'theirs' }),
    ['DELETE', `${ns}/secrets/theirs`],
    true,
  ],
  ['viewer', ra('list', 'pods', { namespace: 'default' }), ['GET', `${ns}/pods`], true],
  [
    'viewer',
    ra('get', 'deployments', { group: 'apps', namespace: 'default', name: 'nope' }),
    ['GET', '/apis/apps/v1/namespaces/default/deployments/nope'],
    true,
  ],
  ['viewer', ra('list', 'nodes'), ['GET', '/api/v1/nodes'], true],
  [
    'viewer',
    ra('create', 'configmaps', { namespace: 'default' }),
    ['POST', `${ns}/configmaps`, { metadata: { name: 'c' } }],
    false,
  ],
  [
    'viewer',
    ra('delete', 'pods', { namespace: 'default', name: 'on-1' }),
    ['DELETE', `${ns}/pods/on-1`],
    false,
  ],
  [
    'viewer',
    ra('get', 'secrets', { namespace: 'default', name: 'mine' }),
    ['GET', `${ns}/secrets/mine`],
    false,
  ],
  [
    'viewer',
    { nonResourceAttributes: { verb: 'get', path: '/metrics' } },
    ['GET', '/metrics'],
    true,
  ],
  [
    'viewer',
    { nonResourceAttributes: { verb: 'post', path: '/shoal/v1/secret-keys/rotate' } },
    ['POST', '/shoal/v1/secret-keys/rotate'],
    false,
  ],
  ['pi1', ra('get', 'nodes', { name: 'pi-1' }), ['GET', '/api/v1/nodes/pi-1'], true],
  [
    'pi1',
    ra('patch', 'nodes', { subresource: 'status', name: 'pi-1' }),
    ['PATCH', '/api/v1/nodes/pi-1/status', { status: {} }, mergePatch],
    true,
  ],
  [
    'pi1',
    ra('patch', 'nodes', { subresource: 'status', name: 'pi-2' }),
    ['PATCH', '/api/v1/nodes/pi-2/status', { status: {} }, mergePatch],
    false,
  ],
  [
    'pi1',
    ra('get', 'pods', { namespace: 'default', name: 'on-1' }),
    ['GET', `${ns}/pods/on-1`],
    true,
  ],
  [
    'pi1',
    ra('get', 'pods', { namespace: 'default', name: 'on-2' }),
    ['GET', `${ns}/pods/on-2`],
    false,
  ],
  [
    'pi1',
    ra('patch', 'pods', { namespace: 'default', name: 'on-1', subresource: 'status' }),
    ['PATCH', `${ns}/pods/on-1/status`, { status: { phase: 'Running' } }, mergePatch],
    true,
  ],
  [
    'pi1',
    ra('patch', 'pods', { namespace: 'default', name: 'on-2', subresource: 'status' }),
    ['PATCH', `${ns}/pods/on-2/status`, { status: { phase: 'Running' } }, mergePatch],
    false,
  ],
  [
    'pi1',
    ra('list', 'pods', { fieldSelector: { rawSelector: 'spec.nodeName=pi-1' } }),
    ['GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dpi-1'],
    true,
  ],
  ['pi1', ra('list', 'pods'), ['GET', '/api/v1/pods'], false],
  [
    'pi1',
    ra('get', 'secrets', { namespace: 'default', name: 'mine' }),
    ['GET', `${ns}/secrets/mine`],
    true,
  ],
  [
    'pi1',
    ra('get', 'secrets', { namespace: 'default', name: 'theirs' }),
    ['GET', `${ns}/secrets/theirs`],
    false,
  ],
  ['pi1', ra('list', 'secrets', { namespace: 'default' }), ['GET', `${ns}/secrets`], false],
]

test('an access review answers what the real request gets, for every role', async () => {
  for (const [who, spec, [method, path, body, headers], allowed] of cases) {
    const review = await canI(tok[who], spec)
    const real = await call(tok[who], method, path, body, headers)
    const what = `${who} ${JSON.stringify(spec)} vs ${method} ${path} → ${real.status} ${real.json.message ?? ''}`
    assert.is(review.allowed, allowed, what)
    assert.is(real.status === 403, !allowed, what)
    if (!allowed) {
      assert.is(review.denied, true)
      assert.ok(
        real.json.message!.endsWith(review.reason),
        `${what}: the review gives the 403's reason`,
      )
    }
  }
})

test('wildcards: admins may do anything, viewers not everything', async () => {
  assert.ok((await canI(tok.admin, ra('*', '*', { group: '*' }))).allowed)
  assert.not.ok(
    (await canI(tok.viewer, ra('get', '*', { group: '*', namespace: 'default' }))).allowed,
  )
  assert.ok((await canI(tok.viewer, ra('list', '*', { group: 'apps' }))).allowed)
})

test('whoami: the caller’s user name and groups', async () => {
  for (const [who, username, group] of [
    ['admin', 'root', 'system:masters'],
    ['viewer', 'eve', 'shoal:viewers'],
    ['pi1', 'system:node:pi-1', 'system:nodes'],
  ] as const) {
    const r = await call(tok[who], 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    })
    assert.is(r.status, 201)
    assert.equal(
      [r.json.kind, r.json.status],
      ['SelfSubjectReview', { userInfo: { username, groups: [group, 'system:authenticated'] } }],
    )
  }
})

test('rules review: the role’s rules; a namespace is required', async () => {
  const path = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews'
  const v = await call(tok.viewer, 'POST', path, { spec: { namespace: 'default' } })
  const rules = v.json.status as {
    resourceRules: { resources: string[]; verbs: string[] }[]
    incomplete: boolean
  }
  assert.is(v.status, 201)
  assert.is(rules.incomplete, false)
  assert.ok(
    rules.resourceRules.some(
      (r) => r.resources.includes('pods') && r.verbs.join() === 'get,list,watch',
    ),
  )
  assert.not.ok(rules.resourceRules.some((r) => r.resources.includes('secrets')))
  const n = await call(tok.pi1, 'POST', path, { spec: { namespace: 'default' } })
  assert.is((n.json.status as { incomplete: boolean }).incomplete, true)
  const none = await call(tok.viewer, 'POST', path, { spec: {} })
  assert.equal([none.status, none.json.message], [400, 'no namespace on request'])
})

test('bad bodies: 400 naming the problem; neither or both attributes: 422', async () => {
  const bad = async (body: unknown, status: number, message: RegExp) => {
    const r = await call(tok.viewer, 'POST', SSAR, body)
    assert.is(r.status, status, JSON.stringify(r.json))
    assert.match(r.json.message!, message)
  }
  await bad('{"spec": ', 400, /not valid JSON/)
  await bad([], 400, /must be a JSON object, not array/)
  await bad(
    { kind: 'Pod', spec: ra('get', 'pods') },
    400,
    /kind "Pod" does not match the expected kind "SelfSubjectAccessReview"/,
  )
  await bad({ spec: 'x' }, 400, /spec: expected an object, got string/)
  await bad(
    { spec: { resourceAttributes: { verb: 7 } } },
    400,
    /spec\.resourceAttributes\.verb: expected a string, got number/,
  )
  await bad(
    { spec: {} },
    422,
    /spec\.resourceAttributes: .*exactly one of nonResourceAttributes or resourceAttributes/,
  )
  await bad(
    { spec: { ...ra('get', 'pods'), nonResourceAttributes: { path: '/', verb: 'get' } } },
    422,
    /spec\.nonResourceAttributes: .*in combination/,
  )
})

test('kubectl’s protobuf body; reviews are create-only and listed by discovery', async () => {
  // what `kubectl auth can-i create pods` sends: "k8s\0", runtime.Unknown{typeMeta, raw}
  const str = (t: string) => Buffer.from(t).toString('hex')
  const raw =
    '0a100a0012001a0022002a00320038004200' +
    '12210a1f' +
    `0a07${str('default')}1206${str('create')}1a0022002a04${str('pods')}32003a00` +
    '1a08080012001a002000'
  const envelope =
    `0a32` +
    `0a17${str('authorization.k8s.io/v1')}1217${str('SelfSubjectAccessReview')}` +
    `12${(raw.length / 2).toString(16)}${raw}` +
    '1a002200'
  const pb = Uint8Array.from(Buffer.from('6b387300' + envelope, 'hex'))
  const r = await call(tok.viewer, 'POST', SSAR, pb, {
    'content-type': 'application/vnd.kubernetes.protobuf',
    accept: 'application/vnd.kubernetes.protobuf,application/json',
  })
  assert.is(r.status, 201, JSON.stringify(r.json))
  assert.equal(r.json.spec, {
    resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' },
  })
  assert.is(r.json.status!.allowed, false)
  assert.is((await call(tok.admin, 'GET', SSAR)).status, 404)
  const apis = await call(tok.viewer, 'GET', '/apis', undefined, {
    accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  })
  const group = apis.json.items!.find((i) => i.metadata.name === 'authorization.k8s.io')!
  assert.equal(
    group.versions[0]!.resources.map((x) => [x.resource, x.verbs]),
    [
      ['selfsubjectaccessreviews', ['create']],
      ['selfsubjectrulesreviews', ['create']],
    ],
  )
  const authn = await call(tok.viewer, 'GET', '/apis/authentication.k8s.io/v1')
  assert.equal(
    (authn.json as { resources?: { name: string }[] }).resources?.map((x) => x.name),
    ['selfsubjectreviews'],
  )
})

test('the authorizer lets every caller create exactly the reviews that are served', () => {
  const served = REVIEW_KINDS.map((k) => `${k.group}/${k.resource}`).sort()
  const allowed = Object.entries(SELF_REVIEWS)
    .flatMap(([g, rs]) => rs!.map((r) => `${g}/${r}`))
    .sort()
  assert.equal(allowed, served)
})

test.run()
