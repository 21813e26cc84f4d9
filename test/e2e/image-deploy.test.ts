// The README's walk-through "write a component → build → push → deploy", as a user runs it with
// the shoal CLI alone: a plane and an agent as processes, a WAT folder built and pushed by
// `shoal image push <dir> name:tag`, then a Deployment naming the image by name:tag and a pod
// naming it by name@sha256:<digest>; both run on the node with the pushed digest as imageID.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { shoalProcess } from '../cli/harness.ts'
import { startFleet, type Fleet } from './fleet.ts'

const firmware = new URL('../../firmware-images/', import.meta.url).pathname
let fleet: Fleet
let env: NodeJS.ProcessEnv

test.before(async () => {
  fleet = await startFleet(['pi-1'])
  env = {
    HOME: fleet.dir,
    PATH: process.env.PATH,
    KUBECONFIG: join(fleet.planeDir, 'admin.kubeconfig'),
  }
})

test.after(async () => {
  await fleet?.stop()
})

const runningWith = async (name: string) => {
  const pod = await fleet.get(`/api/v1/namespaces/default/pods/${name}`)
  const c = pod?.status?.containerStatuses?.[0]
  return pod?.status?.phase === 'Running' && c?.state?.running ? c.imageID : undefined
}

test('build and push a folder, deploy it by name:tag and by name@digest', async () => {
  const app = join(fleet.dir, 'my-app')
  cpSync(join(firmware, 'hello-wat'), app, { recursive: true })
  const pushed = await shoalProcess(['image', 'push', app, 'my-app:v1'], env)
  assert.is(pushed.code, 0, pushed.err)
  const digest = pushed.out.trim()
  assert.match(digest, /^sha256:[a-f0-9]{64}$/)

  const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: main, image: "my-app:v1"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec: {containers: [{name: main, image: "my-app@${digest}"}]}
`
  const applied = await shoalProcess(['apply', '-f', '-'], env, manifests)
  assert.is(applied.out, 'deployment.apps/web created\npod/pinned created\n', applied.err)
  assert.is(await fleet.waitFor('pod pinned Running', () => runningWith('pinned')), digest)
  const pods = await fleet.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')
  const web = pods.items[0].metadata.name
  assert.is(await fleet.waitFor(`pod ${web} Running`, () => runningWith(web)), digest)

  const rm = await shoalProcess(['image', 'rm', 'my-app:v1'], env)
  assert.is(
    rm.err,
    `error: image my-app:v1 is in use by pod default/${web}, deployment default/web, replicaset default/${pods.items[0].metadata.ownerReferences[0].name} (--force removes it all the same)\n`,
  )
  const forced = await shoalProcess(['image', 'rm', 'my-app:v1', '--force'], env)
  assert.equal(
    [forced.code, forced.out, forced.err],
    [
      0,
      'Untagged: my-app:v1\n',
      rm.err
        .replace(/^error: /, 'Warning: ')
        .replace(' (--force removes it all the same)', '; removed all the same (--force)'),
    ],
  )
})

test.run()
