// A plane on etcd: `createPlane({ store: 'etcd://…/prefix' })` keeps its objects there (a second
// plane, with another data dir, on the same etcd prefix sees them); `shoal plane --store` names a
// bad URL.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { createLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { openEtcdStore } from '../../src/plane/store/index.ts'
import { skipFileWithout } from '../peers.ts'
import { etcdPresent, ETCD_BIN, startEtcd, type TestEtcd } from './etcd-server.ts'

skipFileWithout(import.meta.url, 'etcd', etcdPresent, `apt-get install etcd-server (${ETCD_BIN})`)

const logger = createLogger('test', { level: 'error' })
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'shoal-etcd-plane-'))
let etcd: TestEtcd | undefined
let plane: Plane | undefined

const start = (dir: string) =>
  createPlane({
    dataDir: join(tmp, dir),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    store: `${etcd!.url}/shoal`,
    logger,
  })

test.before(async () => {
  etcd = await startEtcd()
})

test('objects a plane writes live in etcd under the prefix; another plane there reads them', async () => {
  plane = await start('a')
  const res = await fetch(`${plane.url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'on-etcd' },
      data: { where: 'etcd' },
    }),
  })
  assert.is(res.status, 201, await res.clone().text())
  await plane.close()
  plane = undefined
  const raw = await openEtcdStore({ url: `${etcd!.url}/shoal`, logger })
  try {
    const keys = (await raw.range({ prefix: '' }, { keysOnly: true })).kvs.map((k) => k.key)
    assert.ok(
      keys.some((k) => k.includes('on-etcd')),
      keys.join(' '),
    )
  } finally {
    await raw.close()
  }
  plane = await start('b')
  const got = (await (
    await fetch(`${plane.url}/api/v1/namespaces/default/configmaps/on-etcd`)
  ).json()) as { data: { where: string } }
  assert.is(got.data.where, 'etcd')
})

test('shoal plane --store with a URL that is not etcd, or TLS files without etcds://', async () => {
  const run = promisify(execFile)
  for (const [args, re] of [
    [['--store', 'http://127.0.0.1:2379'], /--store http:\/\/127\.0\.0\.1:2379 is not a store URL/],
    [['--etcd-ca', '/x/ca.pem'], /need --store etcds:/],
    [
      ['--store', 'etcd://127.0.0.1:2379', '--etcd-ca', '/x/ca.pem'],
      /TLS files given .* use etcds:\/\//,
    ],
  ] as const) {
    try {
      await run(
        process.execPath,
        [
          '--import',
          'tsx',
          main,
          'plane',
          '--data-dir',
          join(tmp, 'c'),
          '--listen',
          '127.0.0.1:0',
          '--insecure-http',
          ...args,
        ],
        { timeout: 60_000 },
      )
      assert.unreachable(`plane started with ${args.join(' ')}`)
    } catch (err) {
      assert.match(String((err as { stderr?: string }).stderr), re)
    }
  }
})

test.after(async () => {
  await plane?.close()
  await etcd?.stop()
  rmSync(tmp, { recursive: true, force: true })
})
test.run()
