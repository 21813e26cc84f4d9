// The node's image cache on a temp dir, against the fake plane's registry and a fake filesystem
// (free space = its capacity less what the data dir holds): prepared images pulled and verified,
// one damaged on disk or on the way refused and pulled again, one made from another component
// refused, and garbage
// collection under disk pressure — unused images least recently used first, never one a desired
// pod uses — with DiskPressure saying so while the disk stays short.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { stat, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeClock, memoryLogger } from '../core/index.ts'
import { digestOf, FakePlane, fakeComponent, fakePrepared } from './agent-fixture.ts'
import { nodeConditions } from './heartbeat.ts'
import { ImageCache, type ImageState } from './image-cache.ts'
import type { DiskFree } from './image-gc.ts'
import { imagePull } from './image-pull.ts'

const dirs: string[] = []
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

async function du(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined)
  if (!s?.isDirectory()) return s?.size ?? 0
  let n = 0
  for (const f of await readdir(path)) n += await du(join(path, f))
  return n
}

/** three components of 20 000 bytes each, served by a fake plane */
function setup(o: { capacity?: number; maxImageBytes?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-images-'))
  dirs.push(dir)
  const plane = new FakePlane()
  const comps = ['a', 'b', 'c'].map((n) => {
    const c = fakeComponent(`wasi:http/incoming-handler@0.2.10#${n}`)
    const bytes = new Uint8Array(20_000 + c.length)
    bytes.set(c)
    const digest = digestOf(bytes)
    plane.blobs.set(digest, bytes)
    return digest
  })
  const clock = new FakeClock()
  const log = memoryLogger()
  const diskFree: DiskFree = async () => {
    const capacity = o.capacity ?? 1_000_000
    return { freeBytes: capacity - (await du(dir)), totalBytes: capacity }
  }
  const changed: string[] = []
  const pull = imagePull({
    plane: 'https://plane.test:6443',
    token: 'node-token',
    fetch: plane.fetch,
    retryDelayMs: 1,
  })
  const cache = new ImageCache({
    dir: join(dir, 'images'),
    ...pull,
    runtimeCache: join(dir, 'runtime'),
    gc: { minFreeFraction: 0.1, maxImageBytes: o.maxImageBytes, diskFree },
    backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    clock,
    log,
    onChange: (d) => changed.push(d),
  })
  const ready = async (digest: string): Promise<ImageState & { state: 'ready' }> => {
    for (let i = 0; i < 200; i++) {
      const s = await cache.get(digest)
      if (s.state === 'ready') return s
      if (s.state === 'failed' && i > 100) throw new Error(s.message)
      clock.advance(50)
      await new Promise((r) => setTimeout(r, 5))
    }
    throw new Error(`${digest} never became ready`)
  }
  return { dir, plane, comps, clock, log, cache, ready, changed }
}

test('a prepared image is pulled by its digest, verified and kept; its kind read from it', async () => {
  const s = setup()
  const got = await s.ready(s.comps[0])
  const bytes = s.plane.blobs.get(s.comps[0])!
  assert.is(got.prepared, digestOf(fakePrepared(s.comps[0], bytes)))
  assert.is(got.path, join(s.dir, 'images', 'prepared', got.prepared.slice(7)))
  assert.is(got.kind, 'http')
  assert.equal(s.cache.digests(), [s.comps[0]])
  assert.ok(s.plane.requests.includes(`/images/prepared/blobs/${got.prepared}`))
  assert.not.ok(s.plane.requests.includes(`/images/blobs/${s.comps[0]}`), 'no bare component')
})

test('a damaged prepared image on disk is refused, deleted and pulled again', async () => {
  const s = setup()
  const first = await s.ready(s.comps[0])
  const good = readFileSync(first.path)
  const bad = Buffer.from(good)
  bad[bad.length - 1] ^= 0xff
  writeFileSync(first.path, bad)
  // a new process: the file is verified on first use
  const again = new ImageCache({
    dir: join(s.dir, 'images'),
    ...imagePull({
      plane: 'https://plane.test:6443',
      token: 'node-token',
      fetch: s.plane.fetch,
      retryDelayMs: 1,
    }),
    backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    clock: s.clock,
    log: s.log,
    onChange: () => {},
  })
  await again.load()
  assert.is((await again.get(s.comps[0])).state, 'pulling')
  const warn = s.log.lines.find((l) => l.msg.includes('failed verification'))
  assert.match(String(warn?.fields?.error), /hashes to sha256:.*it is damaged/)
  let state: ImageState = { state: 'pulling' }
  for (let i = 0; i < 100 && state.state !== 'ready'; i++) {
    await new Promise((r) => setTimeout(r, 10))
    state = await again.get(s.comps[0])
  }
  assert.is(state.state, 'ready')
  assert.equal(readFileSync(first.path), good)
})

test('a prepared image damaged on the way is refused, saying so, and pulled again', async () => {
  const s = setup()
  let damaged = 0
  const fetch = s.plane.fetch
  s.plane.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, init)
    if (!String(input).includes('/images/prepared/blobs/') || damaged++ > 0) return res
    const bytes = new Uint8Array(await res.arrayBuffer())
    bytes[bytes.length - 1] ^= 0xff
    return new Response(bytes)
  }) as typeof globalThis.fetch
  const cache = new ImageCache({
    dir: join(s.dir, 'images'),
    ...imagePull({
      plane: 'https://plane.test:6443',
      token: 'node-token',
      fetch: s.plane.fetch,
      retryDelayMs: 1,
    }),
    backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    clock: s.clock,
    log: s.log,
    onChange: () => {},
  })
  await cache.get(s.comps[0])
  let state: ImageState = { state: 'pulling' }
  for (let i = 0; i < 100 && state.state === 'pulling'; i++) {
    await new Promise((r) => setTimeout(r, 10))
    state = await cache.get(s.comps[0])
  }
  assert.is(state.state, 'failed')
  assert.match(
    (state as { message: string }).message,
    /pulled \d+ bytes hash to sha256:.*not sha256:/,
  )
  s.clock.advance(100) // the back-off
  for (let i = 0; i < 100 && state.state !== 'ready'; i++) {
    await new Promise((r) => setTimeout(r, 10))
    state = await cache.get(s.comps[0])
  }
  assert.is(state.state, 'ready')
  assert.is(damaged, 2)
})

test('a failed pull is retried when its back-off timer fires, even if the clock reads a millisecond short', async () => {
  const s = setup()
  s.plane.offline = true
  // a clock whose timers fire 1 ms early, as Node's may against Date.now()
  const early = {
    now: () => s.clock.now(),
    setTimeout: (fn: () => void, ms: number) => s.clock.setTimeout(fn, Math.max(0, ms - 1)),
  }
  const changed: string[] = []
  const cache = new ImageCache({
    dir: join(s.dir, 'images'),
    ...imagePull({
      plane: 'https://plane.test:6443',
      token: 'node-token',
      fetch: s.plane.fetch,
      retryDelayMs: 1,
    }),
    backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    clock: early,
    log: s.log,
    onChange: (d) => changed.push(d),
  })
  let state: ImageState = await cache.get(s.comps[0])
  for (let i = 0; i < 100 && state.state === 'pulling'; i++) {
    await new Promise((r) => setTimeout(r, 10))
    state = await cache.get(s.comps[0])
  }
  assert.is(state.state, 'failed')
  s.plane.offline = false
  const woken = changed.length
  s.clock.advance(9) // the back-off is 10 ms; its timer fires at 9
  assert.ok(changed.length > woken, 'the back-off timer woke the pods')
  state = await cache.get(s.comps[0]) // what the woken pods ask: due now, pulled
  assert.is(state.state, 'pulling')
})

test('at start, a prepared file no image names (a pull cut short) is deleted', async () => {
  const s = setup()
  const kept = await s.ready(s.comps[0])
  const stray = join(s.dir, 'images', 'prepared', 'f'.repeat(64))
  writeFileSync(stray, 'half a pull, its link never written')
  const again = new ImageCache({
    dir: join(s.dir, 'images'),
    ...imagePull({
      plane: 'https://plane.test:6443',
      token: 'node-token',
      fetch: s.plane.fetch,
      retryDelayMs: 1,
    }),
    backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    clock: s.clock,
    log: s.log,
    onChange: () => {},
  })
  await again.load()
  assert.not.ok(existsSync(stray))
  assert.ok(existsSync(kept.path))
})

test('a prepared image made from another component is refused with a clear error', async () => {
  const s = setup()
  s.plane.prepare = (_digest, bytes) => fakePrepared(s.comps[1], bytes)
  await s.cache.get(s.comps[0])
  let state: ImageState = { state: 'pulling' }
  for (let i = 0; i < 100 && state.state === 'pulling'; i++) {
    await new Promise((r) => setTimeout(r, 10))
    state = await s.cache.get(s.comps[0])
  }
  assert.is(state.state, 'failed')
  assert.match((state as { message: string }).message, /was made from sha256:.*, not sha256:/)
  assert.equal(readdirSync(join(s.dir, 'images', 'prepared')), [])
})

test('under disk pressure unused images go, least recently used first; desired ones stay', async () => {
  const s = setup()
  const [a, b, c] = s.comps
  for (const d of [a, b, c, a]) {
    await s.ready(d) // last used: b, then c, then a
    s.clock.advance(1000)
  }
  const used = await du(s.dir)
  // a filesystem just short of 10 % free: deleting one image is enough
  const capacity = Math.floor((used - 10_000) / 0.9)
  const cache = new ImageCache({
    dir: join(s.dir, 'images'),
    ...imagePull({
      plane: 'https://plane.test:6443',
      token: 'node-token',
      fetch: s.plane.fetch,
      retryDelayMs: 1,
    }),
    gc: {
      minFreeFraction: 0.1,
      diskFree: async () => ({ freeBytes: capacity - (await du(s.dir)), totalBytes: capacity }),
    },
    backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    clock: s.clock,
    log: s.log,
    onChange: () => {},
  })
  await cache.load() // a new process: when each was last used is read from the disk
  // b is the least recently used, but a desired pod uses it: c goes, a stays
  assert.is(await cache.collect(new Set([b])), undefined)
  assert.equal(cache.digests(), [a, b].sort())
  const gone = s.log.lines.filter((l) => l.msg === 'deleted an unused image under disk pressure')
  assert.equal(
    gone.map((l) => l.fields?.digest),
    [c],
  )
})

test('an image a desired pod uses is never deleted; DiskPressure says the disk stays short', async () => {
  const s = setup({ maxImageBytes: 30_000 })
  for (const d of s.comps) await s.ready(d)
  const problem = await s.cache.collect(new Set(s.comps.slice(0, 2)))
  assert.equal(s.cache.digests(), s.comps.slice(0, 2).sort()) // c went; a and b are desired
  assert.match(problem!, /^images take \d+ KiB, over the budget of 30 KiB$/)
  assert.ok(existsSync(join(s.dir, 'images', 'sha256', `${s.comps[0].slice(7)}.json`)))
  const conditions = await nodeConditions(s.dir, {}, problem)
  const disk = conditions.find((c) => c.type === 'DiskPressure')!
  assert.equal([disk.status, disk.reason], ['True', 'AgentHasDiskPressure'])
  assert.match(disk.message!, /with every image left in use by a desired pod/)
  // without pressure nothing goes
  const calm = setup()
  for (const d of calm.comps) await calm.ready(d)
  assert.is(await calm.cache.collect(new Set()), undefined)
  assert.is(calm.cache.digests().length, 3)
})

test.run()
