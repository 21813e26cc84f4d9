// The scheduler and the controllers on a fleet of real processes: one plane and three agents
// running real components, driven by stock kubectl as a user would. A Deployment scaled
// 1 → 5 → 2 and spread over the nodes; a rolling update that never has fewer than
// replicas − maxUnavailable pods ready; rollout undo; kubectl top; a pod that cannot be placed
// says why; a crashing component reaches CrashLoopBackOff; an agent killed with -9 turns its node
// NotReady and its pods are replaced on the others, and when it comes back the stale copies
// stop; deleting the Deployment removes its ReplicaSets and pods.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { haveKubectl, startFleet, type Fleet } from './fleet.ts'
import { pushImage } from './plane-process.ts'

const NODES = ['pi-1', 'pi-2', 'pi-3']
let fleet: Fleet

interface PodLite {
  name: string
  node?: string
  ready: boolean
  terminating: boolean
  image: string
}

async function pods(selector = 'app=web'): Promise<PodLite[]> {
  const list = await fleet.get(
    `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`,
  )
  return (list?.items ?? []).map((p: any) => ({
    name: p.metadata.name,
    node: p.spec.nodeName,
    ready: !!p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
    terminating: !!p.metadata.deletionTimestamp,
    image: p.spec.containers[0].image,
  }))
}

const readyPods = async (selector?: string) =>
  (await pods(selector)).filter((p) => p.ready && !p.terminating)

const deployment = (replicas: number, image = 'hello-wat:1') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: "${image}"}]
`

if (!haveKubectl) test('fleet controllers e2e', () => console.log('SKIPPED fleet e2e: no kubectl'))
else {
  test.before(async () => {
    fleet = await startFleet(NODES)
    await pushImage(fleet.call, 'hello-wat', '1')
    await pushImage(fleet.call, 'hello-wat', '2')
    await pushImage(fleet.call, 'crasher', '1')
  })

  test.after(async () => {
    await fleet?.stop()
  })

  test('a Deployment is placed, scaled 1 → 5 → 2 and spread over the nodes', async () => {
    fleet.kubectl(['apply', '-f', '-'], { input: deployment(1) })
    fleet.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s'])
    assert.is((await readyPods()).length, 1)

    fleet.kubectl(['scale', 'deployment/web', '--replicas=5'])
    const five = await fleet.waitFor('5 ready pods', async () => {
      const r = await readyPods()
      return r.length === 5 && r
    })
    // least allocated and the spread of one owner's replicas: every node runs some
    const perNode = new Map<string, number>()
    for (const p of five) perNode.set(p.node!, (perNode.get(p.node!) ?? 0) + 1)
    assert.equal([...perNode.keys()].sort(), NODES, `spread: ${JSON.stringify([...perNode])}`)
    assert.ok(Math.max(...perNode.values()) <= 2, `spread: ${JSON.stringify([...perNode])}`)
    const table = fleet.kubectl(['get', 'deploy', 'web']).stdout
    assert.match(table, /web\s+5\/5\s+5\s+5\s/)

    fleet.kubectl(['scale', 'deployment/web', '--replicas=2'])
    await fleet.waitFor('2 pods left', async () => {
      const all = await pods()
      return all.length === 2 && all.every((p) => p.ready && !p.terminating)
    })
    fleet.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s'])
  })

  test('a rolling update keeps replicas − maxUnavailable ready; rollout undo goes back', async () => {
    fleet.kubectl(['scale', 'deployment/web', '--replicas=4'])
    fleet.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s'])
    // watch the ready pods while the new template rolls out
    let least = Infinity
    let polling = true
    const poll = (async () => {
      while (polling) {
        least = Math.min(least, (await readyPods()).length)
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    fleet.kubectl(['set', 'image', 'deployment/web', 'main=hello-wat:2'])
    await fleet.waitFor('all 4 on hello-wat:2', async () => {
      const all = await pods()
      return (
        all.length === 4 && all.every((p) => p.ready && !p.terminating && p.image === 'hello-wat:2')
      )
    })
    polling = false
    await poll
    assert.ok(least >= 3, `ready pods fell to ${least} (replicas 4, maxUnavailable 1)`)
    fleet.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    const history = fleet.kubectl(['rollout', 'history', 'deployment/web']).stdout
    assert.match(history, /^1\s/m)
    assert.match(history, /^2\s/m)

    fleet.kubectl(['rollout', 'undo', 'deployment/web'])
    await fleet.waitFor('all 4 back on hello-wat:1', async () => {
      const all = await pods()
      return (
        all.length === 4 && all.every((p) => p.ready && !p.terminating && p.image === 'hello-wat:1')
      )
    })
    fleet.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    const d = JSON.parse(fleet.kubectl(['get', 'deploy', 'web', '-o', 'json']).stdout)
    assert.is(d.metadata.annotations['deployment.kubernetes.io/revision'], '3')
    assert.is(JSON.parse(fleet.kubectl(['get', 'rs', '-o', 'json']).stdout).items.length, 2)
  })

  test('kubectl top shows the nodes and the pods with figures', async () => {
    const nodes = await fleet.waitFor('kubectl top nodes', () => {
      const r = fleet.kubectl(['top', 'nodes'], { ok: false })
      // each node's line once its agent has sent stats (<unknown> before)
      return (
        r.status === 0 &&
        NODES.every((n) => r.stdout.includes(n)) &&
        !r.stdout.includes('<unknown>') &&
        r.stdout
      )
    })
    for (const n of NODES)
      assert.match(nodes, new RegExp(`^${n}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm'), nodes)
    const top = await fleet.waitFor('kubectl top pods', () => {
      const r = fleet.kubectl(['top', 'pods', '-l', 'app=web'], { ok: false })
      return (
        r.status === 0 &&
        r.stdout.split('\n').filter((l) => l.startsWith('web-')).length === 4 &&
        r.stdout
      )
    })
    assert.match(top, /^web-\S+\s+\d+m\s+\d+Mi/m)
  })

  test('a pod that fits no node says why', async () => {
    fleet.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: nowhere}
spec:
  nodeSelector: {site: moon}
  containers: [{name: main, image: "hello-wat:1"}]
`,
    })
    const describe = await fleet.waitFor('FailedScheduling', () => {
      const out = fleet.kubectl(['describe', 'pod', 'nowhere']).stdout
      return /FailedScheduling/.test(out) && out
    })
    assert.match(
      describe,
      /0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector/,
    )
    const pod = JSON.parse(fleet.kubectl(['get', 'pod', 'nowhere', '-o', 'json']).stdout)
    const cond = pod.status.conditions.find((c: any) => c.type === 'PodScheduled')
    assert.is(cond.status, 'False')
    assert.is(cond.reason, 'Unschedulable')
    fleet.kubectl(['delete', 'pod', 'nowhere', '--wait=false'])
  })

  test('a crashing component reaches CrashLoopBackOff', async () => {
    fleet.kubectl(['run', 'crash', '--image=crasher:1', '--env=CRASH_AFTER_MS=50'])
    await fleet.waitFor('CrashLoopBackOff', () => {
      const out = fleet.kubectl(['get', 'pod', 'crash']).stdout
      return /crash\s+0\/1\s+CrashLoopBackOff\s+[1-9]/.test(out) && out
    })
    fleet.kubectl(['delete', 'pod', 'crash', '--wait=false'])
  })

  test('an agent killed with -9: NotReady, its pods Running elsewhere, stale copies stopped when it returns', async () => {
    const before = await readyPods()
    const counts = new Map<string, number>()
    for (const p of before) counts.set(p.node!, (counts.get(p.node!) ?? 0) + 1)
    const victim = [...counts].sort((a, b) => b[1] - a[1])[0][0]
    const lost = before.filter((p) => p.node === victim).map((p) => p.name)
    assert.ok(lost.length > 0)

    await fleet.agents.get(victim)!.stop('SIGKILL')
    await fleet.waitFor(`${victim} NotReady`, async () => {
      const ready = await fleet.nodeReady(victim)
      return ready !== undefined && ready !== 'True'
    })
    const node = JSON.parse(fleet.kubectl(['get', 'node', victim, '-o', 'json']).stdout)
    assert.ok(
      node.spec.taints.some((t: any) => t.key === 'node.kubernetes.io/unreachable'),
      JSON.stringify(node.spec.taints),
    )
    await fleet.waitFor('4 ready pods, none on the lost node', async () => {
      const all = await pods()
      const live = all.filter((p) => !p.terminating)
      return (
        live.length === 4 &&
        live.every((p) => p.ready && p.node !== victim) &&
        lost.every((name) => !all.some((p) => p.name === name))
      )
    })

    // back: its agent starts from the state it kept, hears that those pods are gone, stops them
    const agent = fleet.startAgent(victim)
    const offset = agent.output().length
    await fleet.waitFor(
      `${victim} Ready again`,
      async () => (await fleet.nodeReady(victim)) === 'True',
    )
    await fleet.waitFor('the stale copies stopped', () => {
      const after = agent.output().slice(offset)
      return lost.every((name) => {
        const started = after
          .split('\n')
          .filter((l) => l.includes('started a container') && l.includes(`default/${name}`)).length
        const stopped = after
          .split('\n')
          .filter((l) => l.includes('stopped a pod') && l.includes(`default/${name}`)).length
        return started === 0 || stopped > 0
      })
    })
    const node2 = JSON.parse(fleet.kubectl(['get', 'node', victim, '-o', 'json']).stdout)
    assert.not.ok(node2.spec.taints?.some((t: any) => t.key.startsWith('node.kubernetes.io/')))
  })

  test('a DaemonSet runs one pod on every node and follows a node that joins', async () => {
    fleet.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: sensor}
spec:
  selector: {matchLabels: {app: sensor}}
  template:
    metadata: {labels: {app: sensor}}
    spec:
      containers: [{name: main, image: "hello-wat:1"}]
`,
    })
    const onNodes = async (n: number) => {
      const r = await readyPods('app=sensor')
      return r.length === n && new Set(r.map((p) => p.node)).size === n && r
    }
    await fleet.waitFor('a sensor pod Ready on each of 3 nodes', () => onNodes(3))
    fleet.kubectl(['rollout', 'status', 'daemonset/sensor', '--timeout=60s'])

    fleet.startAgent('pi-4')
    await fleet.waitFor('pi-4 Ready', async () => (await fleet.nodeReady('pi-4')) === 'True')
    const four = await fleet.waitFor('a sensor pod Ready on each of 4 nodes', () => onNodes(4))
    assert.ok(four.some((p) => p.node === 'pi-4'))
    assert.match(fleet.kubectl(['get', 'ds', 'sensor']).stdout, /sensor\s+4\s+4\s+4\s+4\s+4\s/)
    fleet.kubectl(['delete', 'daemonset', 'sensor'])
    await fleet.waitFor('the sensor pods gone', async () => (await pods('app=sensor')).length === 0)
  })

  test('a Job of a wasi:cli component completes; a failing one stops at its backoffLimit', async () => {
    fleet.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: Job
metadata: {name: ok}
spec:
  completions: 2
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: "crasher:1", env: [{name: CRASH_CODE, value: "0"}, {name: CRASH_AFTER_MS, value: "10"}]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: bad}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: "crasher:1", env: [{name: CRASH_AFTER_MS, value: "10"}]}]
`,
    })
    fleet.kubectl(['wait', '--for=condition=complete', 'job/ok', '--timeout=90s'])
    assert.match(fleet.kubectl(['get', 'job', 'ok']).stdout, /ok\s+Complete\s+2\/2\s/)
    // one failure, a 10 s back-off, the second failure: past backoffLimit 1
    fleet.kubectl(['wait', '--for=condition=failed', 'job/bad', '--timeout=120s'])
    const bad = JSON.parse(fleet.kubectl(['get', 'job', 'bad', '-o', 'json']).stdout)
    assert.is(bad.status.failed, 2)
    assert.is(
      bad.status.conditions.find((c: any) => c.type === 'Failed').reason,
      'BackoffLimitExceeded',
    )
    fleet.kubectl(['delete', 'job', 'ok', 'bad'])
  })

  test('a CronJob fires on its schedule and its Job completes', async () => {
    fleet.kubectl(['create', 'cronjob', 'tick', '--image=crasher:1', '--schedule=* * * * *'])
    fleet.kubectl(['set', 'env', 'cronjob/tick', 'CRASH_CODE=0', 'CRASH_AFTER_MS=10'])
    const job = await fleet.waitFor(
      'a Job of the CronJob complete',
      async () => {
        const jobs = await fleet.get('/apis/batch/v1/namespaces/default/jobs')
        return jobs?.items.find(
          (j: any) =>
            j.metadata.ownerReferences?.[0]?.name === 'tick' &&
            j.status?.conditions?.some((c: any) => c.type === 'Complete' && c.status === 'True'),
        )
      },
      150_000,
    )
    assert.match(job.metadata.name, /^tick-\d+$/)
    const cj = JSON.parse(fleet.kubectl(['get', 'cronjob', 'tick', '-o', 'json']).stdout)
    assert.ok(cj.status.lastScheduleTime)
    fleet.kubectl(['delete', 'cronjob', 'tick'])
  })

  test('deleting the Deployment removes its ReplicaSets and pods', async () => {
    fleet.kubectl(['delete', 'deployment', 'web'])
    await fleet.waitFor('no ReplicaSets and no pods', async () => {
      const sets = await fleet.get('/apis/apps/v1/namespaces/default/replicasets')
      return sets?.items.length === 0 && (await pods()).length === 0
    })
  })
}

test.run()
