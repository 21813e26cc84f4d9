import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createLogger, FakeClock } from '../core/index.ts'
import { runAlways, runWhileLeading, type WorkParts } from './leader-work.ts'
import { createPlane } from './plane.ts'
import { openLogStore } from './store/index.ts'
import type { Transport } from './transport/index.ts'

const log = createLogger('test', { level: 'error' })
const dir = mkdtempSync(join(tmpdir(), 'shoal-leader-work-'))
const main = fileURLToPath(new URL('../main.ts', import.meta.url))

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!cond()) throw new Error(`never: ${what}`)
}

/** parts that record their starts and stops */
function recorded(events: string[]): WorkParts {
  const part = (name: string) => async () => {
    events.push(`${name} started`)
    return { stop: async () => void events.push(`${name} stopped`) }
  }
  return {
    scheduler: part('scheduler') as never,
    controllers: part('controllers') as never,
    transport: async () => {
      events.push('transport started')
      return {
        requestLogs: () => 'logs' as never,
        close: async () => void events.push('transport stopped'),
      } as unknown as Transport
    },
  }
}

test('one plane: the parts run from the start; the node channel stops first', async () => {
  const events: string[] = []
  const work = await runAlways(recorded(events))
  assert.ok(work.transport())
  assert.is(work.logs.requestLogs('n', {} as never) as unknown, 'logs')
  await work.close()
  assert.equal(events, [
    'scheduler started',
    'controllers started',
    'transport started',
    'transport stopped',
    'controllers stopped',
    'scheduler stopped',
  ])
})

test('elected: only the leader runs the parts; a follower names the leader for pod logs', async () => {
  const store = await openLogStore({ dir: join(dir, 'store'), logger: log, clock: new FakeClock() })
  const lease = {
    get: async () => undefined,
    create: async (_: unknown, o: never) => o,
    replace: async (_: unknown, _c: unknown, o: never) => o,
  }
  const a: string[] = []
  const b: string[] = []
  const o = { store, objects: lease, clock: new FakeClock(), log }
  const first = runWhileLeading(recorded(a), { ...o, identity: 'plane-a' })
  await until(() => a.length === 3, 'a runs its parts')
  const second = runWhileLeading(recorded(b), { ...o, identity: 'plane-b' })
  await until(() => second.leader() === 'plane-a', 'b follows a')
  assert.equal(b, [])
  assert.is(second.transport(), undefined)
  assert.throws(
    () => second.logs.requestLogs('pi-1', {} as never),
    /pod logs come through a node channel; this plane runs none \(plane-a leads\)/,
  )
  // several planes with a broker: each runs its own node channel, a follower's logs go through it
  const asked: string[] = []
  const channel = {
    requestLogs: (node: string) => (asked.push(node), 'lines'),
  } as unknown as Transport
  const third = runWhileLeading(recorded([]), { ...o, identity: 'plane-c', transport: channel })
  await until(() => third.leader() === 'plane-a', 'c follows a')
  assert.is(third.transport(), channel)
  assert.is(third.logs.requestLogs('pi-1', {} as never), 'lines' as never)
  assert.equal(asked, ['pi-1'])
  await third.close()
  await first.close() // resigns
  await until(() => b.length === 3, 'b takes over')
  assert.equal(a.slice(3), ['transport stopped', 'controllers stopped', 'scheduler stopped'])
  await second.close()
  assert.equal(b.slice(3), ['transport stopped', 'controllers stopped', 'scheduler stopped'])
  await store.close()
})

test('createPlane refuses leader election without etcd or with the embedded broker, before opening anything', async () => {
  const data = join(dir, 'refused')
  for (const [o, re] of [
    [{ leaderElect: true, insecureHttp: true }, /--leader-elect is for several planes on one etcd/],
    [
      { leaderElect: true, store: 'etcd://127.0.0.1:1' },
      /--leader-elect needs an external broker \(--mqtt URL\)/,
    ],
  ] as const) {
    try {
      await createPlane({ dataDir: data, listen: '127.0.0.1:0', logger: log, ...o })
      assert.unreachable('created')
    } catch (err) {
      assert.match(String(err), re)
    }
  }
  assert.not.ok(existsSync(join(data, 'store')), 'no store opened')
})

test('shoal plane names bad leader-election flags', () => {
  for (const [args, re] of [
    [['--no-leader-elect', '--leader-elect'], /--no-leader-elect excludes --leader-elect/],
    [['--leader-elect-lease-duration', '1500ms'], /whole seconds, at least 2s, not "1500ms"/],
    [['--leader-elect-identity', 'a b'], /--leader-elect-identity must be 1-253 letters/],
  ] as const) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', main, 'plane', '--data-dir', join(dir, 'cli'), ...args],
      { encoding: 'utf8', timeout: 60_000 },
    )
    assert.is.not(r.status, 0)
    assert.match(r.stderr, re)
  }
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
