// A stock informer (@kubernetes/client-node's makeInformer) against a plane with TLS and its
// admin kubeconfig: when the resourceVersion it resumes from has been compacted, the plane answers
// 410 Expired and the informer lists again (as client-go's reflector does), seeing what changed
// while it was away, instead of re-watching the same revision forever. The plane runs in this
// process: compaction is reached only through its store.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { request, type RequestOptions } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { freePort } from './plane-process.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-informer-'))

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** the plane's request counter for watches of configmaps answered with `code` */
async function watchRequests(kc: KubeConfig, plane: Plane, code: number): Promise<number> {
  const opts: RequestOptions = {}
  await kc.applyToHTTPSOptions(opts)
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(`${plane.url}/metrics`, opts, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
  const m = new RegExp(
    `shoal_apiserver_requests_total\\{verb="watch",resource="configmaps",code="${code}"\\} (\\d+)`,
  ).exec(text)
  return Number(m?.[1] ?? 0)
}

test('an informer whose resourceVersion was compacted gets 410 Expired and relists', async () => {
  const plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: `127.0.0.1:${await freePort()}`,
    mqttListen: '127.0.0.1:0',
    logger: memoryLogger(),
  })
  const kc = new KubeConfig()
  kc.loadFromFile(plane.adminKubeconfig!)
  const core = kc.makeApiClient(CoreV1Api)
  const cm = (name: string, namespace = 'default') =>
    core.createNamespacedConfigMap({ namespace, body: { metadata: { name } } })
  let lists = 0
  const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () => {
    lists++
    return core.listNamespacedConfigMap({ namespace: 'default' })
  })
  const seen = new Set<string>()
  informer.on('add', (o) => seen.add(o.metadata!.name!))
  const errors: unknown[] = []
  informer.on('error', (err) => errors.push(err))
  try {
    await informer.start()
    await cm('one')
    await until('the informer to see "one"', () => seen.has('one'))
    assert.is(lists, 1)

    // the informer is away (its connection dropped); meanwhile objects change and history is compacted
    await informer.stop()
    await cm('while-away')
    await cm('elsewhere', 'kube-system')
    const store = plane.objects.store
    await store.compact(store.revision)
    errors.length = 0 // stop() reports its aborted watch

    await informer.start() // watches from its last resourceVersion, now compacted
    await until('the informer to relist and see "while-away"', () => seen.has('while-away'))
    assert.is(lists, 2, 'listed again')
    assert.equal(
      informer
        .list()
        .map((o) => o.metadata!.name)
        .sort(),
      ['one', 'while-away'],
    )
    await cm('after')
    await until('the informer to see "after" through its new watch', () => seen.has('after'))
    assert.is(lists, 2, 'watching again, not listing')
    assert.equal(errors, [])
    assert.is(await watchRequests(kc, plane, 410), 1, 'one watch answered 410 Expired')
    assert.is(
      await watchRequests(kc, plane, 200),
      2,
      'two watches streamed: before and after the relist, no loop',
    )
  } finally {
    await informer.stop()
    await plane.close()
  }
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
