// Values leave memory once durable: a written value is held until its record is fdatasync'ed
// and watchers have had it, then read from the log (and from the snapshot once the log files
// are deleted). Every read must still give the exact bytes, across cuts, snapshots and restarts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as turn } from 'node:timers/promises'
import { openLogStore, type LogStore, type LogStoreOptions } from '../../src/plane/store/index.ts'
import { memoryLogger } from '../../src/core/index.ts'
import { collect } from './conformance.ts'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const open = (dir: string, o: Partial<LogStoreOptions> = {}) =>
  openLogStore({ dir, logger: memoryLogger(), ...o })
const valueOf = (key: string, i: number) =>
  `${key}#${i}:`.padEnd(200 + (i % 97), String.fromCharCode(97 + (i % 26)))

/** every value the store serves now, at the head and at past revisions, is `want` */
async function check(s: LogStore, want: Map<string, string>, past: [string, number, string][]) {
  const all = await s.range({ prefix: '/v/' })
  assert.is(all.count, want.size)
  for (const kv of all.kvs) assert.is(dec(kv.value), want.get(kv.key), kv.key)
  for (const [key, v] of want) assert.is(dec((await s.get(key))!.value), v, key)
  for (const [key, rev, v] of past)
    assert.is(dec((await s.get(key, { revision: rev }))!.value), v, `${key}@${rev}`)
}

for (const inlineSync of [true, 'always'] as const) {
  test(`values leave memory once durable and are read back exact, across cuts, snapshots and restarts (inlineSync ${inlineSync})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-values-'))
    const o = { segmentBytes: 24 << 10, snapshotBytes: 96 << 10, historyRevisions: 0, inlineSync }
    const s = await open(dir, o)
    const seen = collect()
    const w = s.watch({ prefix: '/v/' }, { prevKv: true }, { onEvents: seen.onEvents })
    const want = new Map<string, string>()
    const past: [string, number, string][] = []
    let i = 0
    const write = async (n: number) => {
      const batch: Promise<unknown>[] = []
      for (let j = 0; j < n; j++, i++) {
        const key = `/v/${i % 120}`
        const v = valueOf(key, i)
        want.set(key, v)
        if (i % 7 === 0) {
          // a txn carrying two values (and a delete): each version settles to its own place
          const other = `/v/${(i + 1) % 120}`
          const ov = valueOf(other, i + 1000)
          want.set(other, ov)
          batch.push(
            s.txn({
              compare: [],
              success: [
                { type: 'put', key, value: enc(v) },
                { type: 'delete', select: { key: '/v/none' } },
                { type: 'put', key: other, value: enc(ov) },
              ],
            }),
          )
        } else
          batch.push(
            s.put(key, enc(v)).then((r) => i % 50 === 0 && past.push([key, r.revision, v])),
          )
      }
      await Promise.all(batch)
      await turn()
    }
    for (let k = 0; k < 4; k++) await write(100) // many records share a flush; segments are cut between flushes
    const stats = s.memoryStats
    assert.ok(stats.versions > 400, `${stats.versions} versions retained`)
    assert.is(stats.unsettled, 0, 'no value held in memory once its record is durable')
    await check(s, want, past)
    const segs = () => readdirSync(join(dir, 'wal')).filter((f) => f.endsWith('.wal'))
    assert.ok(
      segs().length > 1 || readdirSync(join(dir, 'snap')).some((f) => f.endsWith('.snap')),
      'segments were cut',
    )

    // more writes, then a snapshot (history is kept whole: nothing to reclaim, so the store would
    // not take one itself) deletes the segments the values were read from, with writes in flight
    const firstSegs = segs()
    await write(100)
    const during = write(100)
    await s.snapshot()
    await during
    assert.equal(
      segs().filter((f) => firstSegs.includes(f)),
      [],
      'the old segments were deleted',
    )
    assert.is(s.memoryStats.unsettled, 0, 're-pointed at the snapshot, not pinned in memory')
    await check(s, want, past)

    // watchers got every value, delivered while it was still in memory
    const expectPuts = i + Math.ceil(i / 7)
    await seen.until(expectPuts)
    w.cancel()
    const last = new Map<string, string>()
    for (const e of seen.events) if (e.type === 'put') last.set(e.kv.key, dec(e.kv.value))
    assert.equal(last, want, 'the last value a watcher saw per key is the stored one')
    assert.ok(
      seen.events
        .filter((e) => e.prevKv)
        .every((e) => dec(e.prevKv!.value).startsWith(`${e.kv.key}#`)),
      'previous values read back from disk',
    )

    await s.close()
    const again = await open(dir, o)
    await check(again, want, past)
    await again.close()
    rmSync(dir, { recursive: true })
  })
}

test('memory holds values not yet settled, plus a bounded cache of single reads; ranges keep nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-values-'))
  const s = await open(dir)
  for (let i = 0; i < 50; i++) await s.put(`/v/${i}`, enc(valueOf(`/v/${i}`, i)))
  await turn()
  const r = await s.range({ prefix: '/v/' })
  assert.is(r.count, 50)
  assert.is(s.memoryStats.unsettled, 0)
  const pending = s.put('/v/new', enc('new value'))
  assert.is(s.memoryStats.unsettled, 1, 'a value in flight is in memory')
  assert.is(s.memoryStats.unsettledBytes, 9)
  await pending
  await turn()
  assert.is(s.memoryStats.unsettled, 0)
  await s.close()
  rmSync(dir, { recursive: true })
})

test.run()
