import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyDefaults } from '../defaults/index.ts'
import { clone } from '../json/index.ts'
import { validateUpdate } from './validate-update.ts'

const pod = () =>
  applyDefaults({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'd', uid: 'u1' },
    spec: {
      containers: [{ name: 'web', image: 'hello:1' }],
      activeDeadlineSeconds: 100,
      tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }],
    },
  } as any)

const fields = (old: any, next: any) => validateUpdate(old, next).map((c) => c.field)

test('identity is immutable', () => {
  const next = clone(pod())
  next.metadata.name = 'q'
  next.metadata.uid = 'u2'
  assert.equal(validateUpdate(pod(), next), [
    { field: 'metadata.name', message: 'Invalid value: "q": field is immutable' },
    { field: 'metadata.uid', message: 'Invalid value: "u2": field is immutable' },
  ])
})

test('pods: image, shorter deadline, added tolerations and binding are allowed', () => {
  const next = clone(pod())
  next.spec.containers[0].image = 'hello:2'
  next.spec.activeDeadlineSeconds = 50
  next.spec.tolerations.push({ key: 'b', operator: 'Exists' })
  next.spec.tolerations[0].tolerationSeconds = 5
  next.spec.nodeName = 'pi-07'
  next.metadata.labels = { extra: 'ok' }
  assert.equal(validateUpdate(pod(), next), [])
})

test('pods: other spec changes are forbidden', () => {
  const next = clone(pod())
  next.spec.containers[0].args = ['x']
  next.spec.activeDeadlineSeconds = 500
  next.spec.tolerations = []
  assert.equal(fields(pod(), next), ['spec.activeDeadlineSeconds', 'spec.tolerations', 'spec'])
  const bound = clone(pod())
  bound.spec.nodeName = 'pi-07'
  const moved = clone(bound)
  moved.spec.nodeName = 'pi-08'
  assert.equal(fields(bound, moved), ['spec'])
})

test('workload selectors, job templates, clusterIP and immutable data', () => {
  const template = {
    metadata: { labels: { app: 'a', v: '1' } },
    spec: { containers: [{ name: 'a', image: 'a:1' }] },
  }
  const d = applyDefaults({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'd' },
    spec: { selector: { matchLabels: { app: 'a' } }, template },
  } as any)
  const d2 = clone(d)
  d2.spec.selector = { matchLabels: { app: 'a', v: '1' } }
  d2.spec.replicas = 5
  assert.equal(fields(d, d2), ['spec.selector'])
  const job = applyDefaults({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'd' },
    spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } },
  } as any)
  const job2 = clone(job)
  job2.spec.template.spec.containers[0].image = 'a:2'
  assert.equal(fields(job, job2), ['spec.template'])
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'd' },
    spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] },
  }
  assert.equal(fields(svc, { ...svc, spec: { ...svc.spec, clusterIP: '10.96.0.11' } }), [
    'spec.clusterIP',
  ])
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'd' },
    immutable: true,
    data: { a: '1' },
  }
  assert.equal(fields(cm, { ...cm, data: { a: '2' } }), ['data'])
  assert.equal(fields(cm, { ...cm, immutable: false }), ['immutable'])
  assert.equal(fields({ ...cm, immutable: false }, { ...cm, data: { a: '2' } }), [])
})

test("the new object itself is validate()'s job, not repeated here", () => {
  const next = clone(pod())
  next.spec.containers[0].image = ''
  assert.equal(fields(pod(), next), [])
  assert.equal(fields(pod(), { ...pod(), kind: 'Service' }), ['kind'])
})

test.run()
