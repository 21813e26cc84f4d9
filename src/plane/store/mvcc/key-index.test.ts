import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KeyIndex } from './key-index.ts'

// A model of etcd's compaction: a key keeps every version newer than the compact revision and
// the newest version at or below it, unless that one is a tombstone.
type V = { rev: number; live: boolean }
function modelCompact(model: Map<string, V[]>, at: number): void {
  for (const [key, vs] of model) {
    let keep = 0
    while (keep + 1 < vs.length && vs[keep + 1].rev <= at) keep++
    if (vs[keep].rev <= at && !vs[keep].live) keep++
    vs.splice(0, keep)
    if (!vs.length) model.delete(key)
  }
}

test('compaction drops exactly the versions etcd drops (creations, updates, deletes, recreations, at random revisions)', () => {
  let seed = 11
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n)
  for (let round = 0; round < 20; round++) {
    const index = new KeyIndex()
    const model = new Map<string, V[]>()
    let rev = 0
    let compacted = 0
    const value = new Uint8Array([1])
    for (let i = 0; i < 600; i++) {
      const key = rnd(3) === 0 ? `/new/${round}/${i}` : `/k/${rnd(25)}`
      const live = index.latest(key) !== undefined
      if (live && rnd(4) === 0) {
        index.delete(key, ++rev)
        model.get(key)!.push({ rev, live: false })
      } else {
        index.put(key, ++rev, value, 0)
        if (!model.has(key)) model.set(key, [])
        model.get(key)!.push({ rev, live: true })
      }
      if (rnd(25) === 0 && rev > compacted) {
        compacted = compacted + 1 + rnd(rev - compacted)
        index.compact(compacted)
        modelCompact(model, compacted)
        const want = [...model.values()].reduce((n, vs) => n + vs.length, 0)
        assert.is(
          index.valueStats().versions,
          want,
          `round ${round}: versions retained after compacting to ${compacted}`,
        )
        for (const [key, vs] of model) {
          for (const v of vs)
            if (v.rev >= compacted) assert.is(index.at(key, v.rev)?.rev, v.rev, `${key}@${v.rev}`)
        }
      }
    }
  }
})

test('putPlaced (replay) gives the versions put gives and reports the lease it replaces', () => {
  const a = new KeyIndex()
  const b = new KeyIndex()
  const src = { name: 'f', read: () => new Uint8Array(0) }
  a.put('/x', 1, new Uint8Array(3), 5)
  assert.is(b.putPlaced('/x', 1, src, 0, 3, 5), 0, 'a new key replaces nothing')
  a.put('/x', 2, new Uint8Array(3), 0)
  assert.is(b.putPlaced('/x', 2, src, 10, 3, 0), 5, 'replaces the version holding lease 5')
  a.delete('/x', 3)
  b.delete('/x', 3)
  a.put('/x', 4, new Uint8Array(3), 0)
  assert.is(b.putPlaced('/x', 4, src, 20, 3, 0), 0, 'nothing live after a delete')
  for (const rev of [1, 2, 3, 4]) {
    const [x, y] = [a.at('/x', rev)!, b.at('/x', rev)!]
    assert.equal(
      [y.rev, y.create, y.version, y.lease],
      [x.rev, x.create, x.version, x.lease],
      `@${rev}`,
    )
  }
  assert.equal(
    b.eventsFrom(1).list.map((r) => r.rev),
    [1, 2, 3, 4],
  )
})

test.run()
