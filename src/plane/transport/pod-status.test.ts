import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { KubeObject, Pod, StatusReport } from '../../api/index.ts'
import { ConflictError, memoryLogger } from '../../core/index.ts'
import type { Objects } from './ports.ts'
import { PORTS_ANNOTATION, writeStatusReport } from './pod-status.ts'

const pod = (name: string, node = 'n1'): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '1' },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'x' }] },
  }) as Pod

/** objects whose writes finish only when `gate` opens: a report written one pod at a time
 * would wait forever for its second write to begin */
function gatedObjects(pods: Pod[], gate: number) {
  const started: string[] = []
  const waiting: (() => void)[] = []
  const objects = {
    get: async (_info: unknown, where: { name: string }) =>
      structuredClone(pods.find((p) => p.metadata.name === where.name)),
    replace: (_info: unknown, _cur: KubeObject, next: KubeObject) => {
      started.push(next.metadata.name!)
      if (next.metadata.name === 'conflicted') return Promise.reject(new ConflictError('no'))
      return new Promise<KubeObject>((resolve) => {
        waiting.push(() => resolve(next))
        if (waiting.length >= gate) waiting.splice(0).forEach((go) => go())
      })
    },
  } as unknown as Objects
  return { objects, started }
}

const report = (names: string[]): StatusReport => ({
  type: 'status',
  id: 'r-1',
  pods: names.map((name) => ({
    uid: `u-${name}`,
    namespace: 'default',
    name,
    status: { phase: 'Running' },
  })),
})

test('the pods of one report are written side by side, outcomes in report order', async () => {
  const { objects, started } = gatedObjects([pod('a'), pod('b'), pod('c', 'n2')], 2)
  const out = await writeStatusReport(objects, {
    node: 'n1',
    report: report(['a', 'b', 'c', 'gone']),
    log: memoryLogger(),
  })
  assert.equal(out, ['written', 'written', 'refused', 'stale'])
  assert.equal(started.sort(), ['a', 'b'])
})

test('a write that keeps failing fails the report, after the others settle', async () => {
  const { objects, started } = gatedObjects([pod('a'), pod('conflicted')], 1)
  try {
    await writeStatusReport(objects, {
      node: 'n1',
      report: report(['conflicted', 'a']),
      log: memoryLogger(),
    })
    assert.unreachable('the report should fail')
  } catch (err) {
    assert.match((err as Error).message, 'no')
  }
  assert.ok(started.includes('a'))
})

test('where a pod serves goes in its ports annotation; the same again writes nothing; {} removes it', async () => {
  const stored = pod('web')
  stored.metadata.annotations = { team: 'a' }
  const written: Pod[] = []
  const objects = {
    get: async () => structuredClone(stored),
    replace: async (_i: unknown, _c: KubeObject, next: Pod) => {
      written.push(next)
      Object.assign(stored, structuredClone(next))
      return next
    },
  } as unknown as Objects
  const send = (ports?: Record<string, number>) =>
    writeStatusReport(objects, {
      node: 'n1',
      report: {
        type: 'status',
        id: 'r',
        pods: [
          { uid: 'u-web', namespace: 'default', name: 'web', status: { phase: 'Running' }, ports },
        ],
      },
      log: memoryLogger(),
    })
  assert.equal(await send({ side: 8081, main: 41234 }), ['written'])
  assert.equal(written[0].metadata.annotations, {
    team: 'a',
    [PORTS_ANNOTATION]: '{"main":41234,"side":8081}',
  })
  assert.equal(await send({ main: 41234, side: 8081 }), ['unchanged'])
  assert.equal(await send(undefined), ['unchanged'], 'no ports reported: left as it is')
  assert.equal(await send({ main: 41999 }), ['written'])
  assert.is(stored.metadata.annotations![PORTS_ANNOTATION], '{"main":41999}')
  assert.equal(await send({}), ['written'])
  assert.equal(stored.metadata.annotations, { team: 'a' })
})

test.run()
