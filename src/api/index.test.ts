// The public surface against malformed input from outside (HTTP bodies, MQTT status): every
// value of every field of a sample of each kind is replaced by garbage, and defaults,
// validation, update validation, table rows and strategic merge patch must answer, not throw.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as api from './index.ts'

const spec = {
  containers: [
    {
      name: 'w',
      image: 'w:1',
      env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      ports: [{ containerPort: 80, name: 'http' }],
      resources: { limits: { cpu: '1' }, requests: { cpu: '1' } },
      readinessProbe: { httpGet: { port: 80 } },
      volumeMounts: [{ name: 'v', mountPath: '/v' }],
    },
  ],
  volumes: [{ name: 'v', secret: { secretName: 's' } }],
  tolerations: [{ key: 'k', operator: 'Exists' }],
  nodeSelector: { a: 'b' },
}
const template = { metadata: { labels: { app: 'w' } }, spec }
const meta = {
  name: 'x',
  namespace: 'd',
  labels: { a: 'b' },
  ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }],
}
const samples: Record<string, unknown>[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec,
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'w', ready: true, restartCount: 1, state: { running: {} } }],
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta,
    spec: {
      replicas: 1,
      template,
      selector: {
        matchLabels: { app: 'w' },
        matchExpressions: [{ key: 'app', operator: 'In', values: ['w'] }],
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } },
    },
    status: { replicas: 1 },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta,
    spec: { selector: { matchLabels: { app: 'w' } }, template },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta,
    spec: { template, completions: 2 },
    status: {
      startTime: '2026-01-01T00:00:00Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: {
      selector: { a: 'b' },
      ports: [{ name: 'a', port: 80, targetPort: 'http', nodePort: 30000 }],
      type: 'NodePort',
      clusterIP: '10.0.0.1',
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta,
    subsets: [
      {
        addresses: [{ ip: '1.2.3.4', nodeName: 'n' }],
        notReadyAddresses: [{ ip: '1.2.3.5' }],
        ports: [{ port: 80, name: 'a' }],
      },
    ],
  },
  { apiVersion: 'v1', kind: 'Secret', metadata: meta, data: { a: 'eA==' }, stringData: { b: 'x' } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta,
    data: { a: 'x' },
    binaryData: { b: 'eA==' },
  },
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n', labels: { 'node-role.kubernetes.io/x': '' } },
    spec: { taints: [{ key: 'k', effect: 'NoSchedule' }], podCIDR: '10.0.0.0/24' },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '1.2.3.4' }],
      nodeInfo: { kubeletVersion: 'v' },
    },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, status: { phase: 'Active' } },
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta,
    involvedObject: { kind: 'Pod', name: 'p' },
    source: { component: 'c' },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'd' },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
    },
    status: {
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 5 } } },
      ],
    },
  },
]
const garbage = [null, 'x', -1, [], {}, [null], ['x'], true, { a: null }]

function* paths(v: unknown, p: string[] = []): Generator<string[]> {
  if (p.length) yield p
  if (v && typeof v === 'object')
    for (const k of Object.keys(v)) if (k !== 'kind') yield* paths((v as any)[k], [...p, k])
}

function replaced(obj: unknown, path: string[], value: unknown): any {
  const out = structuredClone(obj) as any
  let at = out
  for (const k of path.slice(0, -1)) at = at[k]
  at[path[path.length - 1]] = structuredClone(value)
  return out
}

test('malformed objects get answers, never exceptions', () => {
  let cases = 0
  for (const sample of samples) {
    const base = api.applyDefaults(sample as any)
    for (const path of paths(sample)) {
      for (const g of garbage) {
        const bad = replaced(sample, path, g)
        const where = `${sample.kind} ${path.join('.')} = ${JSON.stringify(g)}`
        try {
          const defaulted = api.applyDefaults(bad)
          api.validate(bad)
          api.validateUpdate(base, defaulted)
          api.validateUpdate(defaulted, base)
          api.tableRow(bad, Date.now())
          api.applyStrategicMergePatch(base, bad, String(sample.kind))
          cases++
        } catch (err) {
          assert.unreachable(`${where}: ${(err as Error).message}`)
        }
      }
    }
  }
  assert.ok(cases > 2000, `${cases} cases`)
})

test('the public surface is the contract the API server uses', () => {
  for (const fn of [
    'applyDefaults',
    'validate',
    'validateUpdate',
    'parseLabelSelector',
    'parseFieldSelector',
    'applyPatch',
    'patchTypeFor',
    'toTable',
    'storeKey',
    'resourceFor',
    'parseCpu',
    'parseMemory',
  ])
    assert.type((api as Record<string, unknown>)[fn], 'function', fn)
})

test.run()
