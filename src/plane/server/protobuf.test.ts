import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkBodyTree } from '../../api/index.ts'
import { decodeK8sProtobuf } from './protobuf.ts'

// Bodies captured from stock kubectl v1.32.4 (`-v=9` request dumps) against the plane:
//   create deployment web4 --image=hello-http:1 --replicas=2 --port=8080
//   create job once --image=busybox:1 -- echo hi
//   create service clusterip svc1 --tcp=80:8080 --tcp=443:web
const captured = {
  deploy:
    '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c9010a210a047765623412001a0022002a003200380042005a0b0a036170701204776562341295010802120d0a0b0a036170701204776562341a7a0a1d0a0012001a0022002a003200380042005a0b0a036170701204776562341259123b0a0a68656c6c6f2d68747470120c68656c6c6f2d687474703a312a00320b0a00100018903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  job: '6b3873000a0f0a0862617463682f763112034a6f62128a010a140a046f6e636512001a0022002a00320038004200126832660a100a0012001a0022002a003200380042001252122f0a046f6e6365120962757379626f783a311a046563686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200',
  svc: '6b3873000a0d0a027631120753657276696365128c010a210a047376633112001a0022002a003200380042005a0b0a0361707012047376633112630a1b0a0738302d38303830120354435018502207080010903f1a0028000a1e0a073434332d776562120354435018bb032209080110001a037765622800120b0a036170701204737663311a002209436c757374657249503a00420052005a00600068001a020a001a002200',
}
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'))

// A tiny protobuf writer: an object's numeric keys are field numbers; a string or Uint8Array is
// length-delimited, a number or boolean a varint, an array a repeated field, an object a message.
type Value = string | number | boolean | Uint8Array | Message | Value[]
type Message = { [no: number]: Value }
const varint = (n: number | bigint): number[] => {
  let v = BigInt.asUintN(64, BigInt(n))
  const out: number[] = []
  do {
    out.push(Number(v & 0x7fn) | (v > 0x7fn ? 0x80 : 0))
    v >>= 7n
  } while (v > 0n)
  return out
}
const field = (no: number, v: Value): number[] => {
  if (Array.isArray(v)) return v.flatMap((x) => field(no, x))
  if (typeof v === 'number' || typeof v === 'boolean')
    return [...varint(no * 8), ...varint(Number(v))]
  const body =
    typeof v === 'string' ? new TextEncoder().encode(v) : v instanceof Uint8Array ? v : encode(v)
  return [...varint(no * 8 + 2), ...varint(body.length), ...body]
}
const encode = (m: Message) =>
  Uint8Array.from(Object.entries(m).flatMap(([no, v]) => field(Number(no), v)))
const map = (o: Record<string, Value>): Message[] =>
  Object.entries(o).map(([k, v]) => ({ 1: k, 2: v }))
const envelope = (apiVersion: string, kind: string, object: Message | Uint8Array) =>
  Uint8Array.from([
    0x6b,
    0x38,
    0x73,
    0,
    ...encode({
      1: { 1: apiVersion, 2: kind },
      2: object instanceof Uint8Array ? object : encode(object),
    }),
  ])
// gogo writes a value struct's scalar fields even when empty; kubectl's ObjectMeta looks like this
const meta = (name: string, labels: Record<string, string> = {}): Message => ({
  1: name,
  2: '',
  3: '',
  4: '',
  5: '',
  6: '',
  7: 0,
  8: new Uint8Array(),
  11: map(labels),
})

test('kubectl create deployment: decodes to the JSON kubectl would send', () => {
  assert.equal(decodeK8sProtobuf(hex(captured.deploy)), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web4', labels: { app: 'web4' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web4' } },
      template: {
        metadata: { labels: { app: 'web4' } },
        spec: {
          containers: [
            {
              name: 'hello-http',
              image: 'hello-http:1',
              ports: [{ containerPort: 8080 }],
              resources: {},
            },
          ],
        },
      },
      strategy: {},
    },
  })
})

test('kubectl create job and create service clusterip: command, restartPolicy, int and named targetPort', () => {
  const job = decodeK8sProtobuf(hex(captured.job))
  assert.equal(job.spec, {
    template: {
      metadata: {},
      spec: {
        containers: [{ name: 'once', image: 'busybox:1', command: ['echo', 'hi'], resources: {} }],
        restartPolicy: 'Never',
      },
    },
  })
  const svc = decodeK8sProtobuf(hex(captured.svc))
  assert.equal(svc.spec, {
    ports: [
      { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: '443-web', protocol: 'TCP', port: 443, targetPort: 'web' },
    ],
    selector: { app: 'svc1' },
    type: 'ClusterIP',
  })
})

test('pointer fields keep their zero (replicas 0, maxUnavailable 0, optional false); value fields drop it', () => {
  const spec: Message = {
    1: 0,
    2: { 1: map({ app: 'a' }) },
    3: { 1: meta(''), 2: { 2: [{ 1: 'c', 2: 'i', 5: '', 16: false }] } },
    4: { 1: 'RollingUpdate', 2: { 1: { 1: 0, 2: 0, 3: '' } } },
    5: 0,
    7: false,
  }
  const d = decodeK8sProtobuf(envelope('apps/v1', 'Deployment', { 1: meta('zero'), 2: spec }))
  assert.equal(d.spec, {
    replicas: 0,
    selector: { matchLabels: { app: 'a' } },
    template: { metadata: {}, spec: { containers: [{ name: 'c', image: 'i' }] } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
  })
  const ds = decodeK8sProtobuf(
    envelope('apps/v1', 'DaemonSet', {
      1: meta('agent'),
      2: { 3: { 1: 'RollingUpdate', 2: { 2: { 1: 1, 2: 0, 3: '25%' } } }, 6: 3 },
    }),
  )
  assert.equal(ds.spec, {
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
    revisionHistoryLimit: 3,
  })
})

test('a Pod: env sources, probes (inline handler), resources, volumes, tolerations, timestamps', () => {
  const container: Message = {
    1: 'web',
    2: 'hello-http:1',
    4: ['--port', '8080'],
    6: [{ 1: 'http', 3: 8080, 4: 'TCP' }],
    7: [
      { 1: 'MODE', 2: 'prod' },
      { 1: 'PW', 3: { 4: { 1: { 1: 'db' }, 2: 'password', 3: false } } },
      { 1: 'NODE', 3: { 1: { 1: 'v1', 2: 'spec.nodeName' } } },
    ],
    8: { 1: map({ cpu: { 1: '500m' }, memory: { 1: '64Mi' } }), 2: map({ cpu: { 1: '100m' } }) },
    9: [{ 1: 'cfg', 2: true, 3: '/etc/cfg' }],
    11: { 1: { 2: { 1: '/healthz', 2: { 1: 1, 2: 0, 3: 'http' }, 4: 'HTTP' } }, 2: 5, 4: 10 },
    10: { 1: { 3: { 1: { 1: 0, 2: 8080, 3: '' } } } },
    14: 'IfNotPresent',
  }
  const spec: Message = {
    1: [
      { 1: 'cfg', 2: { 19: { 1: { 1: 'app-config' }, 3: 420 } } },
      { 1: 'scratch', 2: { 2: { 1: '', 2: { 1: '1Gi' } } } },
      { 1: 'data', 2: { 1: { 1: '/var/data', 2: 'DirectoryOrCreate' } } },
    ],
    2: [container],
    3: 'Always',
    4: 30,
    7: map({ disk: 'ssd' }),
    22: [
      { 1: 'edge', 2: 'Exists', 4: 'NoSchedule' },
      { 1: 'gone', 2: 'Exists', 4: 'NoExecute', 5: 0 },
    ],
  }
  const created = { 1: 1767323045, 2: 5 } // 2026-01-02T03:04:05Z
  const pod = decodeK8sProtobuf(
    envelope('v1', 'Pod', {
      1: {
        ...meta('web', { app: 'web' }),
        8: created,
        12: map({ note: 'x' }),
        13: [{ 1: 'Job', 3: 'j', 4: 'u1', 5: 'batch/v1', 6: true }],
      },
      2: spec,
      3: { 1: 'Running' },
    }),
  )
  assert.equal(pod.metadata, {
    name: 'web',
    creationTimestamp: '2026-01-02T03:04:05Z',
    labels: { app: 'web' },
    annotations: { note: 'x' },
    ownerReferences: [
      { kind: 'Job', name: 'j', uid: 'u1', apiVersion: 'batch/v1', controller: true },
    ],
  })
  assert.is(pod.status, undefined)
  const s = pod.spec as Record<string, unknown>
  assert.equal(s.volumes, [
    { name: 'cfg', configMap: { name: 'app-config', defaultMode: 420 } },
    { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
    { name: 'data', hostPath: { path: '/var/data', type: 'DirectoryOrCreate' } },
  ])
  assert.equal(
    [s.restartPolicy, s.terminationGracePeriodSeconds, s.nodeSelector],
    ['Always', 30, { disk: 'ssd' }],
  )
  assert.equal(s.tolerations, [
    { key: 'edge', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'gone', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
  ])
  assert.equal((s.containers as unknown[])[0], {
    name: 'web',
    image: 'hello-http:1',
    args: ['--port', '8080'],
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'MODE', value: 'prod' },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: false } } },
      { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    ],
    resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } },
    volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/cfg' }],
    readinessProbe: {
      httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
      initialDelaySeconds: 5,
      periodSeconds: 10,
    },
    livenessProbe: { tcpSocket: { port: 8080 } },
    imagePullPolicy: 'IfNotPresent',
  })
})

test('a HorizontalPodAutoscaler (autoscaling/v2) and a Service with nodePort', () => {
  const target = { 1: 'Utilization', 4: 50 }
  const hpa = decodeK8sProtobuf(
    envelope('autoscaling/v2', 'HorizontalPodAutoscaler', {
      1: meta('web'),
      2: {
        1: { 1: 'Deployment', 2: 'web', 3: 'apps/v1' },
        2: 1,
        3: 5,
        4: [{ 1: 'Resource', 4: { 1: 'cpu', 2: target } }],
      },
    }),
  )
  assert.equal(hpa.spec, {
    scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ],
  })
  const svc = decodeK8sProtobuf(
    envelope('v1', 'Service', {
      1: meta('np'),
      2: { 1: [{ 1: '', 2: 'TCP', 3: 80, 4: { 1: 0, 2: 0, 3: '' }, 5: 30080 }], 4: 'NodePort' },
    }),
  )
  assert.equal(svc.spec, {
    ports: [{ protocol: 'TCP', port: 80, nodePort: 30080 }],
    type: 'NodePort',
  })
})

test('an autoscaling/v1 HorizontalPodAutoscaler as `kubectl autoscale --min=2 --max=5 --cpu-percent=80` sends it', () => {
  const hpa = decodeK8sProtobuf(
    envelope('autoscaling/v1', 'HorizontalPodAutoscaler', {
      1: meta('web'),
      2: { 1: { 1: 'Deployment', 2: 'web', 3: 'apps/v1' }, 2: 2, 3: 5, 4: 80 },
      3: { 3: 0, 4: 0 },
    }),
  )
  assert.equal(hpa, {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 80,
    },
    status: { currentReplicas: 0, desiredReplicas: 0 },
  })
})

test('Secret, ConfigMap (binaryData) and Namespace as kubectl create sends them', () => {
  const secret = decodeK8sProtobuf(
    envelope('v1', 'Secret', {
      1: meta('db', { app: 'x' }),
      2: map({ password: new TextEncoder().encode('pw') }),
      3: 'Opaque',
    }),
  )
  assert.equal(secret, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', labels: { app: 'x' } },
    data: { password: 'cHc=' },
    type: 'Opaque',
  })
  const cm = decodeK8sProtobuf(
    envelope('v1', 'ConfigMap', {
      1: meta('cfg'),
      2: map({ a: 'b' }),
      3: map({ bin: Uint8Array.from([0, 255]) }),
      4: true,
    }),
  )
  assert.equal([cm.data, cm.binaryData, cm.immutable], [{ a: 'b' }, { bin: 'AP8=' }, true])
  assert.equal(decodeK8sProtobuf(envelope('v1', 'Namespace', { 1: meta('team'), 2: {} })), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team' },
    spec: {},
  })
  const odd = decodeK8sProtobuf(
    envelope('v1', 'ConfigMap', { 1: meta('odd'), 2: map({ ['__proto__']: 'x' }) }),
  )
  assert.equal(
    Object.keys(odd.data as object),
    ['__proto__'],
    'a "__proto__" key is data, as JSON.parse keeps it',
  )
})

test('an EndpointSlice (discovery.k8s.io/v1): its own EndpointPort numbering, pointer conditions', () => {
  const endpoint = {
    1: ['10.0.0.7'],
    2: { 1: false, 2: true, 3: true },
    4: { 1: 'Pod', 2: 'default', 3: 'web-1', 4: 'u1' },
    6: 'pi-1',
  }
  const port = { 1: 'http', 2: 'TCP', 3: 8080 }
  const d = decodeK8sProtobuf(
    envelope('discovery.k8s.io/v1', 'EndpointSlice', {
      1: meta('web-abc12'),
      4: 'IPv4',
      2: [endpoint],
      3: [port],
    }),
  )
  assert.equal(d, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12' },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.0.0.7'],
        conditions: { ready: false, serving: true, terminating: true },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1' },
        nodeName: 'pi-1',
      },
    ],
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  })
})

test('unknown field numbers are skipped, whatever their wire type', () => {
  const unknown = Uint8Array.from([
    ...encode({ 1: meta('n'), 99: 'x', 98: 7 }),
    0xa9,
    0x06,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    0xb5,
    0x06,
    1,
    2,
    3,
    4,
  ])
  assert.equal(decodeK8sProtobuf(envelope('v1', 'Namespace', unknown)), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'n' },
  })
})

test('kinds Shoal does not serve are 415 with a hint; malformed bodies are 400 naming the problem', () => {
  const is415 = (e: { code: string; message: string }) =>
    e.code === 'Unsupported' &&
    /--dry-run=client -o yaml/.test(e.message) &&
    /policy\/v1\/PodDisruptionBudget/.test(e.message)
  assert.throws(() => decodeK8sProtobuf(envelope('policy/v1', 'PodDisruptionBudget', {})), is415)
  assert.throws(
    () => decodeK8sProtobuf(envelope('autoscaling/v1', 'Scale', {})),
    (e: { code: string }) => e.code === 'Unsupported',
  )
  const bad = (buf: Uint8Array, re: RegExp) =>
    assert.throws(
      () => decodeK8sProtobuf(buf),
      (e: { code: string; message: string }) => e.code === 'BadRequest' && re.test(e.message),
    )
  bad(Uint8Array.from([1, 2, 3, 4]), /"k8s\\0" envelope/)
  bad(hex(captured.deploy).subarray(0, 120), /malformed: field 2 is truncated/)
  bad(
    envelope('apps/v1', 'Deployment', { 2: { 3: { 2: { 2: [{ 1: 7 }] } } } }),
    /malformed: spec\.template\.spec\.containers\[0\]\.name: wire type 0, expected 2/,
  )
  bad(
    envelope('apps/v1', 'Deployment', { 2: { 1: 'two' } }),
    /spec\.replicas: wire type 2, expected 0/,
  )
  bad(envelope('v1', 'Pod', Uint8Array.from([0x0b, 0x0c])), /unsupported wire type 3/)
  bad(envelope('v1', 'Pod', { 2: Uint8Array.from([0x12, 0x05, 0x0a]) }), /truncated.*\(at spec\)/)
})

test('a "__proto__" map key decodes as an own key, never a prototype, and the body check refuses it', () => {
  const cm = decodeK8sProtobuf(
    envelope('v1', 'ConfigMap', { 1: meta('cm', { ['__proto__']: 'x', app: 'a' }) }),
  )
  const labels = (cm.metadata as { labels: Record<string, unknown> }).labels
  assert.is(Object.getPrototypeOf(labels), Object.prototype)
  assert.ok(Object.hasOwn(labels, '__proto__'))
  assert.is(({} as Record<string, unknown>).app, undefined)
  const checked = checkBodyTree(cm)
  assert.equal(
    checked.ok ? '' : checked.error,
    'it has a field named "__proto__", which is not accepted (at metadata.labels.__proto__)',
  )
})

test.run()
