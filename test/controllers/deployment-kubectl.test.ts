// Deployments in the real plane (in process, plain HTTP on loopback, scheduler off: no nodes)
// driven by the stock kubectl: apply, rollout status, scale, set image, rollout history, undo,
// restart; ReplicaSets and pods as the controllers wrote them, and their Events. The agents'
// part — a pod Running and Ready — is played by writing pod status into the store.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import type { Pod } from '../../src/api/index.ts'
import { asyncKubectl, playReadyPods } from './harness.ts'

const haveKubectl = spawnSync('kubectl', ['version', '--client']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'shoal-deploy-'))
const { kubectl, json, writeKubeconfig } = asyncKubectl(dir)
let plane: Plane
let agent: NodeJS.Timeout | undefined

const images = async () =>
  (await json('pods')).items
    .filter((p: Pod) => !p.metadata.deletionTimestamp)
    .map((p: Pod) => p.spec.containers[0].image)
    .sort()

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kubernetes.io/change-cause: first}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "hello:1"}]
`

if (!haveKubectl) test('deployments e2e', () => console.log('SKIPPED: no kubectl on PATH'))
else {
  test.before(async () => {
    plane = await createPlane({
      dataDir: join(dir, 'data'),
      listen: '127.0.0.1:0',
      insecureHttp: true,
      scheduler: false,
      logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
    })
    writeKubeconfig(plane.url)
    const tick = () => {
      agent = setTimeout(() => playReadyPods(plane).then(tick, tick), 50)
    }
    tick()
  })

  test.after(async () => {
    clearTimeout(agent)
    agent = undefined
    await plane?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('apply, rollout status, get rs/deploy, scale', async () => {
    writeFileSync(join(dir, 'web.yaml'), manifest)
    await kubectl('apply', '-f', join(dir, 'web.yaml'))
    assert.match(
      await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s'),
      /successfully rolled out/,
    )
    const rs = (await json('rs')).items
    assert.is(rs.length, 1)
    const hash = rs[0].metadata.labels['pod-template-hash']
    assert.is(rs[0].metadata.name, `web-${hash}`)
    assert.is(rs[0].metadata.annotations['deployment.kubernetes.io/revision'], '1')
    assert.equal(await images(), ['hello:1', 'hello:1', 'hello:1'])
    const table = await kubectl('get', 'rs')
    assert.match(table, /NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/)
    assert.match(table, new RegExp(`web-${hash}\\s+3\\s+3\\s+3\\s`))
    assert.match(await kubectl('get', 'deploy', 'web'), /web\s+3\/3\s+3\s+3\s/)

    await kubectl('scale', 'deployment/web', '--replicas=5')
    assert.match(
      await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s'),
      /successfully rolled out/,
    )
    assert.is((await images()).length, 5)
    await kubectl('scale', 'rs', `web-${hash}`, '--replicas=5') // the scale subresource of a ReplicaSet
  })

  test('set image rolls; rollout history lists the revisions; undo goes back', async () => {
    await kubectl('set', 'image', 'deployment/web', 'web=hello:2')
    // as Kubernetes' docs do it: the cause of the revision just made
    await kubectl('annotate', 'deployment/web', 'kubernetes.io/change-cause=second', '--overwrite')
    assert.match(
      await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s'),
      /successfully rolled out/,
    )
    assert.equal(await images(), Array(5).fill('hello:2'))
    const history = await kubectl('rollout', 'history', 'deployment/web')
    if (process.env.DEBUG_LOG) console.log(history)
    assert.match(history, /REVISION\s+CHANGE-CAUSE\s+1\s+first\s+2\s+second/, history)

    assert.match(await kubectl('rollout', 'undo', 'deployment/web'), /rolled back/)
    assert.match(
      await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s'),
      /successfully rolled out/,
    )
    assert.equal(await images(), Array(5).fill('hello:1'))
    assert.match(await kubectl('rollout', 'history', 'deployment/web'), /2\s+second\s+3\s+first/)
    assert.match(await kubectl('rollout', 'history', 'deployment/web', '--revision=3'), /hello:1/)
    const sets = (await json('rs')).items
    if (sets.length !== 2)
      console.log(
        JSON.stringify((await json('deploy', 'web')).spec.template),
        ...sets.map((x: { spec: { template: unknown } }) => JSON.stringify(x.spec.template)),
      )
    assert.is(sets.length, 2, 'undo made no third ReplicaSet')
  })

  test('rollout restart makes a new revision; Events say what the controllers did', async () => {
    await kubectl('rollout', 'restart', 'deployment/web')
    assert.match(
      await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s'),
      /successfully rolled out/,
    )
    const history = await kubectl('rollout', 'history', 'deployment/web')
    assert.match(history, /\n4\s/, history)
    const reasons = (await json('events')).items.map((e: { reason: string }) => e.reason)
    assert.ok(reasons.includes('ScalingReplicaSet'), reasons.join())
    assert.ok(reasons.includes('SuccessfulCreate'), reasons.join())
    assert.ok(reasons.includes('SuccessfulDelete'), reasons.join())
  })

  test('rollout pause holds a new template, resume rolls it; describe shows the ReplicaSets', async () => {
    await kubectl('rollout', 'pause', 'deployment/web')
    await kubectl('set', 'image', 'deployment/web', 'web=hello:3')
    await new Promise((r) => setTimeout(r, 500))
    assert.not.ok((await images()).includes('hello:3'), 'paused: nothing rolled')
    await kubectl('rollout', 'resume', 'deployment/web')
    assert.match(
      await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s'),
      /successfully rolled out/,
    )
    assert.equal(await images(), Array(5).fill('hello:3'))
    const described = await kubectl('describe', 'deployment/web')
    assert.match(described, /NewReplicaSet:\s+web-\w+ \(5\/5 replicas created\)/, described)
    assert.match(described, /ScalingReplicaSet/, described)
  })

  test('a ReplicaSet of its own: applied with validation, keeps its pods, explained', async () => {
    const rs = (extra = '') => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: solo}
spec:
  replicas: 2${extra}
  selector: {matchLabels: {app: solo}}
  template:
    metadata: {labels: {app: solo}}
    spec:
      containers: [{name: solo, image: "hello:1"}]
`
    writeFileSync(join(dir, 'typo.yaml'), rs('\n  replicass: 3'))
    const refused = await kubectl('apply', '-f', join(dir, 'typo.yaml')).then(
      () => '',
      (err: Error) => err.message,
    )
    assert.match(refused, /unknown field "spec.replicass"/)
    writeFileSync(join(dir, 'solo.yaml'), rs())
    await kubectl('apply', '-f', join(dir, 'solo.yaml'))
    const end = Date.now() + 20_000
    let table = ''
    while (Date.now() < end) {
      table = await kubectl('get', 'rs', 'solo')
      if (/solo\s+2\s+2\s+2\s/.test(table)) break
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.match(table, /solo\s+2\s+2\s+2\s/)
    assert.match(await kubectl('explain', 'replicaset.spec'), /minReadySeconds/)
    await kubectl('delete', 'rs', 'solo')
  })

  test('deleting the Deployment removes its ReplicaSets and pods', async () => {
    await kubectl('delete', 'deployment/web')
    const end = Date.now() + 20_000
    while (Date.now() < end) {
      if (!(await json('rs')).items.length && !(await json('pods')).items.length) return
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.unreachable('ReplicaSets and pods left behind')
  })
}

test.run()
