// The plane's own namespaces cannot be deleted, as in Kubernetes: a 403 Status before anything
// in them is touched, dry run or not; a deletecollection of namespaces deletes the others only.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'
import { BUILTIN_NAMESPACES } from './builtin-namespaces.ts'

let f: RouteFixture

test.before.each(async () => {
  f = await openRouteFixture('builtin-ns')
  for (const name of [...BUILTIN_NAMESPACES.slice(1), 'scratch'])
    assert.is((await f.request('POST', '/api/v1/namespaces', { metadata: { name } })).status, 201)
  assert.is(
    (
      await f.request('POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name: 'keep' },
      })
    ).status,
    201,
  )
})
test.after.each(() => f.close())

test('deleting default, kube-system, kube-public or kube-node-lease is 403 Forbidden, and nothing in them goes', async () => {
  for (const name of BUILTIN_NAMESPACES) {
    for (const query of ['', '?dryRun=All']) {
      const r = await f.request('DELETE', `/api/v1/namespaces/${name}${query}`)
      assert.is(r.status, 403, `${name}${query}`)
      assert.equal(r.json, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        reason: 'Forbidden',
        details: { name, kind: 'namespaces' },
        code: 403,
      })
    }
  }
  assert.is((await f.request('GET', '/api/v1/namespaces/default/configmaps/keep')).status, 200)
  assert.is(
    (await f.request('DELETE', '/api/v1/namespaces/scratch')).status,
    200,
    'other namespaces are deleted as before',
  )
})

test('a deletecollection of namespaces leaves the built-in ones and their contents', async () => {
  assert.is((await f.request('DELETE', '/api/v1/namespaces')).status, 200)
  const left = (await f.request('GET', '/api/v1/namespaces')).json.items.filter(
    (n: { metadata: { deletionTimestamp?: string } }) => !n.metadata.deletionTimestamp,
  )
  assert.equal(
    left.map((n: { metadata: { name: string } }) => n.metadata.name).sort(),
    [...BUILTIN_NAMESPACES].sort(),
  )
  assert.is((await f.request('GET', '/api/v1/namespaces/default/configmaps/keep')).status, 200)
})

test.run()
