// The field schemas: manifests copied from the Kubernetes docs have no unknown field, typos are
// found with Kubernetes' paths, free-form maps are never looked into, pruning drops exactly the
// unknown fields, and every kind Shoal serves has a schema.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { allResources } from '../resources/index.ts'
import { pruneUnknown, schemaFor, unknownFields } from './unknown-fields.ts'

const docsManifests = readFileSync(
  new URL('../../../test/fixtures/kubernetes-docs-manifests.yaml', import.meta.url),
  'utf8',
)

test('every kind served, and Scale, has a schema with type and object meta', () => {
  for (const r of allResources()) {
    const s = schemaFor(r.kind)
    assert.ok(s, r.kind)
    for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(s![f], `${r.kind}.${f}`)
  }
  assert.ok(schemaFor('Scale'))
  assert.is(schemaFor('Widget'), undefined)
  assert.is(schemaFor('constructor'), undefined)
  assert.equal(unknownFields('Widget', { anything: 1 }), [])
})

test('manifests copied from the Kubernetes docs have no unknown field', () => {
  const docs = parseAllDocuments(docsManifests).map((d) => d.toJS() as { kind: string })
  assert.ok(docs.length >= 9)
  for (const doc of docs) assert.equal(unknownFields(doc.kind, doc), [], doc.kind)
})

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    labels: { 'whatever/key': 'v' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    colour: 'red',
  },
  spec: {
    replicass: 3,
    selector: { matchLabels: { app: 'web', anything: 'x' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        nodeSelector: { 'free.form/key': 'yes' },
        containers: [
          { name: 'a', image: 'a:1', resources: { limits: { cpu: '1', 'example.com/gpu': 1 } } },
          {
            name: 'b',
            imagee: 'b:1',
            ports: [{ containerPort: 80 }, { containerPort: 81, hostPortt: 1 }],
            env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'x', extra: 1 } } }],
          },
        ],
        volumes: [{ name: 'v', emptyDirr: {} }],
        securityContext: { runAsUser: 1, anythingGoes: { deep: true } },
      },
    },
  },
  status: { replicas: 1, bogus: true },
  topLevel: 1,
}

test("unknown fields are found with Kubernetes' paths, in object order; maps are free-form", () => {
  assert.equal(unknownFields('Deployment', deployment), [
    'metadata.colour',
    'spec.replicass',
    'spec.template.spec.containers[1].imagee',
    'spec.template.spec.containers[1].ports[1].hostPortt',
    'spec.template.spec.containers[1].env[0].valueFrom.fieldRef.extra',
    'spec.template.spec.volumes[0].emptyDirr',
    'status.bogus',
    'topLevel',
  ])
  assert.equal(
    unknownFields('ConfigMap', {
      data: { 'any key': 'v', nested: 'x' },
      binaryData: { b: 'eA==' },
      dta: {},
    }),
    ['dta'],
  )
  assert.equal(
    unknownFields('Secret', { data: { k: 'v' }, stringData: { s: 'v' }, type: 'Opaque' }),
    [],
  )
  assert.equal(
    unknownFields('Node', {
      status: {
        capacity: { cpu: '4', 'hugepages-2Mi': 0 },
        nodeInfo: { kubeletVersion: 'v', extra: 1 },
      },
    }),
    ['status.nodeInfo.extra'],
  )
})

test('values of the wrong shape are left to validation, not reported as unknown', () => {
  assert.equal(
    unknownFields('Pod', {
      spec: { containers: 'not a list', volumes: [null, 3, 'x'] },
      metadata: [],
    }),
    [],
  )
  assert.equal(unknownFields('Pod', null), [])
  assert.equal(unknownFields('Pod', [{ foo: 1 }]), [])
})

test('pruneUnknown drops exactly the unknown fields and leaves the input alone', () => {
  const before = JSON.stringify(deployment)
  const pruned = pruneUnknown('Deployment', deployment)
  assert.is(JSON.stringify(deployment), before, 'input unchanged')
  assert.equal(unknownFields('Deployment', pruned), [])
  assert.equal(pruned.metadata, {
    name: 'web',
    labels: { 'whatever/key': 'v' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  })
  const c = pruned.spec.template.spec.containers
  assert.equal(c[1], {
    name: 'b',
    ports: [{ containerPort: 80 }, { containerPort: 81 }],
    env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'x' } } }],
  })
  assert.equal(c[0].resources, { limits: { cpu: '1', 'example.com/gpu': 1 } })
  assert.equal(pruned.spec.template.spec.securityContext, {
    runAsUser: 1,
    anythingGoes: { deep: true },
  })
  assert.equal(pruned.spec.template.spec.volumes, [{ name: 'v' }])
  assert.equal(pruned.status, { replicas: 1 })
  assert.is('topLevel' in pruned, false)
  assert.is(pruneUnknown('Pod', 'x'), 'x')
})

test('keys that are Object.prototype names are unknown like any other', () => {
  const obj = JSON.parse('{"spec":{"constructor":1,"__proto__":{"x":1},"toString":2}}')
  assert.equal(unknownFields('Pod', obj), ['spec.constructor', 'spec.__proto__', 'spec.toString'])
  assert.equal(Object.keys(pruneUnknown('Pod', obj).spec), [])
})

test.run()
