import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fromBase64, toBase64 } from '../formats/index.ts'
import { applyDefaults } from './defaults.ts'

const template = () => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'hello:1' }] },
})

test('pods: restart policy, grace period, pull policy, port protocol, probes, requests from limits', () => {
  const pod = applyDefaults({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'busybox',
          ports: [{ containerPort: 80 }],
          resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } },
          readinessProbe: { httpGet: { port: 80 } },
        },
      ],
    },
  } as any)
  assert.is(pod.spec.restartPolicy, 'Always')
  assert.is(pod.spec.terminationGracePeriodSeconds, 30)
  const c = pod.spec.containers[0]
  assert.is(c.imagePullPolicy, 'Always')
  assert.is(c.ports[0].protocol, 'TCP')
  assert.equal(c.resources.requests, { cpu: '100m', memory: '64Mi' })
  assert.equal(c.readinessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  })
})

test('deployments: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600, template defaults', () => {
  const d = applyDefaults({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template() },
  } as any)
  assert.is(d.spec.replicas, 1)
  assert.equal(d.spec.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
  })
  assert.is(d.spec.revisionHistoryLimit, 10)
  assert.is(d.spec.progressDeadlineSeconds, 600)
  assert.is(d.spec.template.spec.restartPolicy, 'Always')
  const recreate = applyDefaults({
    kind: 'Deployment',
    metadata: {},
    spec: { replicas: 0, strategy: { type: 'Recreate' }, template: template() },
  } as any)
  assert.equal(recreate.spec.strategy, { type: 'Recreate' })
  assert.is(recreate.spec.replicas, 0)
})

test('daemonsets and jobs', () => {
  const ds = applyDefaults({
    kind: 'DaemonSet',
    metadata: {},
    spec: { template: template() },
  } as any)
  assert.equal(ds.spec.updateStrategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
  })
  const job = applyDefaults({ kind: 'Job', metadata: {}, spec: { template: template() } } as any)
  assert.equal([job.spec.completions, job.spec.parallelism, job.spec.backoffLimit], [1, 1, 6])
  const workQueue = applyDefaults({
    kind: 'Job',
    metadata: {},
    spec: { parallelism: 3, template: template() },
  } as any)
  assert.equal([workQueue.spec.completions, workQueue.spec.parallelism], [undefined, 3])
})

test('services: ClusterIP, TCP, targetPort = port', () => {
  const svc = applyDefaults({
    kind: 'Service',
    metadata: {},
    spec: { ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] },
  } as any)
  assert.is(svc.spec.type, 'ClusterIP')
  assert.equal(svc.spec.ports, [
    { port: 80, protocol: 'TCP', targetPort: 80 },
    { port: 443, targetPort: 'https', protocol: 'TCP' },
  ])
})

test('secrets: Opaque, stringData merged into base64 data and removed', () => {
  const s = applyDefaults({
    kind: 'Secret',
    metadata: {},
    data: { a: 'eA==' },
    stringData: { b: 'héllo', a: 'y' },
  } as any)
  assert.is(s.type, 'Opaque')
  assert.equal(s.data, { a: 'eQ==', b: toBase64('héllo') })
  assert.is(fromBase64(s.data.b), 'héllo')
  assert.not.ok('stringData' in s)
  assert.is(fromBase64('not base64!'), undefined)
})

test('namespaces, autoscalers, unknown kinds; the input is not changed', () => {
  const ns = applyDefaults({ kind: 'Namespace', metadata: { name: 'team' } } as any)
  assert.equal(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team' })
  assert.is(ns.status.phase, 'Active')
  const hpa = applyDefaults({
    kind: 'HorizontalPodAutoscaler',
    metadata: {},
    spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'd' } },
  } as any)
  assert.is(hpa.spec.minReplicas, 1)
  assert.is(hpa.spec.metrics[0].resource.target.averageUtilization, 80)
  const input = { kind: 'Pod', metadata: {}, spec: { containers: [] } }
  applyDefaults(input as any)
  assert.equal(input, { kind: 'Pod', metadata: {}, spec: { containers: [] } })
  assert.equal(applyDefaults({ kind: 'Whatever', metadata: { name: 'x' } }), {
    kind: 'Whatever',
    metadata: { name: 'x' },
  })
})

test("an autoscaler's behavior: each unset rule from Kubernetes' defaults, none without one", () => {
  const hpa = (behavior?: unknown) =>
    applyDefaults({
      kind: 'HorizontalPodAutoscaler',
      metadata: {},
      spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'd' }, behavior },
    } as any).spec
  assert.not.ok('behavior' in hpa())
  assert.equal(hpa({ scaleDown: { stabilizationWindowSeconds: 60 } }).behavior, {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: 60,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  })
  const own = { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }
  assert.equal(hpa({ scaleUp: own }).behavior.scaleUp, { ...own, stabilizationWindowSeconds: 0 })
  assert.not.ok('stabilizationWindowSeconds' in hpa({}).behavior.scaleDown)
})

test.run()
