// Jobs and CronJobs in the real plane (in process, plain HTTP on loopback, scheduler off) driven
// by the stock kubectl: create job, get jobs, wait for complete; create cronjob "* * * * *",
// get cronjobs, its Job at the next minute, create job --from=cronjob. The agents' part — a
// wasi:cli command that ran and exited 0 — is played by writing the pod's status as the agent
// reports it. The controllers run on a FakeClock that follows real time and jumps to the next
// minute, so no test waits a real minute.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeClock, isShoalError, memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { resourceByKind, type CronJob, type Job, type Pod } from '../../src/api/index.ts'
import { asyncKubectl, until as poll } from './harness.ts'

const PODS = resourceByKind('Pod')!
const haveKubectl = spawnSync('kubectl', ['version', '--client']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'shoal-jobs-'))
const { kubectl, json, writeKubeconfig } = asyncKubectl(dir)
const until = <T>(what: string, f: () => Promise<T | undefined>) =>
  poll(what, f, { ms: 20_000, everyMs: 50 })
const clock = new FakeClock(Date.now())
let plane: Plane
let agent: NodeJS.Timeout | undefined

/** every pod not yet finished ran its command, which exited 0 */
async function playAgent(): Promise<void> {
  const { items } = await plane.objects.list(PODS, {})
  for (const p of items as Pod[]) {
    if (p.metadata.deletionTimestamp || p.status?.phase === 'Succeeded') continue
    const at = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z')
    const next: Pod = {
      ...p,
      spec: { ...p.spec, nodeName: 'pi-1' },
      status: {
        ...p.status,
        phase: 'Succeeded',
        conditions: [
          { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: at },
        ],
        containerStatuses: [
          {
            name: p.spec.containers[0].name,
            ready: false,
            restartCount: 0,
            image: p.spec.containers[0].image,
            imageID: '',
            state: {
              terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at },
            },
          },
        ],
      },
    }
    await plane.objects.replace(PODS, p, next).catch((err) => {
      if (!isShoalError(err, 'Conflict') && !isShoalError(err, 'NotFound')) throw err
    })
  }
}

if (!haveKubectl) test('jobs e2e', () => console.log('SKIPPED: no kubectl on PATH'))
else {
  test.before(async () => {
    plane = await createPlane({
      dataDir: join(dir, 'data'),
      listen: '127.0.0.1:0',
      insecureHttp: true,
      scheduler: false,
      controllersClock: clock,
      logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
    })
    writeKubeconfig(plane.url)
    let last = Date.now()
    const tick = () => {
      agent = setTimeout(() => {
        clock.advance(Date.now() - last) // the controllers' clock follows real time
        last = Date.now()
        playAgent().then(tick, tick)
      }, 50)
    }
    tick()
  })

  test.after(async () => {
    clearTimeout(agent)
    agent = undefined
    await plane?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('kubectl create job, wait for complete, get jobs', async () => {
    await kubectl('create', 'job', 'once', '--image=sensor:1')
    assert.match(
      await kubectl('wait', '--for=condition=complete', 'job/once', '--timeout=60s'),
      /job.batch\/once condition met/,
    )
    const table = await kubectl('get', 'jobs')
    assert.match(table, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/)
    assert.match(table, /\nonce\s+Complete\s+1\/1\s+\d+m?s\s+\d+s\n/)
    const job: Job = await json('job', 'once')
    const uid = job.metadata.uid!
    assert.equal(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } })
    assert.equal(
      [job.spec.completions, job.spec.parallelism, job.spec.backoffLimit, job.spec.completionMode],
      [1, 1, 6, 'NonIndexed'],
    )
    assert.equal(
      job.status?.conditions?.map((c) => `${c.type} ${c.reason}`),
      ['SuccessCriteriaMet CompletionsReached', 'Complete CompletionsReached'],
    )
    const pods = await json('pods', '-l', `batch.kubernetes.io/job-name=once`)
    assert.is(pods.items.length, 1)
    assert.is(pods.items[0].metadata.ownerReferences[0].kind, 'Job')
    assert.match(await kubectl('get', 'events'), /Completed\s+job\/once\s+Job completed/)
  })

  test('kubectl create cronjob "* * * * *": its Job at the next minute; create job --from', async () => {
    await kubectl('create', 'cronjob', 'tick', '--image=sensor:1', '--schedule=* * * * *')
    const table = await kubectl('get', 'cronjobs')
    assert.match(table, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/)
    assert.match(table, /\ntick\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s\n/)
    assert.match(
      (await kubectl('create', 'cronjob', 'bad', '--image=sensor:1', '--schedule=61 * * * *').catch(
        (e: Error) => e.message,
      )) as string,
      /spec.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/,
    )
    clock.advance(61_000) // the next minute, without waiting for it
    const minute = Math.floor((clock.now() - (clock.now() % 60_000)) / 60_000)
    const name = await until('the scheduled Job', async () => {
      const jobs: Job[] = (await json('jobs')).items
      return jobs.find((j) => j.metadata.name?.startsWith('tick-'))?.metadata.name
    })
    assert.ok(Math.abs(Number(name.slice(5)) - minute) <= 1, `${name} is named by its minute`)
    await kubectl('wait', '--for=condition=complete', `job/${name}`, '--timeout=60s')
    const cj: CronJob = await until('lastSuccessfulTime', async () => {
      const c: CronJob = await json('cronjob', 'tick')
      return c.status?.lastSuccessfulTime && !c.status.active ? c : undefined
    })
    assert.ok(cj.status?.lastScheduleTime)
    // LAST SCHEDULE: no longer <none> (its age is read on the API server's own clock, which the
    // controllers' FakeClock ran ahead of)
    assert.match(
      await kubectl('get', 'cj', 'tick'),
      /\ntick\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+(?!<none>)\S+\s+\d+s\n/,
    )

    await kubectl('create', 'job', 'by-hand', '--from=cronjob/tick')
    const manual: Job = await json('job', 'by-hand')
    assert.is(manual.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual')
    assert.is(manual.metadata.ownerReferences?.[0].name, 'tick')
    await kubectl('wait', '--for=condition=complete', 'job/by-hand', '--timeout=60s')
  })

  test('kubectl delete job: its pods go (garbage collector); --cascade=orphan keeps them', async () => {
    for (const name of ['gone', 'kept']) {
      await kubectl('create', 'job', name, '--image=sensor:1')
      await kubectl('wait', '--for=condition=complete', `job/${name}`, '--timeout=60s')
    }
    const podsOf = async (job: string) =>
      (await json('pods', '-l', `batch.kubernetes.io/job-name=${job}`)).items as Pod[]
    assert.is((await podsOf('gone')).length, 1)
    await kubectl('delete', 'job', 'gone')
    await until("the deleted Job's pod gone", async () =>
      (await podsOf('gone')).length === 0 ? true : undefined,
    )
    await kubectl('delete', 'job', 'kept', '--cascade=orphan')
    await until('the Job gone', async () =>
      (await json('jobs')).items.some((j: Job) => j.metadata.name === 'kept') ? undefined : true,
    )
    await new Promise((r) => setTimeout(r, 500)) // a controller that would delete it has had its turn
    const kept = await podsOf('kept')
    assert.is(kept.length, 1, 'the orphan stays')
    assert.is(kept[0].metadata.ownerReferences, undefined, 'its owner reference is removed')
  })
}

test.run()
