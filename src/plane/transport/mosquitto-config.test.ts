import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { pbkdf2Sync } from 'node:crypto'
import {
  mosquittoAcl,
  mosquittoConf,
  passwordLine,
  planeUsers,
  withPassword,
} from './mosquitto-config.ts'

test('the ACL gives the plane every node topic and each node only its own leaves, by direction', () => {
  assert.equal(mosquittoAcl().trim().split('\n'), [
    'user shoal-plane',
    'topic readwrite shoal/v1/nodes/#',
    '',
    '# every other user is a node: %u is its name',
    'pattern read shoal/v1/nodes/%u/desired',
    'pattern read shoal/v1/nodes/%u/mesh',
    'pattern read shoal/v1/nodes/%u/status-ack',
    'pattern read shoal/v1/nodes/%u/req',
    ...['hello', 'applied', 'mesh-applied', 'status', 'heartbeat', 'stats', 'res', 'online'].map(
      (leaf) => `pattern write shoal/v1/nodes/%u/${leaf}`,
    ),
  ])
})

test('several planes: a login each (the username is the client id), the same rights', () => {
  const acl = mosquittoAcl(3).split('\n')
  for (const user of ['shoal-plane', 'shoal-plane-2', 'shoal-plane-3']) {
    const i = acl.indexOf(`user ${user}`)
    assert.ok(i >= 0, user)
    assert.is(acl[i + 1], 'topic readwrite shoal/v1/nodes/#')
  }
  assert.equal(planeUsers(2), ['shoal-plane', 'shoal-plane-2'])
  assert.throws(() => planeUsers(0), /--planes must be a whole number from 1 to 64, not 0/)
})

test("a password line is Mosquitto 2.0's $7$ PBKDF2-SHA512 of the token", () => {
  const line = passwordLine('pi-1', 'shoal_abc')
  const m = /^pi-1:\$7\$101\$([^$]+)\$([^$]+)$/.exec(line)
  assert.ok(m, line)
  const hash = pbkdf2Sync('shoal_abc', Buffer.from(m![1], 'base64'), 101, 64, 'sha512')
  assert.is(hash.toString('base64'), m![2])
})

test("a node's line is replaced by its newest token, other lines kept", () => {
  const text = withPassword(withPassword(withPassword('', 'a', 'x'), 'pi-1', 'old'), 'pi-1', 'new')
  const users = text
    .trim()
    .split('\n')
    .map((l) => l.split(':')[0])
  assert.equal(users, ['a', 'pi-1'])
})

test('the config refuses anonymous logins and sets what Shoal relies on', () => {
  const conf = mosquittoConf({
    listen: { host: '127.0.0.1', port: 8883 },
    aclFile: '/x/acl',
    passwordFile: '/x/passwd',
    user: 'shoal',
    tls: { certFile: '/x/c', keyFile: '/x/k' },
  })
  for (const line of [
    'listener 8883 127.0.0.1',
    'certfile /x/c',
    'allow_anonymous false',
    'use_username_as_clientid true',
    'max_queued_messages 0',
    'set_tcp_nodelay true',
    'persistence false',
  ])
    assert.ok(conf.split('\n').includes(line), line)
})

test.run()
