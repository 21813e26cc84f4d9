// The rules a SelfSubjectRulesReview lists agree with authorize(): each listed rule is allowed, and
// what a role may do on every served resource is listed (the node's bound-object rules excepted).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { servedResources } from '../../../api/index.ts'
import { authorize, authorizeNonResource, type Attributes } from './authorizer.ts'
import { rulesFor, type ResourceRule } from './role-rules.ts'
import type { User } from './tokens.ts'

const admin: User = { name: 'alice', groups: ['system:masters'], role: 'admin' }
const viewer: User = { name: 'val', groups: ['shoal:viewers'], role: 'viewer' }
const pi1: User = { name: 'system:node:pi-1', groups: ['system:nodes'], role: 'node', node: 'pi-1' }
const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']

/** every concrete request a rule covers */
function expand(rule: ResourceRule, namespace = 'default'): Attributes[] {
  return rule.verbs.flatMap((verb) =>
    rule.apiGroups.flatMap((group) =>
      rule.resources.flatMap((r) => {
        const [resource, subresource] = r.split('/')
        return (rule.resourceNames ?? [undefined]).map((name) => ({
          verb,
          group,
          resource: resource!,
          subresource,
          name,
          namespace,
        }))
      }),
    ),
  )
}

const covers = (rules: ResourceRule[], a: Attributes) =>
  rules.some((r) => {
    const has = (list: string[] | undefined, v: string) =>
      list === undefined || list.includes('*') || list.includes(v)
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
    return (
      has(r.verbs, a.verb) &&
      has(r.apiGroups, a.group) &&
      has(r.resources, res) &&
      (!r.resourceNames || r.resourceNames.includes(a.name ?? ''))
    )
  })

test('every rule listed is allowed by the authorizer', () => {
  for (const user of [admin, viewer, pi1]) {
    const rules = rulesFor(user, servedResources())
    for (const rule of rules.resourceRules)
      for (const a of expand(rule))
        assert.ok(authorize(user, a).allowed, `${user.name}: ${JSON.stringify(a)}`)
    for (const rule of rules.nonResourceRules)
      for (const verb of rule.verbs)
        for (const url of rule.nonResourceURLs) {
          const path = url === '*' ? '/x' : url
          assert.ok(authorizeNonResource(user, { verb, path }).allowed, `${verb} ${path}`)
        }
  }
})

test("a node's Lease rule is listed in kube-node-lease only, and the authorizer allows it there only", () => {
  const leaseRules = (namespace: string) =>
    rulesFor(pi1, servedResources(), { namespace }).resourceRules.filter((r) =>
      r.resources.includes('leases'),
    )
  assert.equal(leaseRules('default'), [])
  assert.equal(leaseRules('kube-node-lease'), [
    {
      verbs: ['get', 'update', 'patch'],
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['pi-1'],
    },
  ])
  for (const a of expand(leaseRules('kube-node-lease')[0]!, 'kube-node-lease')) {
    assert.ok(authorize(pi1, a).allowed, JSON.stringify(a))
    assert.not.ok(authorize(pi1, { ...a, namespace: 'default' }).allowed)
    assert.not.ok(authorize(pi1, { ...a, name: 'pi-2' }).allowed)
  }
  const lease = { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }
  for (const verb of ['create', 'delete', 'list', 'watch'])
    assert.not.ok(authorize(pi1, { ...lease, verb, name: 'pi-1' }).allowed, verb)
  const denied = authorize(pi1, { ...lease, verb: 'update', name: 'pi-2' })
  assert.equal(denied, {
    allowed: false,
    reason: `User "system:node:pi-1" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": node 'pi-1' may only get, update, patch its own Lease (kube-node-lease/pi-1)`,
  })
})

test('admin and viewer rules are complete: what authorize allows on a served resource is listed', () => {
  for (const user of [admin, viewer]) {
    const rules = rulesFor(user, servedResources())
    assert.is(rules.incomplete, false)
    for (const r of servedResources()) {
      for (const sub of [undefined, ...r.subresources.map((s) => s.name)]) {
        for (const verb of verbs) {
          const a: Attributes = {
            verb,
            group: r.group,
            resource: r.resource,
            subresource: sub,
            namespace: 'default',
            name: 'x',
          }
          assert.is(
            covers(rules.resourceRules, a),
            authorize(user, a).allowed,
            `${user.name}: ${JSON.stringify(a)}`,
          )
        }
      }
    }
  }
})

test('a node lists its unconditional rules and says the rest is not listed', () => {
  const rules = rulesFor(pi1, servedResources())
  assert.is(rules.incomplete, true)
  assert.match(rules.evaluationError!, "node 'pi-1'")
  assert.ok(
    covers(rules.resourceRules, {
      verb: 'patch',
      group: '',
      resource: 'nodes',
      subresource: 'status',
      name: 'pi-1',
    }),
  )
  assert.not.ok(
    covers(rules.resourceRules, {
      verb: 'patch',
      group: '',
      resource: 'nodes',
      subresource: 'status',
      name: 'pi-2',
    }),
  )
  assert.not.ok(
    covers(rules.resourceRules, {
      verb: 'get',
      group: '',
      resource: 'secrets',
      namespace: 'default',
      name: 's',
    }),
  )
  const nameless = rulesFor({ ...pi1, node: undefined }, servedResources())
  assert.equal(nameless.resourceRules.map((r) => r.resources).flat(), [
    'selfsubjectaccessreviews',
    'selfsubjectrulesreviews',
    'selfsubjectreviews',
  ])
})

test.run()
