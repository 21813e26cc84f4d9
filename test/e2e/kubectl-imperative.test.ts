// Stock kubectl's imperative commands against the real plane process. `create deployment|job|
// service|secret|configmap|namespace`, `autoscale` and `debug --copy-to` send protobuf bodies (typed client);
// `run` and `expose` send JSON. Each test checks what was stored, via `kubectl get -o json`.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { kubectlSuite } from './kubectl-harness.ts'

const suite = kubectlSuite('kubectl-imperative')
const kubectl = (args: string[], opts?: { ok?: boolean }) => suite!.kubectl(args, opts)
const getJson = (...args: string[]) => suite!.getJson(...args)

/** POSTs a raw protobuf body with the admin kubeconfig's token and CA */
function postProtobuf(
  path: string,
  body: Uint8Array,
): Promise<{ status: number; body: { message?: string } }> {
  const kc = JSON.parse(readFileSync(join(suite!.dataDir, 'admin.kubeconfig'), 'utf8'))
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()
  const headers = {
    authorization: `Bearer ${kc.users[0].user.token}`,
    'content-type': 'application/vnd.kubernetes.protobuf',
  }
  return new Promise((resolve, reject) => {
    const req = request(`${suite!.plane().url}${path}`, { method: 'POST', ca, headers }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

if (suite) {
  test('create deployment: image, replicas, port, selector and labels arrive', () => {
    assert.match(
      kubectl([
        'create',
        'deployment',
        'web',
        '--image=hello-http:1',
        '--replicas=2',
        '--port=8080',
      ]).out,
      /deployment.apps\/web created/,
    )
    const d = getJson('deployment', 'web')
    assert.equal(d.metadata.labels, { app: 'web' })
    assert.is(d.spec.replicas, 2)
    assert.equal(d.spec.selector, { matchLabels: { app: 'web' } })
    assert.equal(d.spec.template.metadata.labels, { app: 'web' })
    const [c] = d.spec.template.spec.containers
    assert.equal([c.name, c.image, c.ports[0].containerPort], ['hello-http', 'hello-http:1', 8080])
  })

  test('create deployment --replicas=0 keeps the zero; a command after -- becomes the command', () => {
    kubectl(['create', 'deployment', 'idle', '--image=hello-http:1', '--replicas=0'])
    assert.is(getJson('deployment', 'idle').spec.replicas, 0)
    kubectl([
      'create',
      'deployment',
      'cmd',
      '--image=hello-http:1',
      '--',
      '/bin/serve',
      '--port=9000',
    ])
    assert.equal(getJson('deployment', 'cmd').spec.template.spec.containers[0].command, [
      '/bin/serve',
      '--port=9000',
    ])
  })

  test('create job: image, command and restartPolicy Never', () => {
    assert.match(
      kubectl(['create', 'job', 'once', '--image=hello-http:1', '--', 'echo', 'hi']).out,
      /job.batch\/once created/,
    )
    const spec = getJson('job', 'once').spec.template.spec
    assert.equal(
      [spec.containers[0].image, spec.containers[0].command, spec.restartPolicy],
      ['hello-http:1', ['echo', 'hi'], 'Never'],
    )
  })

  test('create service clusterip, nodeport and loadbalancer: ports, int and named targetPort, nodePort, selector', () => {
    assert.match(
      kubectl(['create', 'service', 'clusterip', 'front', '--tcp=80:8080', '--tcp=443:web']).out,
      /service\/front created/,
    )
    const s = getJson('service', 'front')
    assert.is(s.spec.type, 'ClusterIP')
    assert.equal(s.spec.selector, { app: 'front' })
    assert.equal(
      s.spec.ports.map((p: { port: number; targetPort: unknown; protocol: string }) => [
        p.port,
        p.targetPort,
        p.protocol,
      ]),
      [
        [80, 8080, 'TCP'],
        [443, 'web', 'TCP'],
      ],
    )
    kubectl(['create', 'service', 'nodeport', 'edge', '--tcp=80:8080', '--node-port=30080'])
    const np = getJson('service', 'edge')
    assert.equal([np.spec.type, np.spec.ports[0].nodePort], ['NodePort', 30080])
    kubectl(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080'])
    const lb = getJson('service', 'lb')
    assert.is(lb.spec.type, 'LoadBalancer')
    assert.ok(lb.spec.ports[0].nodePort >= 30000, 'a LoadBalancer gets a node port')
  })

  test('create namespace / configmap / secret generic and docker-registry; --save-config annotations', () => {
    assert.match(kubectl(['create', 'namespace', 'team']).out, /namespace\/team created/)
    kubectl([
      'create',
      'configmap',
      'cfg',
      '-n',
      'team',
      '--from-literal=a=b',
      '--from-literal=c=d',
    ])
    assert.equal(getJson('configmap', 'cfg', '-n', 'team').data, { a: 'b', c: 'd' })
    kubectl(['create', 'secret', 'generic', 'db', '-n', 'team', '--from-literal=password=pw'])
    assert.is(
      Buffer.from(getJson('secret', 'db', '-n', 'team').data.password, 'base64').toString(),
      'pw',
    )
    kubectl([
      'create',
      'secret',
      'docker-registry',
      'reg',
      '--docker-server=r.example',
      '--docker-username=u',
      '--docker-password=p',
    ])
    const reg = getJson('secret', 'reg')
    assert.is(reg.type, 'kubernetes.io/dockerconfigjson')
    assert.equal(
      JSON.parse(Buffer.from(reg.data['.dockerconfigjson'], 'base64').toString()).auths['r.example']
        .username,
      'u',
    )
    kubectl([
      'create',
      'deployment',
      'saved',
      '-n',
      'team',
      '--image=hello-http:1',
      '--save-config',
    ])
    const saved = getJson('deployment', 'saved', '-n', 'team')
    assert.is(saved.metadata.namespace, 'team')
    assert.is(
      JSON.parse(saved.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'])
        .spec.template.spec.containers[0].image,
      'hello-http:1',
    )
  })

  test('run, expose deployment, expose pod, debug --copy-to', () => {
    assert.match(
      kubectl(['run', 'solo', '--image=hello-http:1', '--port=8080', '--labels=app=solo']).out,
      /pod\/solo created/,
    )
    const pod = getJson('pod', 'solo')
    assert.equal(
      [
        pod.metadata.labels,
        pod.spec.containers[0].image,
        pod.spec.containers[0].ports[0].containerPort,
      ],
      [{ app: 'solo' }, 'hello-http:1', 8080],
    )
    assert.match(
      kubectl(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--name=web-svc'])
        .out,
      /service\/web-svc exposed/,
    )
    const svc = getJson('service', 'web-svc')
    assert.equal(
      [svc.spec.selector, svc.spec.ports[0].port, svc.spec.ports[0].targetPort],
      [{ app: 'web' }, 80, 8080],
    )
    assert.match(
      kubectl(['expose', 'pod', 'solo', '--port=80', '--name=solo-svc']).out,
      /service\/solo-svc exposed/,
    )
    assert.equal(getJson('service', 'solo-svc').spec.selector, { app: 'solo' })
    kubectl([
      'debug',
      'solo',
      '--copy-to=solo-copy',
      '--image=hello-http:2',
      '--container=dbg',
      '--profile=general',
    ])
    assert.equal(
      getJson('pod', 'solo-copy').spec.containers.map((c: { name: string; image: string }) => [
        c.name,
        c.image,
      ]),
      [
        ['solo', 'hello-http:1'],
        ['dbg', 'hello-http:2'],
      ],
    )
  })

  test('--dry-run=server answers as a create would and stores nothing; a dry-run delete keeps the object', () => {
    assert.match(
      kubectl([
        'create',
        'deployment',
        'dry',
        '--image=hello-http:1',
        '--dry-run=server',
        '-o',
        'json',
      ]).stdout,
      /"name": "dry"/,
    )
    assert.match(kubectl(['get', 'deployment', 'dry'], { ok: false }).out, /NotFound/)
    kubectl(['create', 'configmap', 'keep', '--from-literal=a=b'])
    assert.match(
      kubectl(['delete', 'configmap', 'keep', '--dry-run=server']).out,
      /configmap "keep" deleted \(server dry run\)/,
    )
    assert.equal(getJson('configmap', 'keep').data, { a: 'b' })
  })

  test('autoscale deployment: kubectl POSTs an autoscaling/v1 HPA (protobuf), stored and read back as v2', () => {
    kubectl(['create', 'deployment', 'scaled', '--image=hello-http:1'])
    assert.match(
      kubectl(['autoscale', 'deployment', 'scaled', '--min=2', '--max=5', '--cpu-percent=80']).out,
      /horizontalpodautoscaler.autoscaling\/scaled autoscaled/,
    )
    const hpa = getJson('hpa', 'scaled')
    assert.equal(
      [hpa.apiVersion, hpa.spec.minReplicas, hpa.spec.maxReplicas],
      ['autoscaling/v2', 2, 5],
    )
    assert.equal(hpa.spec.scaleTargetRef, {
      kind: 'Deployment',
      name: 'scaled',
      apiVersion: 'apps/v1',
    })
    assert.equal(hpa.spec.metrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ])
    const table = kubectl(['get', 'hpa', 'scaled']).stdout.split('\n')
    assert.match(table[0], /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/)
    // REPLICAS: 0 until the autoscaler's first sync writes status.currentReplicas, then the target's
    assert.match(
      table[1],
      /^scaled\s+Deployment\/scaled\s+cpu: <unknown>\/80%\s+2\s+5\s+\d+\s+\S+$/,
    )
    assert.is(
      getJson('horizontalpodautoscalers.v1.autoscaling', 'scaled').spec
        .targetCPUUtilizationPercentage,
      80,
    )
  })

  test('a malformed protobuf body is 400 naming the problem, an unserved kind 415; nothing is written', async () => {
    // "k8s\0" + Unknown{typeMeta{v1, ConfigMap}, raw: ObjectMeta{name "half"} announced 40 bytes, 8 sent}
    const enc = (s: string) => [...new TextEncoder().encode(s)]
    const typeMeta = (apiVersion: string, kind: string) => [
      0x0a,
      4 + apiVersion.length + kind.length,
      0x0a,
      apiVersion.length,
      ...enc(apiVersion),
      0x12,
      kind.length,
      ...enc(kind),
    ]
    const truncated = Uint8Array.from([
      0x6b,
      0x38,
      0x73,
      0,
      ...typeMeta('v1', 'ConfigMap'),
      0x12,
      8,
      0x0a,
      40,
      0x0a,
      4,
      ...enc('half'),
    ])
    const bad = await postProtobuf('/api/v1/namespaces/default/configmaps', truncated)
    assert.is(bad.status, 400)
    assert.match(bad.body.message ?? '', /protobuf body is malformed: field 1 is truncated/)
    const other = await postProtobuf(
      '/api/v1/namespaces/default/configmaps',
      Uint8Array.from([
        0x6b,
        0x38,
        0x73,
        0,
        ...typeMeta('policy/v1', 'PodDisruptionBudget'),
        0x12,
        0,
      ]),
    )
    assert.is(other.status, 415)
    assert.match(
      other.body.message ?? '',
      /got policy\/v1\/PodDisruptionBudget.*--dry-run=client -o yaml/,
    )
    assert.not.match(kubectl(['get', 'configmaps', '-o', 'name']).stdout, /half/)
  })
}

test.run()
