import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { DesiredState } from '../api/index.ts'
import { FakeClock, memoryLogger } from '../core/index.ts'
import { DesiredCache } from './desired-cache.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-desired-'))
const state = (revision: number, names: string[]): DesiredState => ({
  type: 'desired',
  revision,
  pods: names.map((name) => ({
    uid: `u-${name}`,
    namespace: 'default',
    name,
    resourceVersion: String(revision),
    spec: { containers: [{ name: 'main', image: 'sha256:' + 'a'.repeat(64) }] },
    images: { main: { digest: 'sha256:' + 'a'.repeat(64) } },
  })),
})

test('a newer state is taken at once and saved behind it; a stale one is refused', async () => {
  const path = join(dir, 'a.json')
  const cache = await DesiredCache.load(path, memoryLogger())
  const saving = cache.take(state(5, ['x']))
  assert.ok(saving)
  assert.is(cache.revision, 5) // the pods run before the disk has them
  assert.equal(
    cache.pods.map((p) => p.name),
    ['x'],
  )
  assert.is(cache.savedRevision, 0)
  await saving
  assert.is(cache.savedRevision, 5)
  assert.is(cache.take(state(5, ['y'])), undefined)
  assert.is(cache.take(state(4, ['y'])), undefined)
  const reloaded = await DesiredCache.load(path, memoryLogger())
  assert.is(reloaded.revision, 5)
})

test('states superseded before their save are not written; the latest is', async () => {
  const path = join(dir, 'b.json')
  const cache = await DesiredCache.load(path, memoryLogger())
  const saves = [6, 7, 8].map((r) => cache.take(state(r, [`p${r}`])))
  await Promise.all(saves)
  assert.is(cache.savedRevision, 8)
  const onDisk = JSON.parse(readFileSync(path, 'utf8')) as DesiredState
  assert.is(onDisk.revision, 8)
  assert.equal(
    onDisk.pods.map((p) => p.name),
    ['p8'],
  )
})

test('a burst of states taken is saved in far fewer writes than states; each save resolves once its state is on disk', async () => {
  const path = join(dir, 'c.json')
  const clock = new FakeClock(0)
  const cache = await DesiredCache.load(path, memoryLogger(), { clock, delayMs: 20 })
  const saves: Promise<void>[] = []
  for (let r = 1; r <= 100; r++) {
    saves.push(cache.take(state(r, [`p${r}`]))!)
    if (r % 10 === 0) clock.advance(5) // ten states every 5 ms
  }
  await cache.flush()
  await Promise.all(saves)
  assert.ok(cache.writes <= 6, `${cache.writes} writes for 100 states`)
  assert.is(cache.savedRevision, 100)
  assert.is((JSON.parse(readFileSync(path, 'utf8')) as DesiredState).revision, 100)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
