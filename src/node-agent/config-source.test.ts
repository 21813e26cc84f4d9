import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../core/index.ts'
import { credentials, FakePlane, pod } from './agent-fixture.ts'
import { ConfigSource } from './config-source.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-config-source-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const withSecret = (name: string, secret: string) =>
  pod(name, {}, { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: secret, key: 'k' } } }] })

test('prune deletes the cached objects no pod names, also after a run of unchanged sets', async () => {
  const plane = new FakePlane()
  plane.secrets.set('default/db', { k: 'v1' })
  plane.secrets.set('default/api', { k: 'v2' })
  const root = join(dir, 'a')
  // a file left by a previous process, named by no pod
  mkdirSync(join(root, 'secrets', 'default'), { recursive: true })
  writeFileSync(join(root, 'secrets', 'default', 'old.json'), '{}')
  const config = new ConfigSource({
    ...{ dir: root, plane: credentials.plane, token: credentials.token },
    ...{ fetch: plane.fetch, online: () => true, log: memoryLogger() },
  })
  const file = (name: string) => join(root, 'secrets', 'default', `${name}.json`)
  const pods = [withSecret('a', 'db'), pod('b')]
  await config.prune(pods)
  assert.not.ok(existsSync(file('old')), 'left by a previous process: gone at the first prune')
  assert.equal(await config.get('Secret', 'default', 'db'), { k: 'v1' })
  await config.prune(pods)
  assert.ok(existsSync(file('db')), 'named by a pod: kept')
  // a pod named api is gone before its fetch ends: the set is the same as at the last prune,
  // but a file was written since, so the next prune still looks
  assert.equal(await config.get('Secret', 'default', 'api'), { k: 'v2' })
  await config.prune(pods)
  assert.not.ok(existsSync(file('api')), 'written after the last prune, named by no pod: gone')
  await config.prune([pod('b')])
  assert.not.ok(existsSync(file('db')), 'no pod names it any more: gone')
})

test.run()
