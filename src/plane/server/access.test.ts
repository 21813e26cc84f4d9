// Authentication and authorization through the app: 401/403 as Status, viewer and node rules.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'

let f: RouteFixture
let app: RouteFixture['app']
let tok: { admin: string; viewer: string; pi1: string }

const call = async (
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  ct = 'application/json',
) => {
  const headers: Record<string, string> = { 'content-type': ct }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await app.request(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return {
    status: res.status,
    json: (await res.json()) as {
      reason?: string
      message?: string
      kind?: string
      items?: unknown[]
    },
  }
}

const pod = (name: string, nodeName: string, secret?: string) => ({
  metadata: { name },
  spec: {
    nodeName,
    containers: [
      {
        name: 'c',
        image: 'i:1',
        env: secret ? [{ name: 'P', valueFrom: { secretKeyRef: { name: secret, key: 'p' } } }] : [],
      },
    ],
  },
})

test.before.each(async () => {
  f = await openRouteFixture('access', { tokens: true })
  ;({ app, tokens: tok } = f)
  await call(tok.admin, 'POST', '/api/v1/namespaces/default/secrets', {
    metadata: { name: 'mine' },
    stringData: { p: 'x' },
  })
  await call(tok.admin, 'POST', '/api/v1/namespaces/default/secrets', {
    metadata: { name: 'theirs' },
    stringData: { p: 'y' },
  })
  await call(tok.admin, 'POST', '/api/v1/namespaces/default/pods', pod('on-1', 'pi-1', 'mine'))
  await call(tok.admin, 'POST', '/api/v1/namespaces/default/pods', pod('on-2', 'pi-2', 'theirs'))
})
test.after.each(() => f.close())

test('no or a bad token is 401 Unauthorized as a Status', async () => {
  for (const t of [undefined, 'shoal_not-a-real-token']) {
    const r = await call(t, 'GET', '/api/v1/pods')
    assert.equal([r.status, r.json.kind, r.json.reason], [401, 'Status', 'Unauthorized'])
  }
  assert.is((await app.request('/healthz')).status, 200)
})

test('viewer reads but does not write, and never reads secrets', async () => {
  assert.is((await call(tok.viewer, 'GET', '/api/v1/namespaces/default/pods')).status, 200)
  const w = await call(tok.viewer, 'POST', '/api/v1/namespaces/default/configmaps', {
    metadata: { name: 'x' },
  })
  assert.equal([w.status, w.json.reason], [403, 'Forbidden'])
  assert.match(w.json.message!, /User "eve" cannot create resource "configmaps"/)
  assert.is((await call(tok.viewer, 'GET', '/api/v1/namespaces/default/secrets/mine')).status, 403)
})

test('a node sees and writes only what is bound to it', async () => {
  assert.is((await call(tok.pi1, 'GET', '/api/v1/namespaces/default/pods/on-1')).status, 200)
  assert.is((await call(tok.pi1, 'GET', '/api/v1/namespaces/default/pods/on-2')).status, 403)
  assert.is(
    (await call(tok.pi1, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dpi-1')).status,
    200,
  )
  assert.is((await call(tok.pi1, 'GET', '/api/v1/pods')).status, 403)
  assert.is(
    (await call(tok.pi1, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dpi-2')).status,
    403,
  )
  const st = await call(
    tok.pi1,
    'PATCH',
    '/api/v1/namespaces/default/pods/on-1/status',
    { status: { phase: 'Running' } },
    'application/merge-patch+json',
  )
  assert.is(st.status, 200, JSON.stringify(st.json))
  assert.is(
    (
      await call(
        tok.pi1,
        'PATCH',
        '/api/v1/namespaces/default/pods/on-2/status',
        { status: { phase: 'Running' } },
        'application/merge-patch+json',
      )
    ).status,
    403,
  )
  assert.is(
    (
      await call(
        tok.pi1,
        'PATCH',
        '/api/v1/namespaces/default/pods/on-1',
        { metadata: { labels: { a: 'b' } } },
        'application/merge-patch+json',
      )
    ).status,
    403,
  )
  assert.is((await call(tok.pi1, 'GET', '/api/v1/namespaces/default/secrets/mine')).status, 200)
  assert.is((await call(tok.pi1, 'GET', '/api/v1/namespaces/default/secrets/theirs')).status, 403)
  assert.is((await call(tok.pi1, 'GET', '/api/v1/namespaces/default/secrets')).status, 403)
  assert.is((await call(tok.pi1, 'DELETE', '/api/v1/namespaces/default/pods/on-1')).status, 403)
})

test('a node reads the secrets and configmaps its pods use anywhere in their spec, and no others', async () => {
  const used = ['env-from', 'projected', 'init-env', 'pull', 'eph']
  for (const name of [...used, 'unused']) {
    await call(tok.admin, 'POST', '/api/v1/namespaces/default/secrets', {
      metadata: { name },
      stringData: { p: 'x' },
    })
    await call(tok.admin, 'POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: `cm-${name}` },
      data: { k: 'v' },
    })
  }
  const spec = {
    nodeName: 'pi-1',
    imagePullSecrets: [{ name: 'pull' }],
    initContainers: [
      {
        name: 'init',
        image: 'i:1',
        env: [
          { name: 'A', valueFrom: { secretKeyRef: { name: 'init-env', key: 'p' } } },
          { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm-init-env', key: 'k' } } },
        ],
      },
    ],
    containers: [
      {
        name: 'c',
        image: 'i:1',
        envFrom: [{ secretRef: { name: 'env-from' } }, { configMapRef: { name: 'cm-env-from' } }],
      },
    ],
    ephemeralContainers: [
      {
        name: 'dbg',
        image: 'i:1',
        envFrom: [{ secretRef: { name: 'eph' } }, { configMapRef: { name: 'cm-eph' } }],
      },
    ],
    volumes: [
      {
        name: 'p',
        projected: {
          sources: [{ secret: { name: 'projected' } }, { configMap: { name: 'cm-projected' } }],
        },
      },
      { name: 'q', configMap: { name: 'cm-pull' } },
    ],
  }
  const made = await call(tok.admin, 'POST', '/api/v1/namespaces/default/pods', {
    metadata: { name: 'refs' },
    spec,
  })
  assert.is(made.status, 201, JSON.stringify(made.json))
  for (const name of used) {
    assert.is(
      (await call(tok.pi1, 'GET', `/api/v1/namespaces/default/secrets/${name}`)).status,
      200,
      `secret ${name}`,
    )
    assert.is(
      (await call(tok.pi1, 'GET', `/api/v1/namespaces/default/configmaps/cm-${name}`)).status,
      200,
      `configmap cm-${name}`,
    )
  }
  assert.is((await call(tok.pi1, 'GET', '/api/v1/namespaces/default/secrets/unused')).status, 403)
  assert.is(
    (await call(tok.pi1, 'GET', '/api/v1/namespaces/default/configmaps/cm-unused')).status,
    403,
  )
  assert.is(
    (await call(tok.pi1, 'GET', '/api/v1/namespaces/default/configmaps')).status,
    403,
    'no list of every configmap',
  )
  assert.is((await call(tok.pi1, 'GET', '/api/v1/configmaps?watch=1')).status, 403)
})

test('a node labelled for ingress reads the kubernetes.io/tls Secrets Ingresses name, no other node does', async () => {
  const tlsSecret = (name: string, type = 'kubernetes.io/tls') => ({
    metadata: { name },
    type,
    stringData: { 'tls.crt': 'CERT', 'tls.key': 'KEY' },
  })
  for (const s of [tlsSecret('site-tls'), tlsSecret('unnamed-tls'), tlsSecret('opaque', 'Opaque')])
    assert.is((await call(tok.admin, 'POST', '/api/v1/namespaces/default/secrets', s)).status, 201)
  const backend = { service: { name: 'web', port: { number: 80 } } }
  const made = await call(
    tok.admin,
    'POST',
    '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
    {
      metadata: { name: 'site' },
      spec: {
        defaultBackend: backend,
        tls: [{ hosts: ['a.example'], secretName: 'site-tls' }, { secretName: 'opaque' }],
      },
    },
  )
  assert.is(made.status, 201, JSON.stringify(made.json))
  const get = (name: string) => call(tok.pi1, 'GET', `/api/v1/namespaces/default/secrets/${name}`)
  await call(tok.pi1, 'POST', '/api/v1/nodes', { metadata: { name: 'pi-1' } })
  const denied = await get('site-tls')
  assert.is(denied.status, 403, 'not labelled for ingress yet')
  assert.match(denied.json.message!, /no relationship found between node 'pi-1' and this object/)
  const labelled = await call(
    tok.admin,
    'PATCH',
    '/api/v1/nodes/pi-1',
    { metadata: { labels: { 'node-role.kubernetes.io/ingress': '' } } },
    'application/merge-patch+json',
  )
  assert.is(labelled.status, 200)
  const got = (await get('site-tls')) as { status: number; json: { data?: Record<string, string> } }
  assert.is(got.status, 200)
  assert.equal(got.json.data, { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ' })
  assert.is((await get('unnamed-tls')).status, 403, 'named by no Ingress')
  assert.is((await get('opaque')).status, 403, 'not a kubernetes.io/tls Secret')
  assert.is((await call(tok.pi1, 'GET', '/api/v1/namespaces/default/secrets')).status, 403)
})

test('a node registers its own Node object and no other', async () => {
  const other = await call(tok.pi1, 'POST', '/api/v1/nodes', { metadata: { name: 'pi-2' } })
  assert.is(other.status, 403)
  assert.match(other.json.message!, /node "pi-1" is not allowed to create node "pi-2"/)
  assert.is(
    (await call(tok.pi1, 'POST', '/api/v1/nodes', { metadata: { name: 'pi-1' } })).status,
    201,
  )
  assert.is(
    (await call(tok.admin, 'GET', '/api/v1/nodes/pi-2')).status,
    404,
    'nothing was written for pi-2',
  )
})

test.run()
