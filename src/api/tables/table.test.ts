import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { tableColumns } from './table-columns.ts'
import { tableRow, toTable } from './table.ts'
import type { Lease } from '../types/index.ts'

const now = Date.parse('2026-01-01T01:00:00Z')
const created = '2026-01-01T00:55:00Z'

test('column definitions have the shape kubectl reads, wide columns at priority 1', () => {
  const pod = tableColumns('Pod')
  assert.equal(pod[0], {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name must be unique within a namespace.',
    priority: 0,
  })
  assert.equal(
    pod.filter((c) => c.priority === 0).map((c) => c.name),
    ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
  )
  assert.equal(
    pod.filter((c) => c.priority === 1).map((c) => c.name),
    ['IP', 'Node', 'Nominated Node', 'Readiness Gates'],
  )
  assert.equal(
    tableColumns('Deployment').map((c) => c.name),
    ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
  )
  assert.equal(
    tableColumns('Service').map((c) => c.name),
    ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
  )
  assert.equal(
    tableColumns('Node')
      .filter((c) => !c.priority)
      .map((c) => c.name),
    ['Name', 'Status', 'Roles', 'Age', 'Version'],
  )
  assert.equal(
    tableColumns('Namespace').map((c) => c.name),
    ['Name', 'Status', 'Age'],
  )
  assert.equal(
    tableColumns('Gizmo').map((c) => c.name),
    ['Name', 'Age'],
  )
  for (const kind of [
    'Pod',
    'Node',
    'Namespace',
    'Service',
    'Endpoints',
    'Secret',
    'ConfigMap',
    'Event',
    'Deployment',
    'DaemonSet',
    'Job',
    'HorizontalPodAutoscaler',
  ])
    assert.ok(tableColumns(kind).length > 1, kind)
})

test('pod rows: ready count, status from container states, restarts with last restart age, wide cells', () => {
  const pod = {
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: created },
    spec: {
      containers: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b' },
      ],
      nodeName: 'pi-07',
    },
    status: {
      phase: 'Running',
      podIP: '10.1.0.5',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
        {
          name: 'b',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:58:00Z' } },
        },
      ],
    },
  }
  const row = tableRow(pod as any, now)
  assert.equal(row.cells, [
    'web',
    '1/2',
    'CrashLoopBackOff',
    '3 (2m ago)',
    '5m',
    '10.1.0.5',
    'pi-07',
    '<none>',
    '<none>',
  ])
  assert.equal(row.object, {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: pod.metadata,
  })
  const pending = {
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: created },
    spec: { containers: [{ name: 'a', image: 'a' }] },
    status: { phase: 'Pending' },
  }
  assert.equal(tableRow(pending as any, now).cells.slice(0, 5), ['p', '0/1', 'Pending', '0', '5m'])
  const deleting = { ...pending, metadata: { ...pending.metadata, deletionTimestamp: created } }
  assert.is(tableRow(deleting as any, now).cells[2], 'Terminating')
  const exited = {
    ...pending,
    status: {
      phase: 'Failed',
      containerStatuses: [
        { name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } },
      ],
    },
  }
  assert.is(tableRow(exited as any, now).cells[2], 'ExitCode:2')
})

test('deployment, service, node and namespace rows', () => {
  const d = {
    kind: 'Deployment',
    metadata: { name: 'web', creationTimestamp: created },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'hello:1' },
            { name: 'log', image: 'log:1' },
          ],
        },
      },
    },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  }
  assert.equal(tableRow(d as any, now).cells, [
    'web',
    '2/3',
    3,
    2,
    '5m',
    'web,log',
    'hello:1,log:1',
    'app=web',
  ])
  const svc = {
    kind: 'Service',
    metadata: { name: 'web', creationTimestamp: created },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      selector: { app: 'web' },
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    },
  }
  assert.equal(tableRow(svc as any, now).cells, [
    'web',
    'NodePort',
    '10.96.0.10',
    '<none>',
    '80:30080/TCP,53/UDP',
    '5m',
    'app=web',
  ])
  const node = {
    kind: 'Node',
    metadata: {
      name: 'pi-07',
      creationTimestamp: '2025-12-29T00:00:00Z',
      labels: { 'node-role.kubernetes.io/edge': '' },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'False' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.7' }],
      nodeInfo: { kubeletVersion: 'shoal-0.1.0', osImage: 'Raspbian' },
    },
  }
  assert.equal(tableRow(node as any, now).cells, [
    'pi-07',
    'NotReady,SchedulingDisabled',
    'edge',
    '3d1h',
    'shoal-0.1.0',
    '192.168.1.7',
    '<none>',
    'Raspbian',
    '<unknown>',
    '<unknown>',
  ])
  assert.equal(
    tableRow(
      {
        kind: 'Namespace',
        metadata: { name: 'default', creationTimestamp: created },
        status: { phase: 'Active' },
      } as any,
      now,
    ).cells,
    ['default', 'Active', '5m'],
  )
})

test('endpoints, secrets, configmaps, events, jobs, daemonsets and autoscalers', () => {
  const ep = {
    kind: 'Endpoints',
    metadata: { name: 'web', creationTimestamp: created },
    subsets: [
      { addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.1.0.${i}` })), ports: [{ port: 8080 }] },
    ],
  }
  assert.equal(tableRow(ep as any, now).cells, [
    'web',
    '10.1.0.1:8080,10.1.0.2:8080,10.1.0.3:8080 + 2 more...',
    '5m',
  ])
  assert.equal(tableRow({ kind: 'Endpoints', metadata: { name: 'e' } } as any, now).cells, [
    'e',
    '<none>',
    '<unknown>',
  ])
  assert.equal(
    tableRow(
      {
        kind: 'Secret',
        metadata: { name: 's', creationTimestamp: created },
        type: 'Opaque',
        data: { a: '', b: '' },
      } as any,
      now,
    ).cells,
    ['s', 'Opaque', 2, '5m'],
  )
  assert.equal(
    tableRow(
      {
        kind: 'ConfigMap',
        metadata: { name: 'c', creationTimestamp: created },
        data: { a: '' },
      } as any,
      now,
    ).cells,
    ['c', 1, '5m'],
  )
  const ev = {
    kind: 'Event',
    metadata: { name: 'web.1' },
    involvedObject: { kind: 'Pod', name: 'web' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container ',
    firstTimestamp: '2026-01-01T00:50:00Z',
    lastTimestamp: '2026-01-01T00:59:30Z',
    count: 4,
    source: { component: 'shoal-agent', host: 'pi-07' },
  }
  assert.equal(tableRow(ev as any, now).cells, [
    '30s',
    'Warning',
    'BackOff',
    'pod/web',
    '',
    'shoal-agent, pi-07',
    'Back-off restarting failed container',
    '10m',
    4,
    'web.1',
  ])
  const job = {
    kind: 'Job',
    metadata: { name: 'j', creationTimestamp: created },
    spec: { completions: 1, template: { spec: { containers: [{ name: 'j', image: 'job:1' }] } } },
    status: {
      succeeded: 1,
      startTime: '2026-01-01T00:55:00Z',
      completionTime: '2026-01-01T00:55:42Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    },
  }
  assert.equal(tableRow(job as any, now).cells, [
    'j',
    'Complete',
    '1/1',
    '42s',
    '5m',
    'j',
    'job:1',
    '<none>',
  ])
  const ds = {
    kind: 'DaemonSet',
    metadata: { name: 'd', creationTimestamp: created },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        spec: { nodeSelector: { edge: 'true' }, containers: [{ name: 'd', image: 'd:1' }] },
      },
    },
    status: {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 2,
      updatedNumberScheduled: 3,
      numberAvailable: 2,
      numberMisscheduled: 0,
    },
  }
  assert.equal(tableRow(ds as any, now).cells, [
    'd',
    3,
    3,
    2,
    3,
    2,
    'edge=true',
    '5m',
    'd',
    'd:1',
    'app=d',
  ])
  const hpa = {
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', creationTimestamp: created },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
        },
      ],
    },
    status: {
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50 } } },
      ],
    },
  }
  assert.equal(tableRow(hpa as any, now).cells, [
    'h',
    'Deployment/web',
    'cpu: 50%/80%, memory: <unknown>/100Mi',
    '1',
    5,
    2,
    '5m',
  ])
  const rps = { metric: { name: 'http_requests_per_second' } }
  const custom = {
    ...hpa,
    spec: {
      ...hpa.spec,
      metrics: [
        { type: 'Pods', pods: { ...rps, target: { type: 'AverageValue', averageValue: '10' } } },
        {
          type: 'Object',
          object: { ...rps, describedObject: {}, target: { type: 'Value', value: '2k' } },
        },
        hpa.spec.metrics[0],
      ],
    },
    status: {
      currentReplicas: 2,
      currentMetrics: [{ type: 'Pods', pods: { ...rps, current: { averageValue: '12500m' } } }],
    },
  }
  assert.is(tableRow(custom as any, now).cells[2], '12500m/10, <unknown>/2k + 1 more...')
})

test('lease rows: name, holder, age, as kubectl get leases prints them', () => {
  assert.equal(
    tableColumns('Lease').map((c) => c.name),
    ['Name', 'Holder', 'Age'],
  )
  const lease: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: 'pi-1',
      namespace: 'kube-node-lease',
      creationTimestamp: '2026-01-01T00:55:00Z',
    },
    spec: { holderIdentity: 'pi-1', leaseDurationSeconds: 40 },
  }
  assert.equal(tableRow(lease, now).cells, ['pi-1', 'pi-1', '5m'])
  const unheld: Lease = { ...lease, spec: {} }
  assert.equal(tableRow(unheld, now).cells, ['pi-1', '', '5m'])
})

test('toTable builds the Table of kubectl.md §5', () => {
  const t = toTable(
    [
      {
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'default', creationTimestamp: created },
      },
    ],
    { kind: 'ConfigMap', now, resourceVersion: '42' },
  )
  assert.equal(t.kind, 'Table')
  assert.equal(t.apiVersion, 'meta.k8s.io/v1')
  assert.equal(t.metadata, { resourceVersion: '42' })
  assert.equal(
    t.columnDefinitions.map((c) => c.name),
    ['Name', 'Data', 'Age'],
  )
  assert.equal(t.rows[0].cells, ['c', 0, '5m'])
  assert.equal((t.rows[0].object as any).metadata.namespace, 'default')
  assert.equal(
    tableRow({ kind: 'Gizmo', metadata: { name: 'g', creationTimestamp: created } }, now).cells,
    ['g', '5m'],
  )
})

test.run()
