import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LogRequest } from '../api/index.ts'
import { desired, harness, pod, waitFor, type Harness } from './agent-fixture.ts'

const ask = (h: Harness, req: Omit<LogRequest, 'type' | 'namespace'>) =>
  h.channel.deliver({ type: 'logs', namespace: 'default', ...req })

const responses = (h: Harness, id: string) => h.channel.of('response').filter((r) => r.id === id)

async function running(h: Harness, ...pods: ReturnType<typeof pod>[]) {
  h.channel.connect()
  h.channel.deliver(desired(1, ...pods))
  const containers = pods.reduce((n, p) => n + p.spec.containers.length, 0)
  await waitFor(
    'running',
    () => h.runtime.list().filter((s) => s.state === 'ready').length === containers,
  )
}

test('a log request is answered in chunks of at most 64 lines, the last one done', async () => {
  const h = await harness()
  await running(h, pod('a'))
  for (let i = 0; i < 150; i++) h.runtime.log('uid-a/main', `line ${i}`)
  ask(h, { id: 'r1', pod: 'a' })
  await waitFor('done', () => responses(h, 'r1').some((r) => r.done))
  const chunks = responses(h, 'r1')
  assert.equal(
    chunks.map((r) => r.lines?.length),
    [64, 64, 22],
  )
  assert.equal(
    chunks.map((r) => r.done === true),
    [false, false, true],
  )
  assert.equal(chunks[0].lines![0], 'line 0\n')
  assert.equal(chunks.flatMap((r) => r.lines).at(-1), 'line 149\n')
  ask(h, { id: 'r2', pod: 'a', tailLines: 2, timestamps: true })
  const tail = await waitFor('tail', () => responses(h, 'r2').find((r) => r.done))
  assert.is(tail.lines!.length, 2)
  assert.match(tail.lines![1], /^\d{4}-\d\d-\d\dT[\d:.]+Z line 149\n$/)
  await h.cleanup()
})

test('a follow streams new lines until it is cancelled', async () => {
  const h = await harness()
  await running(h, pod('a'))
  h.runtime.log('uid-a/main', 'before')
  ask(h, { id: 'f', pod: 'a', follow: true })
  await waitFor('the first line', () =>
    responses(h, 'f').some((r) => r.lines?.includes('before\n')),
  )
  h.runtime.log('uid-a/main', 'after')
  await waitFor('a new line', () => responses(h, 'f').some((r) => r.lines?.includes('after\n')))
  assert.not.ok(responses(h, 'f').some((r) => r.done))
  h.channel.deliver({ type: 'cancel', id: 'f' })
  await waitFor('done', () => responses(h, 'f').some((r) => r.done))
  await h.cleanup()
})

test('requests that cannot be served get one response with an error', async () => {
  const h = await harness({ retryBackoff: { initialMs: 60_000, maxMs: 60_000, resetAfterMs: 1 } })
  const two = pod('two', {}, {})
  two.spec.containers.push({ name: 'side', image: 'hello:1' })
  two.images.side = two.images.main
  const stuck = pod('stuck', { images: { main: { error: 'tag hello:9 not found' } } })
  await running(h, two)
  h.channel.deliver(desired(2, two, stuck))
  await h.agent.idle()
  ask(h, { id: 'e1', pod: 'nope' })
  ask(h, { id: 'e2', pod: 'two' })
  ask(h, { id: 'e3', pod: 'two', container: 'other' })
  ask(h, { id: 'e4', pod: 'stuck' })
  ask(h, { id: 'e5', pod: 'two', container: 'side', previous: true })
  await h.agent.idle()
  const errors = ['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => {
    const [r, ...more] = responses(h, id)
    assert.is(more.length, 0)
    assert.ok(r.done)
    return `${r.error?.code}: ${r.error?.message}`
  })
  assert.equal(errors, [
    'NotFound: pods "nope" not found',
    'BadRequest: a container name must be specified for pod two, choose one of: [main side]',
    'BadRequest: container other is not valid for pod two',
    'BadRequest: container "main" in pod "stuck" is waiting to start: ErrImagePull',
    'BadRequest: previous terminated container "side" in pod "two" not found',
  ])
  await h.cleanup()
})

test('--previous gives the lines of the instance before the restart', async () => {
  const h = await harness()
  await running(h, pod('a'))
  h.runtime.log('uid-a/main', 'first life')
  h.runtime.exit('uid-a/main', 'Error', 1)
  await waitFor('restarted', () => h.runtime.started.length === 2)
  await waitFor('running', () => h.runtime.status('uid-a/main')?.state === 'ready')
  h.runtime.log('uid-a/main', 'second life')
  ask(h, { id: 'p', pod: 'a', previous: true })
  ask(h, { id: 'c', pod: 'a' })
  const previous = await waitFor('previous', () => responses(h, 'p').find((r) => r.done))
  const current = await waitFor('current', () => responses(h, 'c').find((r) => r.done))
  assert.equal(previous.lines, ['first life\n'])
  assert.equal(current.lines, ['second life\n'])
  await h.cleanup()
})

test.run()
