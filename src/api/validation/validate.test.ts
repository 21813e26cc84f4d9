import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyDefaults } from '../defaults/index.ts'
import { validate } from './validate.ts'

const hex = 'b'.repeat(64)

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', ...metadata },
    spec,
  }
}

function deployment(spec: Record<string, unknown>) {
  return applyDefaults({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec,
  } as any)
}

const fields = (obj: unknown) => validate(obj).map((c) => c.field)

test('a valid pod has no problems', () => {
  const p = applyDefaults(
    pod({
      containers: [
        {
          name: 'web',
          image: `sha256:${hex}`,
          ports: [{ name: 'http', containerPort: 8080 }],
          resources: { limits: { cpu: '500m', memory: '64Mi' } },
          readinessProbe: { httpGet: { path: '/', port: 'http' } },
          env: [
            { name: 'A', value: '1' },
            { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          ],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 30,
        },
      ],
    }) as any,
  )
  assert.equal(validate(p), [])
})

test('metadata: names per kind, namespace, labels, generateName', () => {
  assert.equal(
    validate(pod({ containers: [{ name: 'a', image: 'x:1' }] }, { name: 'Bad_Name' })).map(
      (c) => c.field,
    ),
    ['metadata.name', 'spec.restartPolicy'],
  )
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: '1web', namespace: 'default' },
    spec: { ports: [{ port: 80 }] },
  }
  assert.equal(fields(svc), ['metadata.name'], 'services need a DNS-1035 label')
  assert.match(validate(svc)[0].message, /^Invalid value: "1web": a DNS-1035 label must consist of/)
  assert.equal(
    validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } }),
    [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }],
  )
  assert.equal(
    fields({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'web-', namespace: 'default' },
    }),
    [],
  )
  assert.equal(fields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }), [
    'metadata.namespace',
  ])
  assert.equal(
    validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } })[0].field,
    'metadata.name',
  )
  assert.equal(
    validate({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi-07', namespace: 'x' } }),
    [{ field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' }],
  )
  const labels = validate({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: 'd', labels: { 'bad key': 'x', ok: 'bad value!' } },
  })
  assert.equal(
    labels.map((c) => c.field),
    ['metadata.labels', 'metadata.labels'],
  )
  assert.match(labels[0].message, /^Invalid value: "bad key": name part must consist of/)
  assert.match(
    labels[1].message,
    /^Invalid value: "bad value!": a valid label must be an empty string/,
  )
})

test('kind and apiVersion', () => {
  assert.equal(validate({ apiVersion: 'v1', metadata: {} }), [
    { field: 'kind', message: 'Required value' },
  ])
  assert.equal(fields({ apiVersion: 'v1', kind: 'Gizmo', metadata: {} }), ['kind'])
  assert.equal(
    validate({ apiVersion: 'apps/v2', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd' } }),
    [{ field: 'apiVersion', message: 'Unsupported value: "apps/v2": supported values: "v1"' }],
  )
  assert.equal(fields(null), [''])
})

test('containers: required, images, unique names, every problem at once', () => {
  assert.equal(validate(pod({ restartPolicy: 'Always', containers: [] })), [
    { field: 'spec.containers', message: 'Required value' },
  ])
  const causes = validate(
    pod({
      restartPolicy: 'Sometimes',
      containers: [
        { name: 'web', image: '' },
        { name: 'web', image: 'Not An Image' },
        { name: 'ok', image: 'oci://reg:5000/a/b:1', args: [1] },
      ],
    }),
  )
  assert.equal(causes, [
    { field: 'spec.containers[0].image', message: 'Required value' },
    {
      field: 'spec.containers[1].image',
      message: `Invalid value: "Not An Image": must be a component digest ('sha256:<64 hex digits>'), a name with an optional tag ('hello-http:1.0') or an OCI reference ('oci://registry.example:5000/team/app:1.0')`,
    },
    { field: 'spec.containers[1].name', message: 'Duplicate value: "web"' },
    { field: 'spec.containers[2].args', message: 'Invalid value: [1]: must be a list of strings' },
    {
      field: 'spec.restartPolicy',
      message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    },
  ])
})

test('ports, env, resources, probes, mounts, volumes, tolerations', () => {
  const causes = validate(
    pod({
      restartPolicy: 'Never',
      activeDeadlineSeconds: 0,
      containers: [
        {
          name: 'c',
          image: 'x',
          ports: [
            { containerPort: 70000, name: 'http' },
            { name: 'http', containerPort: 80, protocol: 'HTTP' },
            { name: 'a' },
          ],
          env: [
            { name: '1A', value: 'x' },
            { name: 'B', value: 'x', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } },
          ],
          resources: { limits: { cpu: '1', memory: '1Gb' }, requests: { cpu: '2' } },
          livenessProbe: { exec: { command: ['true'] }, successThreshold: 2, periodSeconds: -1 },
          volumeMounts: [
            { name: 'missing', mountPath: '/m' },
            { name: 'v', mountPath: '/m' },
          ],
        },
      ],
      volumes: [
        { name: 'v', emptyDir: {}, hostPath: { path: '/x' } },
        { name: 'w', persistentVolumeClaim: { claimName: 'c' } },
      ],
      tolerations: [
        { operator: 'Equal', value: 'x' },
        { key: 'k', operator: 'Exists', value: 'v', effect: 'NoRun' },
      ],
    }),
  )
  assert.equal(
    causes.map((c) => c.field),
    [
      'spec.volumes[0].emptyDir',
      'spec.volumes[1].persistentVolumeClaim',
      'spec.containers[0].env[0].name',
      'spec.containers[0].env[1].valueFrom',
      'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath',
      'spec.containers[0].ports[0].containerPort',
      'spec.containers[0].ports[1].protocol',
      'spec.containers[0].ports[1].name',
      'spec.containers[0].ports[2].containerPort',
      'spec.containers[0].resources.limits[memory]',
      'spec.containers[0].livenessProbe.exec',
      'spec.containers[0].livenessProbe.periodSeconds',
      'spec.containers[0].livenessProbe.successThreshold',
      'spec.containers[0].volumeMounts[0].name',
      'spec.containers[0].volumeMounts[1].mountPath',
      'spec.tolerations[0].operator',
      'spec.tolerations[1].operator',
      'spec.tolerations[1].effect',
      'spec.activeDeadlineSeconds',
    ],
  )
  assert.equal(causes[5].message, 'Invalid value: 70000: must be between 1 and 65535, inclusive')
  const requests = validate(
    pod({
      restartPolicy: 'Never',
      containers: [
        { name: 'c', image: 'x', resources: { limits: { cpu: '1' }, requests: { cpu: '1500m' } } },
      ],
    }),
  )
  assert.equal(requests, [
    {
      field: 'spec.containers[0].resources.requests[cpu]',
      message: 'Invalid value: "1500m": must be less than or equal to cpu limit of 1',
    },
  ])
})

test('deployments: selector must match template labels; replicas; strategy; template restart policy', () => {
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'hello:1' }] },
  }
  assert.equal(validate(deployment({ selector: { matchLabels: { app: 'web' } }, template })), [])
  const bad = validate(
    deployment({
      replicas: -1,
      selector: { matchLabels: { app: 'api' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
      template: {
        ...template,
        spec: {
          restartPolicy: 'Never',
          containers: [
            { name: 'web', image: 'hello:1' },
            { name: 'Side', image: 'x' },
          ],
        },
      },
    }),
  )
  assert.equal(bad, [
    { field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
    {
      field: 'spec.template.metadata.labels',
      message: 'Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    },
    {
      field: 'spec.template.spec.containers[1].name',
      message: `Invalid value: "Side": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    },
    {
      field: 'spec.template.spec.restartPolicy',
      message: 'Unsupported value: "Never": supported values: "Always"',
    },
    {
      field: 'spec.strategy.rollingUpdate.maxUnavailable',
      message: 'Invalid value: "0%": may not be 0 when `maxSurge` is 0',
    },
  ])
  assert.equal(fields(deployment({ template })), ['spec.selector'])
  assert.equal(fields(deployment({ selector: {}, template })), ['spec.selector'])
  assert.equal(
    fields(
      deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, template }),
    ),
    ['spec.selector.matchExpressions[0].values'],
  )
  assert.equal(
    fields(
      deployment({
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'Recreate', rollingUpdate: {} },
        template,
      }),
    ),
    ['spec.strategy.rollingUpdate'],
  )
})

test('jobs, daemonsets and autoscalers', () => {
  const template = {
    metadata: { labels: { app: 'j' } },
    spec: { containers: [{ name: 'j', image: 'job:1' }] },
  }
  const job = applyDefaults({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'd' },
    spec: { backoffLimit: -1, template },
  } as any)
  assert.equal(validate(job), [
    {
      field: 'spec.backoffLimit',
      message: 'Invalid value: -1: must be greater than or equal to 0',
    },
    {
      field: 'spec.template.spec.restartPolicy',
      message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"',
    },
  ])
  const ds = applyDefaults({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'd', namespace: 'd' },
    spec: { selector: { matchLabels: { app: 'x' } }, template },
  } as any)
  assert.equal(fields(ds), ['spec.template.metadata.labels'])
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', namespace: 'd' },
    spec: {
      scaleTargetRef: { name: 'web' },
      minReplicas: 5,
      maxReplicas: 2,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'gpu', target: { type: 'Utilization', averageUtilization: 0 } },
        },
      ],
    },
  }
  assert.equal(fields(hpa), [
    'spec.scaleTargetRef.kind',
    'spec.maxReplicas',
    'spec.metrics[0].resource.name',
    'spec.metrics[0].resource.target.averageUtilization',
  ])
  assert.equal(
    validate(hpa)[1].message,
    'Invalid value: 2: must be greater than or equal to `minReplicas`',
  )
})

test('autoscalers: Pods and Object metrics, behavior rules', () => {
  const hpa = (spec: unknown) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', namespace: 'd' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      maxReplicas: 5,
      ...(spec as object),
    },
  })
  const rps = { metric: { name: 'http_requests_per_second' } }
  const good = {
    metrics: [
      { type: 'Pods', pods: { ...rps, target: { type: 'AverageValue', averageValue: '10' } } },
      {
        type: 'Object',
        object: {
          ...rps,
          describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' },
          target: { type: 'Value', value: '2k' },
        },
      },
    ],
    behavior: {
      scaleDown: {
        stabilizationWindowSeconds: 60,
        policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }],
      },
    },
  }
  assert.equal(validate(hpa(good)), [])
  const bad = {
    metrics: [
      { type: 'Pods', pods: { metric: {}, target: { type: 'Value', value: '1' } } },
      {
        type: 'Object',
        object: { metric: { name: 'x' }, target: { type: 'Utilization', averageUtilization: 5 } },
      },
      { type: 'External' },
    ],
    behavior: {
      scaleUp: { stabilizationWindowSeconds: 4000, selectPolicy: 'Most', policies: [] },
      scaleDown: { policies: [{ type: 'Pod', value: 0, periodSeconds: 1801 }] },
    },
  }
  assert.equal(fields(hpa(bad)), [
    'spec.metrics[0].pods.metric.name',
    'spec.metrics[0].pods.target.averageValue',
    'spec.metrics[1].object.describedObject.kind',
    'spec.metrics[1].object.describedObject.name',
    'spec.metrics[1].object.target',
    'spec.metrics[2].type',
    'spec.behavior.scaleUp.stabilizationWindowSeconds',
    'spec.behavior.scaleUp.selectPolicy',
    'spec.behavior.scaleUp.policies',
    'spec.behavior.scaleDown.policies[0].type',
    'spec.behavior.scaleDown.policies[0].value',
    'spec.behavior.scaleDown.policies[0].periodSeconds',
  ])
  assert.equal(validate(hpa(bad))[8].message, 'Required value: must specify at least one Policy')
})

test('services and endpoints', () => {
  const svc = (spec: unknown) =>
    applyDefaults({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'd' },
      spec,
    } as any)
  assert.equal(
    validate(svc({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] })),
    [],
  )
  assert.equal(fields(svc({ ports: [] })), ['spec.ports'])
  assert.equal(fields(svc({ type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080 }] })), [])
  assert.equal(
    fields(
      svc({
        type: 'ExternalName',
        clusterIP: '10.0.0.300',
        ports: [
          { port: 0 },
          { name: 'a', port: 80, nodePort: 30080 },
          { name: 'a', port: 80, targetPort: 'Bad_Name' },
        ],
      }),
    ),
    [
      'spec.type',
      'spec.clusterIP',
      'spec.ports[0].name',
      'spec.ports[0].port',
      'spec.ports[2].name',
      'spec.ports[2].targetPort',
      'spec.ports[2]',
    ],
  )
  assert.equal(validate(svc({ ports: [{ port: 80, nodePort: 30080 }] })), [
    {
      field: 'spec.ports[0].nodePort',
      message: "Forbidden: may not be used when `type` is 'ClusterIP'",
    },
  ])
  const ep = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'd' },
    subsets: [{ addresses: [{ ip: '10.1.0.5' }, { ip: 'nope' }], ports: [{ port: 99999 }] }],
  }
  assert.equal(fields(ep), ['subsets[0].addresses[1].ip', 'subsets[0].ports[0].port'])
})

test('secrets, configmaps, nodes, events', () => {
  const meta = { name: 's', namespace: 'd' }
  assert.equal(
    fields({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta,
      data: { 'a b': 'eA==', ok: '***' },
    }),
    ['data[a b]', 'data[ok]'],
  )
  assert.equal(
    fields({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta,
      data: { a: 'x' },
      binaryData: { a: 'eA==' },
    }),
    ['binaryData[a]'],
  )
  assert.equal(
    fields({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta,
      data: { big: 'x'.repeat(1024 * 1024 + 1) },
    }),
    ['data'],
  )
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'pi-07' },
    spec: {
      taints: [
        { key: 'k', effect: 'NoSchedule' },
        { key: 'k', effect: 'NoSchedule' },
        { effect: 'Never' },
      ],
    },
  }
  assert.equal(fields(node), ['spec.taints[1]', 'spec.taints[2].key', 'spec.taints[2].effect'])
  const ev = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'p.1', namespace: 'd' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' },
    type: 'Info',
  }
  assert.equal(fields(ev), ['involvedObject.namespace', 'type'])
})

test('leases: positive duration, non-negative transitions, MicroTimes, strings; namespaced', () => {
  const lease = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
    validate({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'pi-1', namespace: 'kube-node-lease', ...metadata },
      spec,
    }).map((c) => c.field)
  const good = {
    holderIdentity: 'pi-1',
    leaseDurationSeconds: 40,
    renewTime: '2026-12-05T07:00:00.123456Z',
    acquireTime: '2026-12-05T07:00:00Z',
    leaseTransitions: 0,
  }
  assert.equal(lease(good), [])
  assert.equal(lease({}), [])
  assert.equal(
    lease({
      holderIdentity: 7,
      leaseDurationSeconds: 0,
      renewTime: 'yesterday',
      acquireTime: '2026-13-45T99:00:00Z',
      leaseTransitions: -1,
    }).sort(),
    [
      'spec.acquireTime',
      'spec.holderIdentity',
      'spec.leaseDurationSeconds',
      'spec.leaseTransitions',
      'spec.renewTime',
    ],
  )
  assert.equal(lease(good, { namespace: undefined }), ['metadata.namespace'])
  assert.equal(lease(good, { name: 'Pi_1' }), ['metadata.name'])
})

test('projected volumes: secret and configMap sources only, one each, named', () => {
  const vol = (sources: unknown) =>
    pod({
      restartPolicy: 'Always',
      containers: [{ name: 'c', image: 'i:1' }],
      volumes: [{ name: 'p', projected: { sources } }],
    })
  assert.equal(validate(vol([{ secret: { name: 's' } }, { configMap: { name: 'c' } }])), [])
  assert.equal(validate(vol([{ downwardAPI: {} }])), [
    {
      field: 'spec.volumes[0].projected.sources[0].downwardAPI',
      message: 'Forbidden: projected source not supported; use secret or configMap',
    },
  ])
  assert.equal(
    validate(vol([{ secret: {} }])).map((c) => c.field),
    ['spec.volumes[0].projected.sources[0].secret.name'],
  )
  assert.equal(
    validate(vol([{ secret: { name: 's' }, configMap: { name: 'c' } }])).map((c) => c.field),
    ['spec.volumes[0].projected.sources[0]'],
  )
  assert.equal(
    validate(vol(undefined)).map((c) => c.field),
    ['spec.volumes[0].projected.sources'],
  )
})

test.run()
