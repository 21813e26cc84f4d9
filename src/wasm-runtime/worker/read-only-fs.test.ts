import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { filesystem } from '@bytecodealliance/preview2-shim'
import { readOnlyPreopens } from './read-only-fs.ts'

type Any = any
const dir = mkdtempSync(join(tmpdir(), 'shoal-ro-'))
writeFileSync(join(dir, 'a.txt'), 'hello')
const fs = (filesystem as Any).createFilesystem({ preopens: { '/ro': dir, '/rw': dir } })
const dirs = readOnlyPreopens(fs.preopens, ['/ro']).getDirectories()
const ro = dirs.find(([, p]) => p === '/ro')![0] as Any
const rw = dirs.find(([, p]) => p === '/rw')![0] as Any

function code(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return 'no error'
}

test('reading through a read-only preopen works', () => {
  const file = ro.openAt({ symlinkFollow: false }, 'a.txt', {}, { read: true })
  const [bytes] = file.read(100n, 0n)
  assert.is(new TextDecoder().decode(bytes), 'hello')
})

test('creating, truncating, writing, deleting and renaming are refused with read-only', () => {
  assert.is(
    code(() => ro.openAt({}, 'new.txt', { create: true }, { write: true })),
    'read-only',
  )
  assert.is(
    code(() => ro.openAt({}, 'a.txt', { truncate: true }, { read: true })),
    'read-only',
  )
  assert.is(
    code(() => ro.openAt({}, 'a.txt', {}, { write: true })),
    'read-only',
  )
  assert.is(
    code(() => ro.unlinkFileAt('a.txt')),
    'read-only',
  )
  assert.is(
    code(() => ro.renameAt('a.txt', ro, 'b.txt')),
    'read-only',
  )
  assert.is(
    code(() => ro.createDirectoryAt('sub')),
    'read-only',
  )
  const file = ro.openAt({}, 'a.txt', {}, { read: true })
  assert.is(
    code(() => file.write(new Uint8Array([1]), 0n)),
    'read-only',
  )
  assert.is(
    code(() => file.writeViaStream(0n)),
    'read-only',
  )
  assert.is(readFileSync(join(dir, 'a.txt'), 'utf8'), 'hello')
  assert.not.ok(existsSync(join(dir, 'new.txt')))
})

test('the other preopen of the same instance stays writable', () => {
  const file = rw.openAt({}, 'new.txt', { create: true }, { write: true })
  file.write(new TextEncoder().encode('written'), 0n)
  assert.is(readFileSync(join(dir, 'new.txt'), 'utf8'), 'written')
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
