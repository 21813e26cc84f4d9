// The dashboard's stores without a browser: watch events in, store state out; lines of a chunked
// watch stream; the rows the views draw (nodes with pod counts, deployments with pods per node)
// and the per-Service request rate samples.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  addMeshSample,
  addRateSample,
  errorText,
  latencyText,
  applyEvent,
  deploymentList,
  deploymentRows,
  deployments,
  lineDecoder,
  memory,
  nodeList,
  nodeRows,
  nodes,
  pods,
  RATE_SAMPLES,
  recentEvents,
  servicePods,
  type KubeObject,
  type Objects,
} from './stores.ts'

const node = (name: string, ready: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  kind: 'Node',
  metadata: { name, resourceVersion: '1' },
  status: {
    nodeInfo: { architecture: 'arm64' },
    capacity: { memory: '3884Mi' },
    conditions: [
      {
        type: 'Ready',
        status: ready,
        lastTransitionTime: '2026-01-01T00:00:00Z',
        lastHeartbeatTime: '2026-01-01T00:01:00Z',
      },
    ],
  },
  ...extra,
})
const pod = (name: string, nodeName: string | undefined, rs = 'web-5d4f', phase = 'Running') => ({
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    ownerReferences: [{ kind: 'ReplicaSet', name: rs, controller: true }],
  },
  spec: { nodeName },
  status: { phase },
})

test('applyEvent: ADDED and MODIFIED put the object by namespace/name, DELETED takes it out', () => {
  let s: Objects = {}
  s = applyEvent(s, { type: 'ADDED', object: pod('a', 'pi-1') })
  s = applyEvent(s, { type: 'ADDED', object: node('pi-1', 'True') })
  assert.equal(Object.keys(s).sort(), ['default/a', 'pi-1'])
  const before = s
  s = applyEvent(s, { type: 'MODIFIED', object: pod('a', 'pi-2') })
  assert.is(s['default/a'].spec.nodeName, 'pi-2')
  assert.is(before['default/a'].spec.nodeName, 'pi-1', 'the earlier state is left as it was')
  s = applyEvent(s, { type: 'DELETED', object: pod('a', 'pi-2') })
  assert.equal(Object.keys(s), ['pi-1'])
  assert.is(applyEvent(s, { type: 'BOOKMARK', object: node('x', 'True') }), s)
})

test('lineDecoder: events split across chunks and several in one chunk come out whole', () => {
  const lines = lineDecoder()
  const enc = new TextEncoder()
  const a = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'é' } } })
  const b = JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'b' } } })
  const bytes = enc.encode(`${a}\n${b}\n`)
  const cut = a.indexOf('é') + 1 // inside the two bytes of é
  assert.equal(lines(bytes.slice(0, cut)), [])
  assert.equal(lines(bytes.slice(cut, bytes.length - 3)), [a])
  assert.equal(lines(bytes.slice(bytes.length - 3), true), [b])
  assert.equal(lines('', true), [])
})

test('nodeRows: status in words, offline (Unknown) apart from NotReady, pods counted per node', () => {
  const ns = { a: node('pi-1', 'True'), b: node('pi-2', 'Unknown'), c: node('pi-3', 'False') }
  const ps = {
    x: pod('x', 'pi-1'),
    y: pod('y', 'pi-1'),
    z: pod('z', 'pi-2'),
    done: pod('done', 'pi-1', 'web-5d4f', 'Succeeded'),
    pending: pod('pending', undefined),
  }
  const rows = nodeRows(ns, ps)
  assert.equal(
    rows.map((r) => [r.name, r.ready, r.pods, r.arch, r.memory]),
    [
      ['pi-1', 'Ready', 2, 'arm64', '3884Mi'],
      ['pi-2', 'Unknown', 1, 'arm64', '3884Mi'],
      ['pi-3', 'NotReady', 0, 'arm64', '3884Mi'],
    ],
  )
  assert.is(rows[1].since, '2026-01-01T00:00:00Z')
  assert.is(rows[1].heartbeat, '2026-01-01T00:01:00Z')
})

test('deploymentRows: ready/desired, rollout progress and pods per node through the ReplicaSets', () => {
  const d = {
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3 },
    status: {
      readyReplicas: 2,
      updatedReplicas: 3,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }],
    },
  }
  const ps = {
    a: pod('web-5d4f-a', 'pi-1'),
    b: pod('web-5d4f-b', 'pi-2'),
    c: pod('web-5d4f-c', 'pi-1'),
    other: pod('webx-1-a', 'pi-1', 'webx-77aa'),
  }
  const [row] = deploymentRows({ 'default/web': d }, ps)
  assert.equal([row.ready, row.desired, row.updated, row.progress], [2, 3, 3, 'ReplicaSetUpdated'])
  assert.equal(row.perNode, [
    ['pi-1', 2],
    ['pi-2', 1],
  ])
})

test('the computed stores follow the watched ones', () => {
  nodes.objects.set(applyEvent({}, { type: 'ADDED', object: node('pi-9', 'True') }))
  pods.objects.set(applyEvent({}, { type: 'ADDED', object: pod('web-5d4f-q', 'pi-9') }))
  deployments.objects.set({
    'default/web': {
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 1 },
      status: { readyReplicas: 1 },
    },
  })
  const seen: string[] = []
  const stop = nodeList.subscribe((rows) => seen.push(rows.map((r) => r.ready).join()))
  nodes.objects.set(
    applyEvent(nodes.objects.get(), { type: 'MODIFIED', object: node('pi-9', 'Unknown') }),
  )
  stop()
  assert.equal(seen, ['Ready', 'Unknown'])
  assert.equal(deploymentList.get()[0].perNode, [['pi-9', 1]])
})

test('request rates: a Service sums its endpoints’ pods; samples are kept to the last RATE_SAMPLES', () => {
  const slice = {
    metadata: {
      name: 'web-abc',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'web' },
    },
    endpoints: [
      { addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'p1' } },
      { addresses: ['10.0.0.2'], targetRef: { kind: 'Pod', name: 'p2' } },
    ],
  }
  const bySvc = servicePods({ 'default/web-abc': slice })
  assert.equal([...bySvc.get('default/web')!].sort(), ['p1', 'p2'])
  const rates = [
    { namespace: 'default', pod: 'p1', requestsPerSecond: 2 },
    { namespace: 'default', pod: 'p2', requestsPerSecond: 3 },
    { namespace: 'other', pod: 'p1', requestsPerSecond: 100 },
  ]
  let s: Record<string, number[]> = {}
  for (let i = 0; i < RATE_SAMPLES + 5; i++) s = addRateSample(s, rates, bySvc)
  assert.is(s['default/web'].length, RATE_SAMPLES)
  assert.is(s['default/web'].at(-1), 5)
})

test('mesh figures: a Service sums its endpoints’ errors and takes the slowest p99; shown as text', () => {
  const bySvc = new Map([['default/web', new Set(['p1', 'p2', 'p3'])]])
  const mesh = (requestsPerSecond: number, errorsPerSecond: number, latencyP99Ms?: number) => ({
    ...{ requestsPerSecond, errorsPerSecond },
    ...(latencyP99Ms !== undefined && { latencyP99Ms, latencyP50Ms: latencyP99Ms / 2 }),
  })
  const rates = [
    { namespace: 'default', pod: 'p1', requestsPerSecond: 2, mesh: mesh(20, 0.5, 12) },
    { namespace: 'default', pod: 'p2', requestsPerSecond: 3, mesh: mesh(5, 0, 80) },
    { namespace: 'default', pod: 'p3', requestsPerSecond: 1 }, // an older agent: no mesh figures
    { namespace: 'other', pod: 'p1', requestsPerSecond: 9, mesh: mesh(9, 9, 9000) },
  ]
  let s = addMeshSample({}, rates, bySvc)
  assert.equal(s['default/web'], [{ requestsPerSecond: 25, errorsPerSecond: 0.5, p99Ms: 80 }])
  assert.is(errorText(s['default/web'][0]), '0.50 err/s (2.0%)')
  s = addMeshSample(
    s,
    [{ namespace: 'default', pod: 'p1', requestsPerSecond: 0, mesh: mesh(0, 0) }],
    bySvc,
  )
  assert.equal(
    s['default/web'][1],
    { requestsPerSecond: 0, errorsPerSecond: 0 },
    'no attempt: no p99',
  )
  assert.is(errorText(s['default/web'][1]), '0 err/s')
  assert.is(errorText(undefined), '—')
  assert.is(errorText({ requestsPerSecond: 1, errorsPerSecond: 1 }), '1.00 err/s (100%)')
  for (let i = 0; i < RATE_SAMPLES + 5; i++) s = addMeshSample(s, rates, bySvc)
  assert.is(s['default/web'].length, RATE_SAMPLES)
  assert.equal([0.42, 12.4, 1500, undefined].map(latencyText), ['0.4 ms', '12 ms', '1.5 s', '—'])
})

test('recentEvents: newest first, whichever time field the event has', () => {
  const ev = (name: string, t: Record<string, string>) => ({
    metadata: { name, namespace: 'default', creationTimestamp: t.created },
    ...t,
  })
  const list = recentEvents({
    a: ev('a', { lastTimestamp: '2026-01-01T00:00:02Z' }),
    b: ev('b', { eventTime: '2026-01-01T00:00:03.000000Z' }),
    c: ev('c', { created: '2026-01-01T00:00:01Z' }),
  })
  assert.equal(
    list.map((e) => e.metadata.name),
    ['b', 'a', 'c'],
  )
})

test('memory: quantities in GiB or MiB; what is not a quantity is shown as it is', () => {
  assert.is(memory('24731400Ki'), '23.6 GiB')
  assert.is(memory('3884Mi'), '3.8 GiB')
  assert.is(memory('512Mi'), '512 MiB')
  assert.is(memory('1G'), '954 MiB')
  assert.is(memory('?'), '?')
})

test.run()
