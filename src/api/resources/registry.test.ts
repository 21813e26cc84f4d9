import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  allResources,
  apiVersionOf,
  groupVersions,
  parseApiVersion,
  resolveResource,
  resourceByKind,
  resourceByPlural,
  resourceByShortName,
  resourceFor,
  resourceForObject,
  resourcesInCategory,
  servedResources,
  storageResource,
} from './registry.ts'
import { parseStoreKey, storeKey, storePrefix } from './store-keys.ts'

test("short names are exactly Kubernetes'", () => {
  const short = Object.fromEntries(allResources().map((r) => [r.resource, r.shortNames]))
  assert.equal(short, {
    namespaces: ['ns'],
    nodes: ['no'],
    pods: ['po'],
    services: ['svc'],
    endpoints: ['ep'],
    secrets: [],
    configmaps: ['cm'],
    events: ['ev'],
    deployments: ['deploy'],
    replicasets: ['rs'],
    daemonsets: ['ds'],
    controllerrevisions: [],
    jobs: [],
    cronjobs: ['cj'],
    horizontalpodautoscalers: ['hpa'],
    leases: [],
    endpointslices: [],
    ingresses: ['ing'],
  })
})

test('scope, groups, categories, subresources', () => {
  const deploy = resourceByKind('Deployment')!
  assert.equal(
    [
      deploy.group,
      deploy.version,
      deploy.resource,
      deploy.singular,
      deploy.listKind,
      deploy.namespaced,
    ],
    ['apps', 'v1', 'deployments', 'deployment', 'DeploymentList', true],
  )
  assert.equal(
    deploy.subresources.map((s) => s.name),
    ['status', 'scale'],
  )
  assert.equal(deploy.subresources[1].responseKind, {
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
  })
  assert.equal(
    resourceByKind('Pod')!.subresources.map((s) => s.name),
    ['status', 'log', 'binding', 'eviction'],
  )
  assert.equal(resourceByKind('Pod')!.subresources[2], {
    name: 'binding',
    responseKind: { group: '', version: 'v1', kind: 'Binding' },
    verbs: ['create'],
  })
  assert.equal(
    resourceByKind('ReplicaSet')!.subresources.map((s) => s.name),
    ['status', 'scale'],
  )
  assert.not.ok(resourceByKind('Node')!.namespaced)
  assert.not.ok(resourceByKind('Namespace')!.namespaced)
  assert.equal(
    resourcesInCategory('all').map((r) => r.resource),
    [
      'pods',
      'services',
      'deployments',
      'replicasets',
      'daemonsets',
      'jobs',
      'cronjobs',
      'horizontalpodautoscalers',
    ],
  )
  assert.ok(resourceByKind('Pod')!.verbs.includes('watch'))
  assert.not.ok(resourceByKind('Namespace')!.verbs.includes('deletecollection'))
  assert.equal(resourceByKind('HorizontalPodAutoscaler')!.group, 'autoscaling')
})

test('lookups by kind, plural, short name, group/version/resource, object and typed name', () => {
  assert.is(resourceByPlural('pods')!.kind, 'Pod')
  assert.is(resourceByPlural('deployments', 'apps')!.kind, 'Deployment')
  assert.is(resourceByPlural('deployments', ''), undefined)
  assert.is(resourceByShortName('deploy')!.resource, 'deployments')
  assert.is(resourceFor({ group: 'batch', version: 'v1', resource: 'jobs' })!.kind, 'Job')
  assert.is(resourceFor({ group: '', version: 'v1', resource: 'jobs' }), undefined)
  assert.is(resourceForObject({ apiVersion: 'apps/v1', kind: 'DaemonSet' })!.resource, 'daemonsets')
  assert.is(resourceForObject({ apiVersion: 'v1', kind: 'DaemonSet' }), undefined)
  for (const typed of ['po', 'pod', 'pods', 'Pod'])
    assert.is(resolveResource(typed)!.resource, 'pods', typed)
  assert.is(resolveResource('deployments.apps')!.kind, 'Deployment')
  assert.is(resolveResource('deployments.batch'), undefined)
  assert.is(resolveResource('hpa')!.kind, 'HorizontalPodAutoscaler')
  assert.is(resolveResource('endpointslices.discovery.k8s.io')!.kind, 'EndpointSlice')
  assert.is(resolveResource('endpointslice')!.group, 'discovery.k8s.io')
})

test('api versions', () => {
  assert.equal(parseApiVersion('apps/v1'), { group: 'apps', version: 'v1' })
  assert.equal(parseApiVersion('v1'), { group: '', version: 'v1' })
  assert.is(apiVersionOf(resourceByKind('Service')!), 'v1')
  assert.equal(groupVersions().map(apiVersionOf), [
    'v1',
    'apps/v1',
    'batch/v1',
    'autoscaling/v2',
    'coordination.k8s.io/v1',
    'discovery.k8s.io/v1',
    'networking.k8s.io/v1',
    'autoscaling/v1',
  ])
})

test('autoscaling/v1 HorizontalPodAutoscaler: served by URL and in discovery, stored and looked up by kind as v2', () => {
  const v1 = resourceFor({
    group: 'autoscaling',
    version: 'v1',
    resource: 'horizontalpodautoscalers',
  })!
  assert.equal([v1.kind, v1.version, v1.storageVersion], ['HorizontalPodAutoscaler', 'v1', 'v2'])
  assert.equal(v1.subresources[0].responseKind, {
    group: 'autoscaling',
    version: 'v1',
    kind: 'HorizontalPodAutoscaler',
  })
  assert.is(storageResource(v1), resourceByKind('HorizontalPodAutoscaler'))
  assert.is(
    storeKey(v1, { namespace: 'd', name: 'h' }),
    storeKey(storageResource(v1), { namespace: 'd', name: 'h' }),
  )
  assert.equal(
    servedResources()
      .filter((r) => r.kind === 'HorizontalPodAutoscaler')
      .map((r) => r.version),
    ['v2', 'v1'],
  )
  assert.is(allResources().filter((r) => r.kind === 'HorizontalPodAutoscaler').length, 1)
  assert.is(resolveResource('hpa')!.version, 'v2')
})

test('store keys and prefixes', () => {
  const deploy = resourceByKind('Deployment')!
  const node = resourceByKind('Node')!
  const pod = resourceByKind('Pod')!
  assert.is(
    storeKey(deploy, { namespace: 'default', name: 'web' }),
    '/registry/apps/deployments/default/web',
  )
  assert.is(storeKey(pod, { namespace: 'kube', name: 'p' }), '/registry/core/pods/kube/p')
  assert.is(storeKey(node, { name: 'pi-07' }), '/registry/core/nodes/pi-07')
  assert.is(storePrefix(pod, 'default'), '/registry/core/pods/default/')
  assert.is(storePrefix(pod), '/registry/core/pods/')
  assert.is(storePrefix(node), '/registry/core/nodes/')
  assert.throws(() => storeKey(pod, { name: 'p' }), /namespaced/)
  assert.equal(parseStoreKey('/registry/apps/deployments/default/web'), {
    group: 'apps',
    resource: 'deployments',
    namespace: 'default',
    name: 'web',
  })
  assert.equal(parseStoreKey('/registry/core/nodes/pi-07'), {
    group: '',
    resource: 'nodes',
    name: 'pi-07',
  })
  assert.is(parseStoreKey('/other/x'), undefined)
  assert.is(parseStoreKey('/registry/core/pods/'), undefined)
})

test.run()
