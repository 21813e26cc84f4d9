import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyStrategicMergePatch } from './strategic-merge-patch.ts'

function apply(original: unknown, patch: unknown, kind = 'Deployment'): any {
  const r = applyStrategicMergePatch(original, patch, kind)
  if (!r.ok) throw new Error(r.error)
  return r.value
}

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', extra: 'yes' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'hello-http:1',
            args: ['a', 'b'],
            ports: [{ containerPort: 80 }, { containerPort: 443 }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'sidecar', image: 'side:1' },
        ],
      },
    },
  },
})

test('kubectl.md §8: the patch client-side apply sends when removing a label, a port, a container and an arg', () => {
  const patch = JSON.parse(
    '{"metadata":{"labels":{"extra":null}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"$setElementOrder/ports":[{"containerPort":80}],"args":["a"],"name":"web","ports":[{"$patch":"delete","containerPort":443}]},{"$patch":"delete","name":"sidecar"}]}}}}',
  )
  const out = apply(deployment(), patch)
  assert.equal(out.metadata.labels, { app: 'web' })
  assert.equal(out.spec.template.spec.containers, [
    {
      name: 'web',
      image: 'hello-http:1',
      args: ['a'],
      ports: [{ containerPort: 80 }],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    },
  ])
  assert.equal(out.spec.strategy, deployment().spec.strategy)
})

test('lists merge on their keys; new elements are appended; atomic lists are replaced whole', () => {
  const out = apply(deployment(), {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              image: 'hello-http:2',
              command: ['run'],
              env: [
                { name: 'B', value: '3' },
                { name: 'C', value: '4' },
              ],
            },
            { name: 'logger', image: 'log:1' },
          ],
        },
      },
    },
  })
  const [web, sidecar, logger] = out.spec.template.spec.containers
  assert.is(web.image, 'hello-http:2')
  assert.equal(web.args, ['a', 'b'])
  assert.equal(web.command, ['run'])
  assert.equal(web.env, [
    { name: 'A', value: '1' },
    { name: 'B', value: '3' },
    { name: 'C', value: '4' },
  ])
  assert.is(sidecar.name, 'sidecar')
  assert.is(logger.name, 'logger')
})

test('$setElementOrder reorders a merged list', () => {
  const out = apply(deployment(), {
    spec: {
      template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] } },
    },
  })
  assert.equal(
    out.spec.template.spec.containers.map((c: { name: string }) => c.name),
    ['sidecar', 'web'],
  )
})

test('$patch: replace on a map and on a list, $patch: delete on a map', () => {
  const replaced = apply(deployment(), {
    spec: { strategy: { $patch: 'replace', type: 'Recreate' } },
  })
  assert.equal(replaced.spec.strategy, { type: 'Recreate' })
  const list = apply(deployment(), {
    spec: {
      template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x:1' }] } },
    },
  })
  assert.equal(list.spec.template.spec.containers, [{ name: 'only', image: 'x:1' }])
  const deleted = apply(deployment(), { spec: { strategy: { $patch: 'delete' } } })
  assert.not.ok('strategy' in deleted.spec)
})

test('$retainKeys drops the keys it does not list', () => {
  const out = apply(deployment(), {
    spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
  })
  assert.equal(out.spec.strategy, { type: 'Recreate' })
})

test('$deleteFromPrimitiveList and primitive merge lists (finalizers)', () => {
  const pod = { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] }, spec: { containers: [] } }
  const out = apply(
    pod,
    { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['d'] } },
    'Pod',
  )
  assert.equal(out.metadata.finalizers, ['a', 'c', 'd'])
})

test('service ports merge on port, pod conditions on type, unknown kinds only on metadata', () => {
  const svc = {
    spec: {
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'https', port: 443 },
      ],
    },
  }
  const out = apply(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service')
  assert.equal(out.spec.ports, [
    { name: 'http', port: 80, targetPort: 9090 },
    { name: 'https', port: 443 },
  ])
  const pod = {
    status: {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
    },
  }
  const ready = apply(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Pod')
  assert.equal(ready.status.conditions, [
    { type: 'Ready', status: 'True' },
    { type: 'PodScheduled', status: 'True' },
  ])
  const cm = apply(
    { data: { a: '1', b: '2' }, list: [1, 2] },
    { data: { a: null, c: '3' }, list: [3] },
    'ConfigMap',
  )
  assert.equal(cm, { data: { b: '2', c: '3' }, list: [3] })
})

test('a new key takes the patch value with its directives and nulls removed', () => {
  const out = apply({ metadata: { name: 'x' } }, { metadata: { labels: { a: '1', b: null } } })
  assert.equal(out.metadata, { name: 'x', labels: { a: '1' } })
})

test('errors: missing merge key, unknown $patch, non-object patch', () => {
  const missing = applyStrategicMergePatch(
    deployment(),
    { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    'Deployment',
  )
  assert.equal(missing, {
    ok: false,
    error: 'map: {"image":"x"} does not contain declared merge key: name',
  })
  assert.equal(applyStrategicMergePatch({}, { $patch: 'frob' }, 'Pod'), {
    ok: false,
    error: 'unknown patch type: "frob"',
  })
  assert.not.ok(applyStrategicMergePatch({}, [], 'Pod').ok)
})

test('the original object is not changed', () => {
  const original = deployment()
  apply(original, {
    metadata: { labels: { extra: null } },
    spec: { template: { spec: { containers: [{ name: 'web', image: 'z' }] } } },
  })
  assert.equal(original, deployment())
})

test.run()
