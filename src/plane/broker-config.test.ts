import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readBrokerLogin, writeBrokerConfig } from './broker-config.ts'

const main = fileURLToPath(new URL('../main.ts', import.meta.url))

test('broker-config for several planes: a login each in passwd and the ACL, one password in broker.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-broker-config-'))
  try {
    const out = join(dir, 'mq')
    writeBrokerConfig({
      dataDir: join(dir, 'plane'),
      out,
      listen: { host: '127.0.0.1', port: 1883 },
      tls: false,
      planes: 3,
    })
    const users = readFileSync(join(out, 'passwd'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(':')[0])
    assert.equal(users, ['shoal-plane', 'shoal-plane-2', 'shoal-plane-3'])
    const acl = readFileSync(join(out, 'acl'), 'utf8')
    for (const u of users) assert.match(acl, `user ${u}\ntopic readwrite shoal/v1/nodes/#\n`)
    assert.is(readBrokerLogin(join(dir, 'plane'))?.username, 'shoal-plane')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('shoal broker-config --planes refuses what is not a count of planes, naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-broker-config-'))
  try {
    for (const bad of ['0', 'two', '1.5']) {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', main, 'broker-config', '--data-dir', dir, '--planes', bad],
        { encoding: 'utf8' },
      )
      assert.is.not(r.status, 0)
      assert.match(r.stderr, `--planes must be a whole number from 1 to 64, not "${bad}"`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
