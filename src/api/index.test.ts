// The public surface of src/api, the contract the plane, the node agent, the mesh and the CLI
// use: every value it exports, each doing its job on a small sample. The rooms' own tests go
// into the corners; this one says what each name is for, and that no name is lost or added
// by accident (malformed-input.test.ts holds the surface against garbage).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as api from './index.ts'

const now = Date.parse('2026-01-01T00:05:00Z')
const deployment: api.Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'a', image: 'a:1' }] },
    },
  },
  status: { replicas: 2 },
}
const pod: api.Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    nodeName: 'n1',
    containers: [
      {
        name: 'c',
        image: 'x:1',
        resources: { requests: { cpu: '1', memory: '1Mi' }, limits: { cpu: '1', memory: '1Mi' } },
        env: [
          { name: 'A', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } },
          { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'k' } } },
        ],
      },
    ],
    volumes: [{ name: 'v', secret: { secretName: 's2' } }],
  },
  status: { phase: 'Pending' },
}
const hpaV2: api.HorizontalPodAutoscaler = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'h' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 3,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ],
  },
}
const hpaV1: api.HorizontalPodAutoscalerV1 = {
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'h' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 3,
    targetCPUUtilizationPercentage: 50,
  },
}
const gvr = (group: string, version: string, resource: string) =>
  api.resourceFor({ group, version, resource })!
const pods = gvr('', 'v1', 'pods')
const hpaV1Info = gvr('autoscaling', 'v1', 'horizontalpodautoscalers')
const replicasCause = [
  { field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
]
const ok = <T>(value: T) => ({ ok: true, value })

/** one check per value the surface exports */
const surface: Record<keyof typeof api, () => void> = {
  // resources
  allResources: () => assert.ok(api.allResources().some((r) => r.kind === 'Pod')),
  servedResources: () => assert.is(api.servedResources().length, api.allResources().length + 1), // + autoscaling/v1
  storageResource: () => assert.is(api.storageResource(hpaV1Info).version, 'v2'),
  apiVersionOf: () => assert.is(api.apiVersionOf({ group: 'apps', version: 'v1' }), 'apps/v1'),
  parseApiVersion: () =>
    assert.equal(api.parseApiVersion('batch/v1'), { group: 'batch', version: 'v1' }),
  resourceByKind: () => assert.is(api.resourceByKind('Pod')?.resource, 'pods'),
  resourceByPlural: () => assert.is(api.resourceByPlural('services')?.kind, 'Service'),
  resourceByShortName: () => assert.is(api.resourceByShortName('deploy')?.kind, 'Deployment'),
  resourceFor: () => assert.is(gvr('apps', 'v1', 'deployments').kind, 'Deployment'),
  resourceForObject: () => assert.is(api.resourceForObject(deployment)?.resource, 'deployments'),
  resolveResource: () => assert.is(api.resolveResource('deployments.apps')?.kind, 'Deployment'),
  resourcesInCategory: () =>
    assert.ok(api.resourcesInCategory('all').some((r) => r.kind === 'Job')),
  groupVersions: () => assert.equal(api.groupVersions()[0], { group: '', version: 'v1' }),
  schemaName: () => assert.is(api.schemaName(hpaV1Info), 'autoscaling/v1/HorizontalPodAutoscaler'),
  toServedVersion: () => assert.equal(api.toServedVersion(hpaV1Info, hpaV2), hpaV1),
  toStorageVersion: () => assert.equal(api.toStorageVersion(hpaV1Info, hpaV1), ok(hpaV2)),
  hpaToV1: () => assert.equal(api.hpaToV1(hpaV2), hpaV1),
  hpaFromV1: () => assert.equal(api.hpaFromV1(hpaV1), ok(hpaV2)),
  storeKey: () => {
    assert.is(
      api.storeKey(pods, { namespace: 'default', name: 'web' }),
      '/registry/core/pods/default/web',
    )
    assert.throws(() => api.storeKey(pods, { name: 'web' }), /needs a namespace/)
  },
  storePrefix: () => assert.is(api.storePrefix(pods, 'default'), '/registry/core/pods/default/'),
  parseStoreKey: () =>
    assert.equal(api.parseStoreKey('/registry/apps/deployments/default/web'), {
      group: 'apps',
      resource: 'deployments',
      namespace: 'default',
      name: 'web',
    }),
  scaleOf: () => assert.equal(api.scaleOf(deployment).status, { replicas: 2, selector: 'app=web' }),
  defaultPropagation: () =>
    assert.is(api.defaultPropagation({ group: 'batch', kind: 'Job' }), 'Orphan'),
  deletionFinalizers: () =>
    assert.equal(api.deletionFinalizers(pod, { policy: 'Foreground', kind: pods }), [
      'foregroundDeletion',
    ]),
  hasPendingFinalizers: () =>
    assert.ok(
      api.hasPendingFinalizers(
        { metadata: {}, spec: { finalizers: ['kubernetes'] } } as api.Namespace,
        'Namespace',
      ),
    ),
  deletingWith: () =>
    assert.ok(
      api.deletingWith({ metadata: { deletionTimestamp: 't', finalizers: ['orphan'] } }, 'orphan'),
    ),
  FOREGROUND_FINALIZER: () => assert.is(api.FOREGROUND_FINALIZER, 'foregroundDeletion'),
  ORPHAN_FINALIZER: () => assert.is(api.ORPHAN_FINALIZER, 'orphan'),
  NAMESPACE_FINALIZER: () => assert.is(api.NAMESPACE_FINALIZER, 'kubernetes'),
  // formats
  parseQuantity: () =>
    assert.equal([api.parseQuantity('1.5'), api.parseQuantity('x')], [1.5, undefined]),
  parseCpu: () => assert.is(api.parseCpu('100m'), 100),
  parseMemory: () => assert.is(api.parseMemory('64Mi'), 64 * 2 ** 20),
  formatCpu: () => assert.is(api.formatCpu(1500), '1500m'),
  formatMemory: () => assert.is(api.formatMemory(64 * 2 ** 20), '64Mi'),
  isQuantity: () => assert.equal([api.isQuantity('64Mi'), api.isQuantity('64MiB')], [true, false]),
  parseImageRef: () => {
    assert.equal(api.parseImageRef('hello:1.0'), { scheme: 'name', name: 'hello', tag: '1.0' })
    assert.is(api.parseImageRef('UPPER'), undefined)
  },
  toBase64: () => assert.is(api.toBase64('héllo'), 'aMOpbGxv'),
  parseNodePortRange: () => {
    assert.equal(api.parseNodePortRange('30000-32767'), { min: 30000, max: 32767 })
    assert.is(api.parseNodePortRange('9-8'), undefined)
  },
  DEFAULT_NODE_PORT_RANGE: () =>
    assert.equal(api.DEFAULT_NODE_PORT_RANGE, { min: 30000, max: 32767 }),
  parseCronSchedule: () =>
    assert.equal(api.parseCronSchedule('0 0 * * 7'), {
      ok: false,
      error: 'end of range (7) above maximum (6): 7',
    }),
  fromBase64: () =>
    assert.equal([api.fromBase64('aMOpbGxv'), api.fromBase64('!!')], ['héllo', undefined]),
  dns1123Label: () =>
    assert.equal([api.dns1123Label('web'), api.dns1123Label('Web').length], [[], 1]),
  dns1123Subdomain: () =>
    assert.equal([api.dns1123Subdomain('a.b'), api.dns1123Subdomain('a_b').length], [[], 1]),
  dns1035Label: () =>
    assert.equal([api.dns1035Label('a1'), api.dns1035Label('1a').length], [[], 1]),
  envVarName: () => assert.equal([api.envVarName('A_B'), api.envVarName('A=B').length], [[], 1]),
  ianaServiceName: () =>
    assert.equal([api.ianaServiceName('http'), api.ianaServiceName('-x').length], [[], 1]),
  isIP: () => assert.equal([api.isIP('10.0.0.1'), api.isIP('10.0.0')], [true, false]),
  labelValue: () =>
    assert.equal([api.labelValue('ok'), api.labelValue('no spaces').length], [[], 1]),
  qualifiedKey: () =>
    assert.equal(
      [api.qualifiedKey('app.kubernetes.io/name'), api.qualifiedKey('a/b/c').length],
      [[], 1],
    ),
  configMapKey: () =>
    assert.equal([api.configMapKey('a.txt'), api.configMapKey('a/b').length], [[], 1]),
  // defaults and validation
  applyDefaults: () => {
    const input: api.Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [] },
    }
    assert.is(api.applyDefaults(input).spec.restartPolicy, 'Always')
    assert.equal(input.spec, { containers: [] }, 'the input is not changed')
  },
  fillDefaults: () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { a: 'b' },
    }
    assert.is(api.fillDefaults(secret), secret)
    assert.equal(secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      type: 'Opaque',
      data: { a: 'Yg==' },
    })
  },
  validate: () => {
    assert.equal(api.validate(api.applyDefaults(deployment)), [])
    const bad = { ...deployment, spec: { ...deployment.spec, replicas: -1 } }
    assert.equal(api.validate(api.applyDefaults(bad)), replicasCause)
  },
  validateUpdate: () => {
    const moved = { ...deployment, metadata: { ...deployment.metadata, namespace: 'other' } }
    assert.equal(
      api.validateUpdate(deployment, moved).map((c) => c.field),
      ['metadata.namespace'],
    )
  },
  statusCauses: () =>
    assert.equal(api.statusCauses(replicasCause), [
      { reason: 'FieldValueInvalid', ...replicasCause[0] },
    ]),
  invalidMessage: () =>
    assert.is(
      api.invalidMessage({ kind: 'Deployment', group: 'apps', name: 'web' }, replicasCause),
      'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ),
  // schemas
  schemaFor: () => assert.ok(api.schemaFor('ConfigMap')?.data),
  unknownFields: () =>
    assert.equal(api.unknownFields('Deployment', { spec: { replica: 1 } }), ['spec.replica']),
  pruneUnknown: () =>
    assert.equal(api.pruneUnknown('ConfigMap', { data: {}, bogus: 1 }), { data: {} }),
  numberProblem: () =>
    assert.is(
      api.numberProblem('Deployment', { spec: { replicas: 2 ** 31 } }),
      'cannot unmarshal number 2147483648 into a field of type int32: spec.replicas',
    ),
  openApiSchema: () =>
    assert.equal(api.openApiSchema(['integer']), {
      type: 'array',
      items: { type: 'integer', format: 'int32' },
    }),
  kindOpenApiSchema: () =>
    assert.ok(api.kindOpenApiSchema({ group: '', version: 'v1', kind: 'ConfigMap' })?.properties),
  sharedOpenApiSchemas: () =>
    assert.ok(api.sharedOpenApiSchemas['io.k8s.apimachinery.pkg.api.resource.Quantity']),
  parseFieldValidation: () => assert.equal(api.parseFieldValidation(''), ok('Warn')),
  objectProblems: () =>
    assert.equal(
      api.objectProblems('ConfigMap', { value: { dta: 1 }, source: { other: true } }).warnings,
      ['unknown field "dta"'],
    ),
  patchProblems: () =>
    assert.match(
      api.patchProblems('ConfigMap', { patch: {}, patched: { dta: 1 } }).strict,
      /unknown field "dta"/,
    ),
  applyProblems: () =>
    assert.equal(api.applyProblems([{ line: 3, key: 'a' }]).warnings, [
      'line 3: key "a" already set in map',
    ]),
  appliedUnknownError: () =>
    assert.match(
      api.appliedUnknownError({ dta: 1 }, { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' }) ?? '',
      /\.dta: field not declared in schema$/,
    ),
  warningHeader: () => assert.is(api.warningHeader('größe'), '299 - "gr\\u00f6\\u00dfe"'),
  // json and request bodies
  scanJsonKeys: () =>
    assert.equal(api.scanJsonKeys('{"a":1,"a":2}').duplicates, [{ path: 'a', at: 7 }]),
  lazyJsonKeys: () =>
    assert.equal(api.lazyJsonKeys('{"a":1,"a":2}', { a: 2 }).duplicates.length, 1),
  checkBodyTree: () => {
    assert.equal(api.checkBodyTree({ a: [1] }), { ok: true, keys: 1 })
    assert.is(api.checkBodyTree(JSON.parse('{"__proto__":{}}')).ok, false)
  },
  MAX_NESTING: () => {
    let deep: unknown = 1
    for (let i = 0; i < api.MAX_NESTING; i++) deep = [deep]
    assert.is(api.checkBodyTree(deep).ok, true, 'MAX_NESTING levels pass')
    assert.equal(api.checkBodyTree([deep]), { ok: false, error: api.tooDeep }, 'one more does not')
  },
  tooDeep: () => assert.match(api.tooDeep, `${api.MAX_NESTING} levels`),
  isObject: () => assert.equal([{}, [], null].map(api.isObject), [true, false, false]),
  own: () =>
    assert.equal(
      [api.own({}, 'constructor'), api.own(JSON.parse('{"__proto__":1}'), '__proto__')],
      [undefined, 1],
    ),
  put: () => {
    const o: Record<string, unknown> = {}
    api.put(o, '__proto__', { x: 1 })
    assert.equal([Object.keys(o), Object.getPrototypeOf(o)], [['__proto__'], Object.prototype])
  },
  copyOwn: () =>
    assert.equal(Object.keys(api.copyOwn(JSON.parse('{"__proto__":{},"a":1}'))), [
      '__proto__',
      'a',
    ]),
  deepEqual: () =>
    assert.equal(
      [
        api.deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }),
        api.deepEqual({ a: 1 }, { a: 2 }),
      ],
      [true, false],
    ),
  lookupTable: () =>
    assert.equal(
      [api.lookupTable({ a: 1 }).a, api.lookupTable({ a: 1 }).constructor],
      [1, undefined],
    ),
  // selectors
  parseLabelSelector: () =>
    assert.equal(
      api.parseLabelSelector('tier!=db'),
      ok([{ key: 'tier', operator: 'NotEquals', values: ['db'] }]),
    ),
  matchesLabels: () => {
    const r = api.parseLabelSelector('app in (web,api)')
    assert.equal(
      r.ok && [
        api.matchesLabels(r.value, { app: 'web' }),
        api.matchesLabels(r.value, { app: 'db' }),
      ],
      [true, false],
    )
  },
  formatRequirements: () => {
    const r = api.parseLabelSelector('app in (web,api),tier!=db')
    assert.is(r.ok && api.formatRequirements(r.value), 'app in (api,web),tier!=db')
  },
  labelSelectorRequirements: () =>
    assert.equal(
      api.labelSelectorRequirements({ matchLabels: { app: 'web' } }),
      ok([{ key: 'app', operator: 'Equals', values: ['web'] }]),
    ),
  matchesLabelSelector: () =>
    assert.ok(api.matchesLabelSelector(deployment.spec.selector, { app: 'web' })),
  labelSelectorToString: () =>
    assert.equal(
      api.labelSelectorToString({
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
      }),
      ok('tier notin (db)'),
    ),
  parseFieldSelector: () => assert.equal(api.parseFieldSelector('spec.bogus=1', 'Pod').ok, false),
  matchesFields: () => {
    const r = api.parseFieldSelector('spec.nodeName=n1,status.phase!=Running', 'Pod')
    assert.ok(r.ok && api.matchesFields(r.value, pod))
  },
  fieldValue: () => assert.is(api.fieldValue(pod, 'spec.nodeName'), 'n1'),
  selectableFields: () => assert.ok(api.selectableFields('Pod').includes('spec.nodeName')),
  // patches
  applyJsonPatch: () =>
    assert.equal(
      api.applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/a', value: 2 }]),
      ok({ a: 2 }),
    ),
  parsePointer: () => assert.equal(api.parsePointer('/a~1b/~0c'), ['a/b', '~c']),
  applyMergePatch: () =>
    assert.equal(
      api.applyMergePatch({ a: 1, b: { c: 1 } }, { a: null, b: { d: 2 } }),
      ok({ b: { c: 1, d: 2 } }),
    ),
  applyStrategicMergePatch: () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:1' }] } } } }
    const r = api.applyStrategicMergePatch<typeof deployment>(deployment, patch, 'Deployment')
    assert.equal(r.ok && r.value.spec.template.spec.containers.map((c) => c.name), ['a', 'b'])
  },
  patchTypeFor: () =>
    assert.equal(
      ['application/merge-patch+json; charset=utf-8', 'text/plain'].map(api.patchTypeFor),
      ['merge', undefined],
    ),
  applyPatch: () =>
    assert.equal(
      api.applyPatch({ a: 1 }, { type: 'merge', patch: { b: 2 }, kind: 'ConfigMap' }),
      ok({ a: 1, b: 2 }),
    ),
  // pods
  podQosClass: () => assert.is(api.podQosClass(pod.spec), 'Guaranteed'),
  podReferences: () => {
    const refs = api.podReferences(pod)
    assert.equal([[...refs.secrets].sort(), [...refs.configMaps]], [['s1', 's2'], ['cm1']])
  },
  fitsNodeAffinity: () =>
    assert.ok(
      api.fitsNodeAffinity({ nodeSelector: { a: '1' } }, { name: 'n', labels: { a: '1' } }),
    ),
  nodeSelectorTermHolds: () =>
    assert.ok(
      api.nodeSelectorTermHolds(
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['pi-1'] }] },
        { name: 'pi-1', labels: {} },
      ),
    ),
  requirementHolds: () =>
    assert.ok(api.requirementHolds({ key: 'a', operator: 'Exists' }, { a: '' })),
  tolerates: () =>
    assert.ok(api.tolerates([{ operator: 'Exists' }], { key: 'k', effect: 'NoSchedule' })),
  toleratesTaint: () =>
    assert.not.ok(api.toleratesTaint({ key: 'k', value: 'x' }, { key: 'k', effect: 'NoSchedule' })),
  untoleratedTaint: () =>
    assert.equal(
      api.untoleratedTaint(
        [{ key: 'k', effect: 'NoSchedule' }],
        [],
        (t) => t.effect !== 'PreferNoSchedule',
      ),
      { key: 'k', effect: 'NoSchedule' },
    ),
  // tables
  humanDuration: () => assert.is(api.humanDuration((3 * 24 + 4) * 3600_000), '3d4h'),
  ageSince: () => assert.is(api.ageSince('2026-01-01T00:00:00Z', now), '5m'),
  tableColumns: () =>
    assert.equal(
      api
        .tableColumns('Pod')
        .slice(0, 3)
        .map((c) => c.name),
      ['Name', 'Ready', 'Status'],
    ),
  tableRow: () =>
    assert.equal(api.tableRow(pod, now).cells.slice(0, 5), ['web', '0/1', 'Pending', '0', '5m']),
  toTable: () => {
    const t = api.toTable([deployment], { kind: 'Deployment', now, resourceVersion: '7' })
    assert.equal(
      [t.kind, t.metadata, t.rows[0].cells[0]],
      ['Table', { resourceVersion: '7' }, 'web'],
    )
  },
  // node-protocol
  TOPIC_ROOT: () => assert.is(api.TOPIC_ROOT, 'shoal/v1'),
  TO_NODE: () => assert.ok(api.TO_NODE.includes('desired')),
  FROM_NODE: () => assert.ok(api.FROM_NODE.includes('status')),
  PROTOCOL_VERSION: () => assert.is(api.PROTOCOL_VERSION, 1),
  MAX_MESSAGE_BYTES: () => assert.is(api.MAX_MESSAGE_BYTES, 16 * 1024 * 1024),
  MESH_LATENCY_BUCKETS_MS: () => assert.is(api.MESH_LATENCY_BUCKETS_MS.at(-1), 10_000),
  meshServiceKey: () => assert.is(api.meshServiceKey({ namespace: 'a', name: 'b' }), 'a/b'),
  nodeTopic: () => assert.is(api.nodeTopic('n1', 'desired'), 'shoal/v1/nodes/n1/desired'),
  everyNode: () => assert.is(api.everyNode('status'), 'shoal/v1/nodes/+/status'),
  parseNodeTopic: () =>
    assert.equal(api.parseNodeTopic('shoal/v1/nodes/n1/hello'), { node: 'n1', leaf: 'hello' }),
  isTopicSafe: () =>
    assert.equal(['pi-07', 'a/b', '+', ''].map(api.isTopicSafe), [true, false, false, false]),
  nodeMay: () => assert.not.ok(api.nodeMay('n1', 'subscribe', 'shoal/v1/nodes/n2/desired')),
  nodeClientId: () => assert.is(api.nodeClientId('pi-07'), 'pi-07'),
  ONLINE: () => assert.is(api.ONLINE, '1'),
  INGRESS_NODE_LABEL: () => assert.is(api.INGRESS_NODE_LABEL, 'node-role.kubernetes.io/ingress'),
  ingressAddresses: () => {
    const node = (name: string, ip: string, ready: string, labels?: Record<string, string>) => ({
      metadata: { name, labels },
      status: {
        addresses: [{ type: 'InternalIP', address: ip }],
        conditions: [{ type: 'Ready', status: ready }],
      },
    })
    const a = node('b', '10.0.0.2', 'True')
    const b = node('a', '10.0.0.1', 'True')
    const edge = node('c', '10.0.0.3', 'True', { [api.INGRESS_NODE_LABEL]: '' })
    assert.equal(api.ingressAddresses([a, b, node('d', '10.0.0.4', 'Unknown')]), [
      '10.0.0.1',
      '10.0.0.2',
    ])
    assert.equal(api.ingressAddresses([a, edge]), ['10.0.0.3'])
    assert.equal(
      api.ingressAddresses([a, { ...edge, status: { ...edge.status, conditions: [] } }]),
      [],
    )
  },
  OFFLINE: () => assert.is(api.OFFLINE, '0'),
  parseToNode: () => assert.ok(api.parseToNode({ type: 'status-ack', id: 'a' }).ok),
  parseFromNode: () => assert.not.ok(api.parseFromNode({ type: 'status-ack', id: 'a' }).ok),
}

test('the surface exports exactly these values, no more and no fewer', () => {
  assert.equal(Object.keys(api).sort(), Object.keys(surface).sort())
})

for (const [name, check] of Object.entries(surface)) test(name, check)

test.run()
