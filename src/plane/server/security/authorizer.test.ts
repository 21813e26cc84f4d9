import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../../../core/index.ts'
import { authorize, authorizeNonResource, forbiddenError, type Attributes } from './authorizer.ts'
import type { User } from './tokens.ts'

const admin: User = { name: 'alice', groups: ['system:masters'], role: 'admin' }
const viewer: User = { name: 'val', groups: ['shoal:viewers'], role: 'viewer' }
const pi1: User = { name: 'system:node:pi-1', groups: ['system:nodes'], role: 'node', node: 'pi-1' }

const ns = 'default'
type Row = [User, Attributes, boolean]
const rows: Row[] = [
  // admin: everything
  [admin, { verb: 'deletecollection', group: '', resource: 'secrets', namespace: ns }, true],
  [
    admin,
    {
      verb: 'update',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: ns,
      name: 'web',
    },
    true,
  ],
  // viewer: reads, except secrets
  [viewer, { verb: 'list', group: 'apps', resource: 'deployments', namespace: ns }, true],
  [viewer, { verb: 'watch', group: '', resource: 'pods' }, true],
  [
    viewer,
    { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: ns, name: 'web-1' },
    true,
  ],
  [viewer, { verb: 'get', group: '', resource: 'secrets', namespace: ns, name: 'db' }, false],
  [viewer, { verb: 'list', group: '', resource: 'secrets', namespace: ns }, false],
  [viewer, { verb: 'create', group: '', resource: 'configmaps', namespace: ns }, false],
  [
    viewer,
    { verb: 'patch', group: 'apps', resource: 'deployments', namespace: ns, name: 'web' },
    false,
  ],
  [viewer, { verb: 'delete', group: '', resource: 'pods', namespace: ns, name: 'web-1' }, false],
  // node: shared reads
  [pi1, { verb: 'list', group: '', resource: 'nodes' }, true],
  [pi1, { verb: 'get', group: '', resource: 'nodes', name: 'pi-2' }, true],
  [pi1, { verb: 'watch', group: '', resource: 'services' }, true],
  [pi1, { verb: 'list', group: '', resource: 'endpoints', namespace: ns }, true],
  [pi1, { verb: 'watch', group: 'discovery.k8s.io', resource: 'endpointslices' }, true],
  [
    pi1,
    { verb: 'delete', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: ns },
    false,
  ],
  [pi1, { verb: 'list', group: 'discovery.k8s.io', resource: 'endpoints' }, false],
  [
    pi1,
    {
      verb: 'get',
      group: '',
      resource: 'configmaps',
      namespace: ns,
      name: 'cfg',
      referencedByNode: true,
    },
    true,
  ],
  [pi1, { verb: 'get', group: '', resource: 'configmaps', namespace: ns, name: 'cfg' }, false], // used by no pod of pi-1
  [pi1, { verb: 'list', group: '', resource: 'configmaps', namespace: ns }, false],
  [pi1, { verb: 'list', group: '', resource: 'namespaces' }, true],
  [pi1, { verb: 'list', group: 'apps', resource: 'deployments' }, false],
  [pi1, { verb: 'update', group: '', resource: 'configmaps', namespace: ns, name: 'cfg' }, false],
  // node: its own Node object only
  [pi1, { verb: 'create', group: '', resource: 'nodes', name: 'pi-1' }, true],
  [pi1, { verb: 'create', group: '', resource: 'nodes' }, true], // the name is admitted by the handler
  [pi1, { verb: 'create', group: '', resource: 'nodes', name: 'pi-2' }, false],
  [
    pi1,
    { verb: 'update', group: '', resource: 'nodes', subresource: 'status', name: 'pi-1' },
    true,
  ],
  [pi1, { verb: 'patch', group: '', resource: 'nodes', name: 'pi-1' }, true],
  [
    pi1,
    { verb: 'patch', group: '', resource: 'nodes', subresource: 'status', name: 'pi-2' },
    false,
  ],
  [pi1, { verb: 'update', group: '', resource: 'nodes', name: 'pi-2' }, false],
  [pi1, { verb: 'delete', group: '', resource: 'nodes', name: 'pi-1' }, false],
  // node: pods bound to it
  [pi1, { verb: 'list', group: '', resource: 'pods', nodeName: 'pi-1' }, true],
  [pi1, { verb: 'watch', group: '', resource: 'pods', nodeName: 'pi-1' }, true],
  [pi1, { verb: 'list', group: '', resource: 'pods' }, false],
  [
    pi1,
    { verb: 'get', group: '', resource: 'pods', namespace: ns, name: 'web-1', nodeName: 'pi-1' },
    true,
  ],
  [
    pi1,
    { verb: 'get', group: '', resource: 'pods', namespace: ns, name: 'web-2', nodeName: 'pi-2' },
    false,
  ],
  [
    pi1,
    {
      verb: 'update',
      group: '',
      resource: 'pods',
      subresource: 'status',
      namespace: ns,
      name: 'web-1',
      nodeName: 'pi-1',
    },
    true,
  ],
  [
    pi1,
    {
      verb: 'patch',
      group: '',
      resource: 'pods',
      subresource: 'status',
      namespace: ns,
      name: 'web-2',
      nodeName: 'pi-2',
    },
    false,
  ],
  [
    pi1,
    { verb: 'update', group: '', resource: 'pods', namespace: ns, name: 'web-1', nodeName: 'pi-1' },
    false,
  ],
  [pi1, { verb: 'create', group: '', resource: 'pods', namespace: ns, nodeName: 'pi-1' }, false],
  // node: may not bind pods (the scheduler's write), not even to itself
  [
    pi1,
    {
      verb: 'create',
      group: '',
      resource: 'pods',
      subresource: 'binding',
      namespace: ns,
      name: 'web-3',
    },
    false,
  ],
  [
    pi1,
    { verb: 'delete', group: '', resource: 'pods', namespace: ns, name: 'web-1', nodeName: 'pi-1' },
    false,
  ],
  // node: secrets only when a pod bound to it references them
  [
    pi1,
    {
      verb: 'get',
      group: '',
      resource: 'secrets',
      namespace: ns,
      name: 'db',
      referencedByNode: true,
    },
    true,
  ],
  [pi1, { verb: 'get', group: '', resource: 'secrets', namespace: ns, name: 'db' }, false],
  // an ingress node: the TLS Secrets Ingresses name (get only; never a configmap this way)
  [
    pi1,
    {
      verb: 'get',
      group: '',
      resource: 'secrets',
      namespace: ns,
      name: 'tls',
      ingressTlsOfNode: true,
    },
    true,
  ],
  [
    pi1,
    { verb: 'list', group: '', resource: 'secrets', namespace: ns, ingressTlsOfNode: true },
    false,
  ],
  [
    pi1,
    {
      verb: 'get',
      group: '',
      resource: 'configmaps',
      namespace: ns,
      name: 'tls',
      ingressTlsOfNode: true,
    },
    false,
  ],
  [
    pi1,
    { verb: 'list', group: '', resource: 'secrets', namespace: ns, referencedByNode: true },
    false,
  ],
  [
    pi1,
    { verb: 'watch', group: '', resource: 'secrets', namespace: ns, referencedByNode: true },
    false,
  ],
  // node: events
  [pi1, { verb: 'create', group: '', resource: 'events', namespace: ns }, true],
  [pi1, { verb: 'create', group: 'events.k8s.io', resource: 'events', namespace: ns }, true],
  [pi1, { verb: 'delete', group: '', resource: 'events', namespace: ns, name: 'e' }, false],
  // a node-role user without a node name gets nothing
  [{ ...pi1, node: undefined }, { verb: 'list', group: '', resource: 'nodes' }, false],
  // every role creates self-reviews (system:basic-user), and nothing else of those groups
  ...[viewer, pi1, { ...pi1, node: undefined }].flatMap((u): Row[] => [
    [
      u,
      { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
      true,
    ],
    [
      u,
      { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectrulesreviews' },
      true,
    ],
    [u, { verb: 'create', group: 'authentication.k8s.io', resource: 'selfsubjectreviews' }, true],
    [u, { verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' }, false],
    [
      u,
      { verb: 'delete', group: 'authentication.k8s.io', resource: 'selfsubjectreviews', name: 'x' },
      false,
    ],
  ]),
  // "*" (from a review) is allowed only where every value would be
  [admin, { verb: '*', group: '*', resource: '*' }, true],
  [viewer, { verb: 'get', group: '*', resource: '*', namespace: ns }, false],
  [viewer, { verb: 'list', group: '', resource: '*' }, false],
  [viewer, { verb: 'list', group: 'apps', resource: '*' }, true],
  [viewer, { verb: '*', group: 'apps', resource: 'deployments' }, false],
  [pi1, { verb: 'get', group: '*', resource: 'nodes', name: 'pi-1' }, false],
  [pi1, { verb: '*', group: '', resource: 'nodes', name: 'pi-1' }, false],
]

test('authorization table', () => {
  for (const [user, attrs, allowed] of rows) {
    const decision = authorize(user, attrs)
    assert.is(decision.allowed, allowed, `${user.name} ${JSON.stringify(attrs)}`)
    if (!decision.allowed)
      assert.match(
        decision.reason,
        `User "${user.name}" cannot ${attrs.verb} resource "${attrs.resource}`,
      )
  }
})

test('paths that are no resource: everyone gets and heads, only admins do more', () => {
  for (const u of [viewer, pi1]) {
    assert.ok(authorizeNonResource(u, { verb: 'get', path: '/metrics' }).allowed)
    assert.ok(authorizeNonResource(u, { verb: 'head', path: '/images/v2/' }).allowed)
    assert.equal(authorizeNonResource(u, { verb: 'post', path: '/shoal/v1/secret-keys/rotate' }), {
      allowed: false,
      reason: `User "${u.name}" cannot post path "/shoal/v1/secret-keys/rotate"`,
    })
  }
  assert.ok(authorizeNonResource(admin, { verb: 'put', path: '/images/blobs/x' }).allowed)
})

test('denials read like Kubernetes', () => {
  const podUpdate: Attributes = {
    verb: 'update',
    group: '',
    resource: 'pods',
    namespace: 'default',
    name: 'web-1',
    nodeName: 'pi-1',
  }
  assert.equal(authorize(pi1, podUpdate), {
    allowed: false,
    reason:
      'User "system:node:pi-1" cannot update resource "pods" in API group "" in the namespace "default"',
  })
  assert.equal(
    authorize(viewer, {
      verb: 'delete',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      name: 'x',
    }),
    {
      allowed: false,
      reason:
        'User "val" cannot delete resource "deployments/scale" in API group "apps" at the cluster scope',
    },
  )
  const foreign = authorize(pi1, {
    verb: 'get',
    group: '',
    resource: 'pods',
    namespace: 'default',
    name: 'w',
    nodeName: 'pi-2',
  })
  assert.equal(foreign, {
    allowed: false,
    reason: `User "system:node:pi-1" cannot get resource "pods" in API group "" in the namespace "default": no relationship found between node 'pi-1' and this object`,
  })
})

test('a node may POST /shoal/v1/node-certificate (its renewal); nobody else but admins', () => {
  const renew = { verb: 'post', path: '/shoal/v1/node-certificate' }
  assert.ok(authorizeNonResource(pi1, renew).allowed)
  assert.not.ok(authorizeNonResource({ ...pi1, node: undefined }, renew).allowed)
  assert.not.ok(authorizeNonResource(viewer, renew).allowed)
  assert.not.ok(authorizeNonResource(pi1, { verb: 'post', path: '/shoal/v1/join' }).allowed)
  const join: User = { name: 'system:bootstrap:x', groups: [], role: 'join' }
  assert.not.ok(authorizeNonResource(join, renew).allowed)
})

test('a join token may only POST /shoal/v1/join: no resource, no review, no other path', () => {
  const joiner: User = {
    name: 'system:bootstrap:abcd1234',
    groups: ['system:bootstrappers'],
    role: 'join',
  }
  assert.ok(authorizeNonResource(joiner, { verb: 'post', path: '/shoal/v1/join' }).allowed)
  for (const [verb, path] of [
    ['get', '/shoal/v1/join'],
    ['get', '/api'],
    ['get', '/images/'],
    ['get', '/metrics'],
    ['post', '/shoal/v1/secret-keys/rotate'],
  ])
    assert.not.ok(authorizeNonResource(joiner, { verb, path }).allowed, `${verb} ${path}`)
  const reads: Attributes[] = [
    { verb: 'list', group: '', resource: 'pods', namespace: ns },
    { verb: 'get', group: '', resource: 'nodes', name: 'pi-1' },
    { verb: 'create', group: '', resource: 'nodes' },
    { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
  ]
  for (const a of reads) {
    const d = authorize(joiner, a)
    assert.not.ok(d.allowed, JSON.stringify(a))
    if (!d.allowed) assert.match(d.reason, /a join token may only join a node/)
  }
})

test('forbiddenError names the object the way kubectl prints it', () => {
  const attrs: Attributes = {
    verb: 'get',
    group: 'apps',
    resource: 'deployments',
    namespace: 'default',
    name: 'web',
  }
  const err = forbiddenError(attrs, 'User "val" cannot get …')
  assert.ok(isShoalError(err, 'Forbidden'))
  assert.is(err.message, 'deployments.apps "web" is forbidden: User "val" cannot get …')
  assert.is(
    forbiddenError({ verb: 'list', group: '', resource: 'secrets' }, 'r').message,
    'secrets is forbidden: r',
  )
})

test.run()
