// Recovery of the CBOR log: torn tails are cut and reported, damage refuses to open with the
// file and offset, history and leases survive a restart, snapshots keep the disk bounded.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLogStore, type LogStoreOptions } from '../../src/plane/store/index.ts'
import { FakeClock, memoryLogger } from '../../src/core/index.ts'
import { scanFrames } from '../../src/plane/store/wal/index.ts'
import { collect } from './conformance.ts'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const tmp = () => mkdtempSync(join(tmpdir(), 'shoal-rec-'))
const quiet = () => memoryLogger()
const open = (dir: string, o: Partial<LogStoreOptions> = {}) =>
  openLogStore({ dir, logger: quiet(), ...o })
const segments = (dir: string) =>
  readdirSync(join(dir, 'wal'))
    .filter((n) => n.endsWith('.wal'))
    .sort()

async function writeKeys(dir: string, n: number, o: Partial<LogStoreOptions> = {}) {
  const s = await open(dir, o)
  for (let i = 0; i < n; i++) await s.put(`/k/${i}`, enc(`value-${i}-`.padEnd(100, 'x')))
  const rev = s.revision
  await s.close()
  return rev
}

test('a torn last record is cut at every byte and reported; everything before it survives', async () => {
  const base = tmp()
  const rev = await writeKeys(base, 5)
  const seg = join(base, 'wal', segments(base)[0])
  const buf = readFileSync(seg)
  const frames = scanFrames(buf).frames
  const last = frames[frames.length - 1].offset
  for (let cut = last; cut < buf.length; cut++) {
    const dir = tmp()
    cpSync(base, dir, { recursive: true })
    truncateSync(join(dir, 'wal', segments(dir)[0]), cut)
    const log = quiet()
    const s = await open(dir, { logger: log })
    assert.is(s.revision, rev - 1, `cut at ${cut}`)
    assert.is((await s.range({ prefix: '/k/' })).count, 4)
    if (cut > last)
      assert.ok(
        log.lines.some((l) => l.level === 'warn' && /torn tail/.test(l.msg)),
        `no report for cut at ${cut}`,
      )
    await s.put('/after', enc('x'))
    await s.close()
    const again = await open(dir)
    assert.is(again.revision, rev, 'the write after repair survives')
    await again.close()
    rmSync(dir, { recursive: true })
  }
  rmSync(base, { recursive: true })
})

test('a zero-filled tail (the unused end of a segment after a crash) is trimmed, with no zeros kept aside', async () => {
  const dir = tmp()
  const rev = await writeKeys(dir, 3)
  const seg = join(dir, 'wal', segments(dir)[0])
  const size = statSync(seg).size
  appendFileSync(seg, Buffer.alloc(5 << 20)) // more than one read chunk
  const log = quiet()
  const s = await open(dir, { logger: log })
  assert.is(s.revision, rev)
  assert.ok(
    log.lines.some(
      (l) =>
        /unused segment space; trimmed/.test(l.msg) &&
        (l.fields as { offset: number }).offset === size,
    ),
  )
  assert.is(statSync(seg).size, size)
  assert.equal(
    readdirSync(join(dir, 'wal')).filter((f) => f.includes('.torn-')),
    [],
  )
  await s.close()
  rmSync(dir, { recursive: true })
})

test('segments are extended ahead of their writes in 4 MiB steps and trimmed when cut or closed', async () => {
  const dir = tmp()
  const step = 4 << 20
  const s = await open(dir, { segmentBytes: 6 << 20 })
  await s.put('/a', enc('x'))
  const live = () => statSync(join(dir, 'wal', segments(dir).at(-1)!)).size
  assert.is(live(), step, 'extended one step ahead')
  const smallDir = tmp()
  const small = await open(smallDir, { segmentBytes: 64 << 10 })
  await small.put('/a', enc('x'))
  assert.is(
    statSync(join(smallDir, 'wal', segments(smallDir)[0])).size,
    64 << 10,
    'never extended past the segment size',
  )
  await small.close()
  rmSync(smallDir, { recursive: true })
  const big = enc('y'.repeat(700_000))
  for (let i = 0; i < 10; i++) await s.put(`/b/${i}`, big) // past the first step, then past segmentBytes: a cut
  assert.ok(segments(dir).length >= 2, 'cut at least once')
  await s.put('/c', enc('z'))
  const sizes = () => segments(dir).map((f) => statSync(join(dir, 'wal', f)).size)
  assert.ok(
    sizes()
      .slice(0, -1)
      .every((n) => n % step !== 0),
    `cut segments trimmed: ${sizes()}`,
  )
  await s.close()
  assert.ok(
    sizes().every((n) => n % step !== 0),
    `closed segment trimmed: ${sizes()}`,
  )
  const again = await open(dir, { segmentBytes: 6 << 20 })
  assert.is((await again.range({ prefix: '/b/' })).count, 10)
  assert.is(dec((await again.get('/c'))!.value), 'z')
  await again.close()
  rmSync(dir, { recursive: true })
})

test('a flipped byte mid-log refuses to open, naming the file and offset, and changes nothing', async () => {
  const dir = tmp()
  await writeKeys(dir, 10)
  const seg = join(dir, 'wal', segments(dir)[0])
  const buf = readFileSync(seg)
  const victim = scanFrames(buf).frames[5]
  buf[victim.offset + 20] ^= 0x40
  writeFileSync(seg, buf)
  try {
    await open(dir)
    assert.unreachable('opened a damaged log')
  } catch (err) {
    const e = err as { code: string; file: string; offset: number; message: string }
    assert.is(e.code, 'Corrupt')
    assert.is(e.file, seg)
    assert.is(e.offset, victim.offset)
    assert.match(e.message, new RegExp(`damaged at byte ${victim.offset}: CRC mismatch`))
  }
  assert.equal(readFileSync(seg), buf, 'the damaged file is left as it was')
  assert.is(segments(dir).length, 1, 'no new segment was started')
  rmSync(dir, { recursive: true })
})

test('damage at the end of an older segment is not mistaken for a torn tail', async () => {
  const dir = tmp()
  await writeKeys(dir, 3)
  await writeKeys(dir, 3) // second open cuts a new segment
  const [first] = segments(dir)
  const f = join(dir, 'wal', first)
  truncateSync(f, statSync(f).size - 3)
  try {
    await open(dir)
    assert.unreachable('opened with a damaged older segment')
  } catch (err) {
    assert.match(String(err), /inside an older segment/)
  }
  rmSync(dir, { recursive: true })
})

test('a missing segment refuses to open', async () => {
  const dir = tmp()
  for (let i = 0; i < 3; i++) await writeKeys(dir, 2)
  rmSync(join(dir, 'wal', segments(dir)[1]))
  try {
    await open(dir)
    assert.unreachable('opened with a hole in the log')
  } catch (err) {
    assert.match(String(err), /is missing/)
  }
  rmSync(dir, { recursive: true })
})

test('watch from an old revision works across a restart', async () => {
  const dir = tmp()
  const s1 = await open(dir)
  const first = await s1.put('/w/a', enc('0'))
  for (let i = 1; i < 10; i++) await s1.put(`/w/${i % 2 ? 'a' : 'b'}`, enc(String(i)))
  await s1.close()
  const s2 = await open(dir)
  const c = collect()
  const w = s2.watch(
    { prefix: '/w/' },
    { startRevision: first.revision, prevKv: true },
    { onEvents: c.onEvents },
  )
  await s2.put('/w/a', enc('live'))
  await c.until(11)
  w.cancel()
  assert.equal(
    c.events.map((e) => e.kv.modRevision),
    Array.from({ length: 11 }, (_, i) => first.revision + i),
  )
  assert.is(dec(c.events[10].kv.value), 'live')
  assert.is(dec(c.events[10].prevKv!.value), '9')
  await s2.close()
  rmSync(dir, { recursive: true })
})

test('a lease expires after a restart, with its full TTL counted from the restart', async () => {
  const dir = tmp()
  const clock = new FakeClock()
  const s1 = await open(dir, { clock })
  const lease = await s1.leaseGrant(10)
  await s1.put('/lease/a', enc('a'), { lease: lease.id })
  await s1.put('/plain', enc('p'))
  clock.advance(8000)
  await s1.close()
  const clock2 = new FakeClock()
  const s2 = await open(dir, { clock: clock2 })
  clock2.advance(9000)
  assert.ok(await s2.get('/lease/a'), 'still alive 9 s after restart')
  clock2.advance(1500)
  await new Promise((r) => setTimeout(r, 20))
  assert.is(await s2.get('/lease/a'), undefined)
  assert.ok(await s2.get('/plain'))
  await s2.close()
  const s3 = await open(dir)
  assert.is(await s3.get('/lease/a'), undefined, 'the expiry itself was logged')
  await assert.not.throws(() => s3.leaseGrant(5))
  await s3.close()
  rmSync(dir, { recursive: true })
})

/** everything a reader can see: every key now, each key's versions at sampled past revisions, leases and their keys */
async function observe(s: Awaited<ReturnType<typeof open>>, leases: number[]) {
  const now = await s.range({ prefix: '/' })
  const past: unknown[] = []
  for (let rev = s.compactRevision; rev <= s.revision; rev += 7) {
    const r = await s.range({ prefix: '/' }, { revision: rev })
    past.push(
      rev,
      r.kvs.map((kv) => [
        kv.key,
        kv.createRevision,
        kv.modRevision,
        kv.version,
        kv.lease,
        dec(kv.value),
      ]),
    )
  }
  const leaseKeys = []
  for (const id of leases) leaseKeys.push(id, (await s.leaseTimeToLive(id)).keys.sort())
  return {
    revision: s.revision,
    compact: s.compactRevision,
    now: now.kvs.map((kv) => [
      kv.key,
      kv.createRevision,
      kv.modRevision,
      kv.version,
      kv.lease,
      dec(kv.value),
    ]),
    past,
    leaseKeys,
  }
}

test('a replayed log gives exactly the state that was served: puts, updates, deletes, multi-op txns, leases, compactions', async () => {
  const dir = tmp()
  const clock = new FakeClock()
  const o = { clock, historyRevisions: 0 }
  const s = await open(dir, o)
  const leases = [
    (await s.leaseGrant(60)).id,
    (await s.leaseGrant(60)).id,
    (await s.leaseGrant(60)).id,
  ]
  let seed = 7
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n)
  for (let i = 0; i < 1500; i++) {
    const key = `/r/${rnd(120)}`
    const pick = rnd(20)
    if (pick < 11)
      await s.put(key, enc(`${key}=${i}`), rnd(3) === 0 ? { lease: leases[rnd(3)] } : undefined)
    else if (pick < 14) await s.delete({ key })
    else if (pick < 17) {
      // several writes at one revision: a put replacing a leased version, a delete, a new key
      await s.txn({
        compare: [],
        success: [
          { type: 'put', key, value: enc(`txn-${i}`), lease: rnd(2) ? leases[rnd(3)] : undefined },
          { type: 'delete', select: { key: `/r/${rnd(120)}` } },
          { type: 'put', key: `/t/${i}`, value: enc(`t${i}`.repeat(rnd(40))) },
        ],
      })
    } else if (pick < 18) await s.delete({ prefix: `/r/${rnd(10)}` })
    else if (pick < 19 && s.revision - s.compactRevision > 300) await s.compact(s.revision - 200)
    else await s.put(`/n/${i}`, enc(`new-${i}`))
  }
  await s.leaseRevoke(leases[2]) // deletes its keys in one revision
  const want = await observe(s, leases.slice(0, 2))
  await s.close()
  const again = await open(dir, o)
  assert.equal(await observe(again, leases.slice(0, 2)), want, 'replayed from the log alone')
  await again.snapshot()
  await again.close()
  const fromSnap = await open(dir, o)
  assert.equal(await observe(fromSnap, leases.slice(0, 2)), want, 'restored from a snapshot')
  await fromSnap.close()
  rmSync(dir, { recursive: true })
})

/** waits until `cond` holds, 5 s at most (background work on a busy CI machine) */
async function until(cond: () => boolean): Promise<void> {
  for (const end = Date.now() + 5000; !cond() && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 10))
}

function diskBytes(dir: string): number {
  let n = 0
  for (const sub of ['wal', 'snap'])
    for (const f of readdirSync(join(dir, sub))) n += statSync(join(dir, sub, f)).size
  return n
}

test('snapshots and compaction keep disk and history bounded under endless updates', async () => {
  const dir = tmp()
  const o = { segmentBytes: 8 << 10, snapshotBytes: 32 << 10, historyRevisions: 100 }
  const s = await open(dir, o)
  let peak = 0
  const value = enc('v'.repeat(200))
  for (let i = 0; i < 3000; i++) {
    await s.put(`/loop/${i % 10}`, value)
    if (i % 100 === 0) peak = Math.max(peak, diskBytes(dir))
  }
  assert.ok(peak < 200 << 10, `disk peaked at ${peak} bytes`)
  assert.ok(
    s.compactRevision >= s.revision - 200,
    `history not compacted: ${s.compactRevision} vs ${s.revision}`,
  )
  const rev = s.revision
  await s.close()
  assert.ok(readdirSync(join(dir, 'snap')).filter((f) => f.endsWith('.snap')).length === 1)
  const again = await open(dir, o)
  assert.is(again.revision, rev)
  const all = await again.range({ prefix: '/loop/' })
  assert.is(all.count, 10)
  assert.is(all.kvs[0].version, 300)
  const past = await again.get('/loop/3', { revision: rev - 50 })
  assert.ok(past, 'retained history survives the snapshot')
  await again.close()
  rmSync(dir, { recursive: true })
})

test('values left on disk at open are served, survive the snapshot that deletes their files, and the next restart', async () => {
  const dir = tmp()
  const o = { segmentBytes: 16 << 10, snapshotBytes: 48 << 10, historyRevisions: 0 }
  // history is kept whole (historyRevisions 0), so old versions must come back from the old files too
  const want = new Map<string, string>()
  const first = await open(dir, o)
  for (let i = 0; i < 600; i++) {
    const key = `/v/${i % 150}`
    const v = `${key}@${i}-`.padEnd(150 + (i % 40), String.fromCharCode(97 + (i % 26)))
    await first.put(key, enc(v))
    want.set(key, v)
  }
  for (let i = 0; i < 150; i += 10) {
    await first.delete({ key: `/v/${i}` })
    want.delete(`/v/${i}`)
  }
  const before = first.revision
  const old = await first.get('/v/7', { revision: 200 })
  await first.close()
  const oldFiles = [...segments(dir), ...readdirSync(join(dir, 'snap'))]

  const s = await open(dir, o) // nothing read: every value is still on disk
  for (let i = 0; i < 400; i++) await s.put(`/w/${i % 20}`, enc('w'.repeat(300)))
  await s.snapshot() // deletes the files read at open (history kept whole: the store would not reclaim on its own)
  const left = [...segments(dir), ...readdirSync(join(dir, 'snap'))].filter((f) =>
    oldFiles.includes(f),
  )
  assert.equal(left, [], 'the files read at open were replaced by a snapshot')
  const check = async (store: typeof s) => {
    const all = await store.range({ prefix: '/v/' })
    assert.is(all.count, want.size)
    for (const kv of all.kvs) assert.is(dec(kv.value), want.get(kv.key))
    const past = await store.get('/v/7', { revision: 200 })
    assert.is(dec(past!.value), dec(old!.value), 'history read from the old files')
    const c = collect()
    const w = store.watch(
      { prefix: '/v/' },
      { startRevision: before - 20, prevKv: true },
      { onEvents: c.onEvents },
    )
    await c.until(21)
    w.cancel()
    const puts = c.events.slice(0, 6)
    assert.ok(
      puts.every((e) => e.type === 'put' && dec(e.kv.value).startsWith(`${e.kv.key}@`)),
      'old values replayed to a watch',
    )
    assert.ok(
      c.events.slice(6).every((e) => e.type === 'delete' && e.prevKv!.value.length >= 150),
      'deletes replayed with their old values',
    )
  }
  await check(s)
  await s.close()
  const again = await open(dir, o)
  await check(again)
  await again.close()
  rmSync(dir, { recursive: true })
})

test('a snapshot is taken only when it frees at least what it writes: not for a store that only grows, counting the log found at open', async () => {
  const dir = tmp()
  const o = { segmentBytes: 16 << 10, snapshotBytes: 32 << 10, historyRevisions: 50 }
  const snaps = () => readdirSync(join(dir, 'snap')).filter((f) => f.endsWith('.snap'))
  const s = await open(dir, o)
  const value = enc('g'.repeat(300))
  for (let i = 0; i < 600; i++) await s.put(`/grow/${i}`, value) // ≈ 200 KB of new keys: nothing dead
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(snaps(), [], 'new keys only: no snapshot')
  // updates of a few keys: the old versions die once compacted; some dead bytes before a restart…
  for (let i = 0; i < 200; i++) await s.put(`/hot/${i % 4}`, value)
  await s.close()
  const again = await open(dir, o)
  assert.equal(snaps(), [])
  const before = again.diskStats
  assert.ok(
    before.deadBytes > 16_000 && before.deadBytes < before.retainedBytes,
    `dead bytes found at open counted: ${JSON.stringify(before)}`,
  )
  // …and more after it: the log replayed at open counts, so the snapshot comes when dead ≥ retained
  let n = 0
  while (!snaps().length && n < 2000) {
    await again.put(`/hot/${n++ % 4}`, value)
    if (n % 50 === 0) await new Promise((r) => setTimeout(r, 5))
  }
  assert.ok(snaps().length === 1, `a snapshot after ${n} more updates`)
  const grown = 600 * 340 // the retained bytes of /grow/, about
  assert.ok(
    n * 340 > grown - 100 * 340 && n * 340 < 2 * grown,
    `taken once the dead bytes passed the live ones (${n} updates)`,
  )
  assert.is((await again.range({ prefix: '/grow/' })).count, 600)
  await again.snapshot() // whatever ran in the background, a snapshot now leaves almost nothing dead
  assert.ok(
    again.diskStats.deadBytes < 16 << 10,
    `after a snapshot: ${JSON.stringify(again.diskStats)}`,
  )
  await again.close()
  rmSync(dir, { recursive: true })
})

test('deleting many objects frees their bytes with the next snapshot, though the tombstones add little log', async () => {
  const dir = tmp()
  const o = { segmentBytes: 64 << 10, snapshotBytes: 64 << 10, historyRevisions: 10 }
  const s = await open(dir, o)
  const value = enc('d'.repeat(1000))
  for (let i = 0; i < 300; i++) await s.put(`/big/${i}`, value)
  await s.snapshot()
  const snapAfterWrites = readdirSync(join(dir, 'snap')).filter((f) => f.endsWith('.snap'))
  const full = diskBytes(dir)
  assert.ok(full > 300_000, `${full} bytes on disk`)
  await s.delete({ prefix: '/big/' }) // one revision, 300 tombstones: a few KB of log
  for (let i = 0; i < 100; i++) await s.put('/small', enc(`s${i}`)) // revisions past the delete: auto-compaction (every 64) reaches it
  const current = () => readdirSync(join(dir, 'snap')).filter((f) => f.endsWith('.snap'))
  await until(() => current()[0] !== snapAfterWrites[0]) // the snapshot runs in the background
  const snaps = current()
  assert.ok(
    snaps.length === 1 && snaps[0] !== snapAfterWrites[0],
    'a new snapshot replaced the one holding the deleted values',
  )
  assert.ok(
    diskBytes(dir) < full / 3,
    `disk after the delete: ${diskBytes(dir)} bytes, the active segment extended ahead included (was ${full})`,
  )
  await s.close()
  const again = await open(dir, o)
  assert.is((await again.range({ prefix: '/big/' })).count, 0)
  assert.is(dec((await again.get('/small'))!.value), 's99')
  await again.close()
  rmSync(dir, { recursive: true })
})

test('a snapshot that fails loses nothing, keeps its dead bytes counted and is tried again once the log grew by the threshold', async () => {
  const dir = tmp()
  const log = quiet()
  const o = { segmentBytes: 8 << 10, snapshotBytes: 16 << 10, historyRevisions: 20, logger: log }
  const s = await open(dir, o)
  const value = enc('h'.repeat(200))
  const snapDir = join(dir, 'snap')
  rmSync(snapDir, { recursive: true })
  writeFileSync(snapDir, 'not a directory') // every snapshot now fails to create its file
  for (let i = 0; i < 300; i++) await s.put(`/hot/${i % 3}`, value)
  const failures = () => log.lines.filter((l) => l.msg.startsWith('snapshot failed')).length
  await until(() => failures() > 0) // the attempt runs in the background
  assert.ok(failures() >= 1, 'a snapshot was tried and failed')
  const tried = failures()
  assert.ok(failures() < 10, `not retried on every write (${tried} failures in 300 writes)`)
  assert.ok(
    s.diskStats.deadBytes > 16 << 10,
    `the dead bytes stay counted: ${JSON.stringify(s.diskStats)}`,
  )
  rmSync(snapDir)
  mkdirSync(snapDir)
  const snapped = () => readdirSync(snapDir).some((f) => f.endsWith('.snap'))
  for (let i = 0; i < 400 && !snapped(); i++) {
    await s.put(`/hot/${i % 3}`, value)
    if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5))
  }
  await until(snapped)
  assert.ok(snapped(), 'the next try succeeded')
  await s.close()
  const again = await open(dir, { ...o, logger: quiet() })
  const all = await again.range({ prefix: '/hot/' })
  assert.is(all.count, 3)
  assert.is(again.revision, s.revision)
  await again.close()
  rmSync(dir, { recursive: true })
})

test('a damaged snapshot refuses to open with its file name', async () => {
  const dir = tmp()
  const s = await open(dir, { segmentBytes: 4 << 10, snapshotBytes: 8 << 10 })
  for (let i = 0; i < 200; i++) await s.put(`/s/${i % 7}`, enc('x'.repeat(100)))
  await s.snapshot()
  await s.close()
  const [snap] = readdirSync(join(dir, 'snap')).filter((f) => f.endsWith('.snap'))
  assert.ok(snap, 'a snapshot was written')
  const file = join(dir, 'snap', snap)
  const buf = readFileSync(file)
  buf[buf.length >> 1] ^= 1
  writeFileSync(file, buf)
  try {
    await open(dir)
    assert.unreachable('opened with a damaged snapshot')
  } catch (err) {
    assert.match(String(err), new RegExp(`snapshot ${file} is damaged`))
  }
  rmSync(dir, { recursive: true })
})

test('restarts without writes do not pile up empty segments', async () => {
  const dir = tmp()
  await writeKeys(dir, 3)
  for (let i = 0; i < 5; i++) await (await open(dir)).close()
  assert.is(segments(dir).length, 2, segments(dir).join(','))
  const s = await open(dir)
  assert.is((await s.range({ prefix: '/k/' })).count, 3)
  await s.close()
  rmSync(dir, { recursive: true })
})

test('a directory in use by a live store is refused', async () => {
  const dir = tmp()
  const s = await open(dir)
  try {
    await open(dir)
    assert.unreachable('second open of the same directory')
  } catch (err) {
    assert.match(String(err), /is in use by process/)
  }
  await s.close()
  const again = await open(dir)
  await again.close()
  rmSync(dir, { recursive: true })
})

test.run()
