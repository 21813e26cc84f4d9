// ObjectStore.list reads the store in pages that double in size (a fixed page size made a long
// list quadratic: each range counts every key after it): every object exactly once, in key
// order, with and without a limit or a filter.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resourceByKind, type KubeObject } from '../../api/index.ts'
import { memoryLogger, systemClock } from '../../core/index.ts'
import { openLogStore, type LogStore } from '../store/index.ts'
import { ObjectStore } from './object-store.ts'

const PODS = resourceByKind('Pod')!
const COUNT = 2000 // past 256 + 512 + 1024: four pages
const dir = mkdtempSync(join(tmpdir(), 'shoal-object-list-'))
let store: LogStore
let objects: ObjectStore
const names = Array.from({ length: COUNT }, (_, i) => `p-${String(i).padStart(4, '0')}`)

test.before(async () => {
  store = await openLogStore({ dir: join(dir, 'store'), logger: memoryLogger() })
  objects = new ObjectStore(store, { clock: systemClock })
  for (const name of names) {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' } }
    await objects.create(PODS, { ...pod, spec: { containers: [] } } as unknown as KubeObject)
  }
})

test.after(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const namesOf = (items: KubeObject[]) => items.map((o) => o.metadata.name!)

test('a list without a limit has every object once, in key order', async () => {
  const { items, next } = await objects.list(PODS, { namespace: 'default' })
  assert.equal(namesOf(items), names)
  assert.is(next, undefined)
})

test('pages of a limit, with a filter, continue where the last ended', async () => {
  const every7 = (o: KubeObject) => Number(o.metadata.name!.slice(2)) % 7 === 0
  const seen: string[] = []
  let from: string | undefined
  let revision: number | undefined
  for (let page = 0; page < 100; page++) {
    const r = await objects.list(PODS, { limit: 30, filter: every7, from, revision })
    assert.ok(r.items.length <= 30)
    seen.push(...namesOf(r.items))
    revision = r.revision
    if (!r.next) break
    from = r.next
  }
  assert.equal(
    seen,
    names.filter((_, i) => i % 7 === 0),
  )
})

test.run()
