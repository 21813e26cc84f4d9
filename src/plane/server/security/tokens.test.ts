import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError } from '../../../core/index.ts'
import { createTokenStore } from './tokens.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'shoal-tokens-'))

test('an issued token authenticates as its user; only its hash is on disk (0600)', () => {
  const dir = tmp()
  const store = createTokenStore(dir)
  const token = store.issue({ user: 'alice', role: 'admin' })
  assert.match(token, /^shoal_[A-Za-z0-9_-]{43}$/)
  assert.equal(store.authenticate(`Bearer ${token}`), {
    name: 'alice',
    groups: ['system:masters', 'system:authenticated'],
    role: 'admin',
  })
  assert.equal(store.authenticate(`bearer ${token}`)?.name, 'alice')
  const file = join(dir, 'tokens.json')
  assert.is(statSync(file).mode & 0o777, 0o600)
  const text = readFileSync(file, 'utf8')
  assert.not.ok(text.includes(token))
  assert.not.ok(text.includes(token.slice(6)))
  rmSync(dir, { recursive: true })
})

test('wrong tokens, other schemes and missing headers do not authenticate', () => {
  const dir = tmp()
  const store = createTokenStore(dir)
  const token = store.issue({ user: 'alice', role: 'viewer' })
  for (const header of [
    undefined,
    null,
    '',
    token,
    `Basic ${token}`,
    `Bearer ${token}x`,
    `Bearer ${token.slice(0, -1)}`,
    'Bearer ',
    `Bearer ${token} extra`,
  ]) {
    assert.is(store.authenticate(header), undefined, String(header))
  }
  rmSync(dir, { recursive: true })
})

test('a node token is bound to its node: user system:node:<name>, group system:nodes', () => {
  const dir = tmp()
  const store = createTokenStore(dir)
  const want = {
    name: 'system:node:pi-1',
    groups: ['system:nodes', 'system:authenticated'],
    role: 'node',
    node: 'pi-1',
  }
  for (const req of [
    { node: 'pi-1' },
    { node: 'pi-1', user: 'system:node:pi-1' },
    { user: 'system:node:pi-1' },
  ]) {
    const token = store.issue({ role: 'node', ...req })
    assert.equal(store.authenticate(`Bearer ${token}`), want, JSON.stringify(req))
  }
  rmSync(dir, { recursive: true })
})

test('a join token is user system:bootstrap:<id> in system:bootstrappers, naming no user or node', () => {
  const dir = tmp()
  const store = createTokenStore(dir)
  const token = store.issue({ role: 'join' })
  const user = store.authenticate(`Bearer ${token}`)
  const id = store.list()[0]!.id
  assert.equal(user, {
    name: `system:bootstrap:${id}`,
    groups: ['system:bootstrappers', 'system:authenticated'],
    role: 'join',
  })
  for (const req of [{ user: 'bob' }, { node: 'pi-1' }]) {
    assert.throws(
      () => store.issue({ role: 'join', ...req }),
      (e: unknown) => isShoalError(e, 'Invalid'),
    )
  }
  assert.is(store.revoke(`system:bootstrap:${id}`), 1)
  assert.is(store.authenticate(`Bearer ${token}`), undefined)
  rmSync(dir, { recursive: true })
})

test('a node token with another user name is refused, not issued under system:node:<name>', () => {
  const store = createTokenStore(tmp())
  for (const user of ['ignored', 'system:node:pi-2', 'pi-1']) {
    const err = (() => {
      try {
        store.issue({ role: 'node', node: 'pi-1', user })
      } catch (e) {
        return e as Error
      }
    })()
    assert.ok(isShoalError(err, 'Invalid'), user)
    assert.match(
      err!.message,
      `tokens: a node token's user is always system:node:pi-1, not "${user}"`,
    )
  }
  assert.equal(store.list(), [])
})

test('invalid requests are refused with InvalidError', () => {
  const store = createTokenStore(tmp())
  for (const req of [
    { role: 'node' },
    { role: 'node', node: 'Bad_Name' },
    { role: 'admin' },
    { user: 'system:x', role: 'viewer' },
    { user: 'bob', role: 'root' },
  ]) {
    assert.throws(
      () => store.issue(req as never),
      (err: unknown) => isShoalError(err, 'Invalid'),
      JSON.stringify(req),
    )
  }
})

test('tokens survive a restart; revoke removes all tokens of a user', () => {
  const dir = tmp()
  const first = createTokenStore(dir)
  const a1 = first.issue({ user: 'alice', role: 'admin' })
  const a2 = first.issue({ user: 'alice', role: 'viewer' })
  const b = first.issue({ user: 'bob', role: 'viewer' })
  const second = createTokenStore(dir)
  assert.is(second.authenticate(`Bearer ${a2}`)?.role, 'viewer')
  assert.is(second.revoke('alice'), 2)
  assert.is(second.revoke('nobody'), 0)
  assert.is(second.authenticate(`Bearer ${a1}`), undefined)
  assert.is(second.authenticate(`Bearer ${b}`)?.name, 'bob')
  assert.equal(
    second.list().map((t) => t.user),
    ['bob'],
  )
  assert.not.ok('sha256' in second.list()[0]!)
  assert.is(createTokenStore(dir).authenticate(`Bearer ${a1}`), undefined)
  rmSync(dir, { recursive: true })
})

test('a token issued by another process works at once; a revoked one stops within a second', () => {
  const dir = tmp()
  let now = Date.parse('2026-11-29T00:00:00Z')
  const plane = createTokenStore(dir, { now: () => new Date(now) })
  plane.issue({ user: 'alice', role: 'admin' })
  const cli = createTokenStore(dir)
  const token = cli.issue({ role: 'node', node: 'pi-9' })
  assert.is(plane.authenticate(`Bearer ${token}`)?.node, 'pi-9')
  cli.revoke('system:node:pi-9')
  // the plane looks at the file once a second while the tokens it is shown are known ones
  now += 999
  assert.is(
    plane.authenticate(`Bearer ${token}`)?.node,
    'pi-9',
    'still accepted 999 ms after the last look',
  )
  now += 1
  assert.is(plane.authenticate(`Bearer ${token}`), undefined)
  rmSync(dir, { recursive: true })
})

test('a token revoked through the store the plane authenticates with stops at once', () => {
  const dir = tmp()
  const plane = createTokenStore(dir)
  const token = plane.issue({ user: 'bob', role: 'viewer' })
  assert.is(plane.authenticate(`Bearer ${token}`)?.name, 'bob')
  plane.revoke('bob')
  assert.is(plane.authenticate(`Bearer ${token}`), undefined)
  rmSync(dir, { recursive: true })
})

test('a damaged token file is reported at start, not treated as empty', () => {
  const dir = tmp()
  writeFileSync(join(dir, 'tokens.json'), '{"tokens": [{"user": 1}]}')
  assert.throws(
    () => createTokenStore(dir),
    (err: unknown) => isShoalError(err, 'Corrupt'),
  )
  writeFileSync(join(dir, 'tokens.json'), '{"tok')
  assert.throws(() => createTokenStore(dir), /tokens\.json is not valid JSON/)
  rmSync(dir, { recursive: true })
})

test('a revoke keeps the revoked hashes in tokens.json ("revoked"); a bad list is reported', () => {
  const dir = tmp()
  const store = createTokenStore(dir)
  store.issue({ user: 'keep', role: 'viewer' })
  const token = store.issue({ user: 'bob', role: 'viewer' })
  const file = join(dir, 'tokens.json')
  assert.not.ok('revoked' in JSON.parse(readFileSync(file, 'utf8')), 'none until a revoke')
  assert.is(store.revoke('bob'), 1)
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  assert.equal(doc.revoked, [createHash('sha256').update(token).digest('hex')])
  assert.equal(
    doc.tokens.map((t: { user: string }) => t.user),
    ['keep'],
  )
  store.issue({ user: 'later', role: 'viewer' }) // kept by the next save
  assert.is(JSON.parse(readFileSync(file, 'utf8')).revoked.length, 1)
  writeFileSync(file, JSON.stringify({ version: 1, tokens: [], revoked: ['nope'] }))
  assert.throws(() => createTokenStore(dir), /"revoked" must list SHA-256 hashes/)
  rmSync(dir, { recursive: true })
})

test.run()
