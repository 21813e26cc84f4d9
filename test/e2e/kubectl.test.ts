// The real plane process over HTTPS, driven by the stock kubectl on PATH with the admin
// kubeconfig the plane wrote, default validation on: get, apply (client-side and server-side),
// create, delete, label, scale, get -w, -o json/yaml, describe; plus 401/403 paths.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { kubectlSuite } from './kubectl-harness.ts'

const suite = kubectlSuite('kubectl')
const kubectl = (args: string[], opts?: { input?: string; ok?: boolean }) =>
  suite!.kubectl(args, opts)

function httpsPost(url: string, token: string, ca: string): Promise<{ resealed: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(body))
            : reject(new Error(`${res.statusCode} ${body}`)),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

const file = (name: string, text: string) => suite!.file(name, text)

const deployYaml = (replicas: number, image = 'hello-http:1') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`

if (suite) {
  test('get nodes/namespaces over HTTPS with the generated kubeconfig', () => {
    assert.match(suite.plane().url, /^https:\/\//)
    const ns = kubectl(['get', 'namespaces'])
    assert.match(ns.out, /default\s+Active/)
    assert.match(kubectl(['version']).out, /Server Version: v1\.32/)
  })

  test('create -f, AlreadyExists, get -o json / -o yaml, describe, delete', () => {
    const pod = file(
      'pod.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: probe-pod, labels: {app: probe}}\nspec:\n  containers: [{name: c, image: hello-http:1}]\n',
    )
    assert.match(kubectl(['create', '-f', pod]).out, /pod\/probe-pod created/)
    const dup = kubectl(['create', '-f', pod], { ok: false })
    assert.match(
      dup.out,
      /Error from server \(AlreadyExists\): error when creating ".*pod.yaml": pods "probe-pod" already exists/,
    )
    const json = JSON.parse(kubectl(['get', 'pod', 'probe-pod', '-o', 'json']).stdout)
    assert.is(json.metadata.name, 'probe-pod')
    assert.is(json.status.phase, 'Pending')
    const yaml = kubectl(['get', 'pods', '-o', 'yaml']).stdout
    assert.match(yaml, /^kind: List$/m)
    assert.match(yaml, /name: probe-pod/)
    assert.match(
      kubectl(['describe', 'pod', 'probe-pod']).out,
      /Name:\s+probe-pod[\s\S]*Image:\s+hello-http:1/,
    )
    assert.match(kubectl(['get', 'pods']).out, /probe-pod\s+0\/1\s+Pending/)
    assert.match(kubectl(['delete', 'pod', 'probe-pod']).out, /pod "probe-pod" deleted/)
    const gone = kubectl(['get', 'pod', 'probe-pod'], { ok: false })
    assert.match(gone.out, /Error from server \(NotFound\): pods "probe-pod" not found/)
  })

  test('apply: created, unchanged, configured, then --server-side', () => {
    assert.match(
      kubectl(['apply', '-f', file('app.yaml', deployYaml(2))]).out,
      /deployment.apps\/web created\s+service\/web created/,
    )
    assert.match(
      kubectl(['apply', '-f', file('app.yaml', deployYaml(2))]).out,
      /deployment.apps\/web unchanged/,
    )
    assert.match(
      kubectl(['apply', '-f', file('app.yaml', deployYaml(3, 'hello-http:2'))]).out,
      /deployment.apps\/web configured/,
    )
    const d = JSON.parse(kubectl(['get', 'deploy', 'web', '-o', 'json']).stdout)
    assert.equal(
      [d.spec.replicas, d.spec.template.spec.containers[0].image, d.metadata.generation],
      [3, 'hello-http:2', 2],
    )
    assert.match(
      kubectl(['apply', '--server-side', '-f', file('app.yaml', deployYaml(4, 'hello-http:2'))])
        .out,
      /deployment.apps\/web serverside-applied/,
    )
    assert.match(
      kubectl(['get', 'deploy,svc']).out,
      /deployment.apps\/web\s+0\/4[\s\S]*service\/web\s+ClusterIP/,
    )
  })

  test('label and scale', () => {
    assert.match(kubectl(['label', 'deploy', 'web', 'tier=front']).out, /labeled/)
    assert.match(
      kubectl(['get', 'deploy', '-l', 'tier=front', '-o', 'name']).out,
      /deployment.apps\/web/,
    )
    assert.match(kubectl(['scale', 'deploy', 'web', '--replicas=5']).out, /scaled/)
    assert.is(JSON.parse(kubectl(['get', 'deploy', 'web', '-o', 'json']).stdout).spec.replicas, 5)
    assert.match(kubectl(['label', 'deploy', 'web', 'tier-']).out, /unlabeled/)
  })

  test('get -w streams a change made while it watches', async () => {
    const w = spawn(
      'kubectl',
      ['--cache-dir', join(suite.dir, 'cache'), 'get', 'configmaps', '-w', '-o', 'name'],
      { env: suite.env },
    )
    let out = ''
    w.stdout.on('data', (d) => (out += d))
    await new Promise((r) => setTimeout(r, 1500))
    kubectl([
      'create',
      '-f',
      file(
        'cm.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: "1"}\n',
      ),
    ])
    for (let i = 0; i < 100 && !out.includes('configmap/watched'); i++)
      await new Promise((r) => setTimeout(r, 100))
    w.kill()
    assert.match(out, /configmap\/watched/)
  })

  test('imperative create namespace / configmap / secret (protobuf bodies)', () => {
    assert.match(kubectl(['create', 'namespace', 'team']).out, /namespace\/team created/)
    assert.match(
      kubectl(['create', 'configmap', 'cfg', '-n', 'team', '--from-literal=a=b']).out,
      /configmap\/cfg created/,
    )
    assert.match(
      kubectl(['create', 'secret', 'generic', 'db', '-n', 'team', '--from-literal=password=pw'])
        .out,
      /secret\/db created/,
    )
    assert.is(
      Buffer.from(
        kubectl(['get', 'secret', 'db', '-n', 'team', '-o', 'jsonpath={.data.password}']).stdout,
        'base64',
      ).toString(),
      'pw',
    )
  })

  test('a viewer token issued by `shoal token issue` works at once: reads yes, writes and secrets no', () => {
    const main = new URL('../../src/main.ts', import.meta.url).pathname
    const issued = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'token',
        'issue',
        '--data-dir',
        suite.dataDir,
        '--role',
        'viewer',
        '--user',
        'eve',
      ],
      { encoding: 'utf8' },
    )
    assert.is(issued.status, 0, issued.stderr)
    const token = issued.stdout.trim()
    assert.match(kubectl([`--token=${token}`, 'get', 'deploy']).out, /web/)
    const denied = kubectl([`--token=${token}`, 'delete', 'deploy', 'web'], { ok: false })
    assert.match(denied.out, /Error from server \(Forbidden\)/)
    assert.match(kubectl([`--token=${token}`, 'get', 'secrets'], { ok: false }).out, /Forbidden/)
  })

  test('secret keys rotate through the admin endpoint; values stay readable', async () => {
    kubectl([
      'apply',
      '-f',
      file(
        'secret.yaml',
        'apiVersion: v1\nkind: Secret\nmetadata: {name: rot}\nstringData: {password: before-rotation}\n',
      ),
    ])
    const kc = JSON.parse(readFileSync(join(suite.dataDir, 'admin.kubeconfig'), 'utf8'))
    const res = await httpsPost(
      `${suite.plane().url}/shoal/v1/secret-keys/rotate`,
      kc.users[0].user.token,
      Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    )
    assert.ok(res.resealed >= 1, JSON.stringify(res))
    assert.is(
      Buffer.from(
        kubectl(['get', 'secret', 'rot', '-o', 'jsonpath={.data.password}']).stdout,
        'base64',
      ).toString(),
      'before-rotation',
    )
  })

  test('invalid objects are rejected with field paths; no token is 401', () => {
    const bad = file(
      'bad.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec:\n  containers: [{name: c}]\n',
    )
    const r = kubectl(['apply', '-f', bad], { ok: false })
    assert.match(r.out, /is invalid/)
    assert.match(r.out, /metadata.name/)
    assert.match(r.out, /spec.containers\[0\].image/)
    const anon = kubectl(['--token=not-a-token', 'get', 'pods'], { ok: false })
    assert.match(anon.out, /You must be logged in to the server/)
  })
}

test.run()
