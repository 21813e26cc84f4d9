// fieldValidation end to end: the real plane process and the stock kubectl on PATH. kubectl's
// default --validate=strict sends fieldValidation=Strict, so a typo in a manifest fails with the
// server's BadRequest naming the field and nothing is created; --validate=warn creates the object
// without the field and prints the server's warnings; --validate=false (fieldValidation=Ignore)
// drops it silently; server-side apply fails on unknown fields whatever the mode. `kubectl
// explain` reads the same schema from /openapi/v3.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kubectlSuite } from './kubectl-harness.ts'

const suite = kubectlSuite('kubectl-validation')
const kubectl = (args: string[], opts?: { ok?: boolean }) => suite!.kubectl(args, opts)
const file = (name: string, text: string) => suite!.file(name, text)

const manifest = (name: string, typo: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  ${typo ? 'replicass' : 'replicas'}: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: web
        image: hello-http:1
${typo ? '        imagee: hello-http:2\n' : ''}`

const notFound = (name: string) => {
  const r = kubectl(['get', 'deployment', name], { ok: false })
  return r.status !== 0 && /NotFound/.test(r.out)
}

if (suite) {
  test('apply -f with a typo: BadRequest naming every unknown field, nothing created', () => {
    const r = kubectl(['apply', '-f', file('typo.yaml', manifest('typo', true))], { ok: false })
    assert.is(r.status, 1)
    assert.match(r.out, 'Error from server (BadRequest): error when creating "')
    assert.match(
      r.out,
      'typo.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass", unknown field "spec.template.spec.containers[0].imagee"',
    )
    assert.ok(notFound('typo'))
    const created = kubectl(['create', '-f', file('typo.yaml', manifest('typo', true))], {
      ok: false,
    })
    assert.match(
      created.out,
      /Error from server \(BadRequest\).*strict decoding error: unknown field "spec.replicass"/,
    )
    assert.ok(notFound('typo'))
  })

  test('apply --validate=warn creates the object without the unknown fields and prints the warnings', () => {
    const r = kubectl(['apply', '--validate=warn', '-f', file('warn.yaml', manifest('warn', true))])
    assert.match(r.stdout, 'deployment.apps/warn created')
    assert.match(r.stderr, 'Warning: unknown field "spec.replicass"')
    assert.match(r.stderr, 'Warning: unknown field "spec.template.spec.containers[0].imagee"')
    const d = JSON.parse(kubectl(['get', 'deployment', 'warn', '-o', 'json']).stdout)
    assert.is(d.spec.replicass, undefined)
    assert.is(d.spec.template.spec.containers[0].imagee, undefined)
    assert.is(d.spec.replicas, 1, 'the typo did not set replicas; the default did')
  })

  test('apply --validate=false (fieldValidation=Ignore) drops them silently', () => {
    const r = kubectl([
      'apply',
      '--validate=false',
      '-f',
      file('ignore.yaml', manifest('ignore', true)),
    ])
    assert.match(r.stdout, 'deployment.apps/ignore created')
    assert.not.match(r.stderr, 'Warning')
    assert.is(
      JSON.parse(kubectl(['get', 'deployment', 'ignore', '-o', 'json']).stdout).spec.replicass,
      undefined,
    )
  })

  test('client-side apply of a typo onto an existing object fails and leaves it unchanged', () => {
    kubectl(['apply', '-f', file('ok.yaml', manifest('ok', false))])
    const r = kubectl(['apply', '-f', file('ok.yaml', manifest('ok', true))], { ok: false })
    assert.match(
      r.out,
      /Error from server \(BadRequest\): error when applying patch:[\s\S]*strict decoding error: unknown field "spec.replicass"/,
    )
    const d = JSON.parse(kubectl(['get', 'deployment', 'ok', '-o', 'json']).stdout)
    assert.equal([d.spec.replicas, d.metadata.generation], [2, 1])
  })

  test('apply --server-side with a typo fails and creates nothing', () => {
    const r = kubectl(['apply', '--server-side', '-f', file('ssa.yaml', manifest('ssa', true))], {
      ok: false,
    })
    assert.is(r.status, 1)
    assert.match(
      r.out,
      'Error from server (BadRequest): failed to create typed patch object (default/ssa; apps/v1, Kind=Deployment): errors:',
    )
    assert.match(r.out, '.spec.replicass: field not declared in schema')
    assert.ok(notFound('ssa'))
    assert.match(
      kubectl(['apply', '--server-side', '-f', file('ssa.yaml', manifest('ssa', false))]).out,
      'deployment.apps/ssa serverside-applied',
    )
  })

  test('explain shows the fields the server knows', () => {
    assert.match(kubectl(['explain', 'deployment.spec.replicas']).out, /FIELD: replicas <integer>/)
    const containers = kubectl(['explain', 'pods.spec.containers']).out
    for (const f of ['image\t<string>', 'imagePullPolicy\t<string>', 'readinessProbe\t<Object>'])
      assert.match(containers, f)
    assert.match(
      kubectl(['explain', 'deployment.spec.replicass'], { ok: false }).out,
      /field "replicass" does not exist/,
    )
  })
}

test.run()
