// readBigFile: a file's bytes whole, small (readFile) or big (a WebAssembly.Memory's pages), and
// exactly the file's length when it is not a whole number of pages; a missing file rejects.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readBigFile } from './read-big-file.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-read-big-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

test('small, big and empty files come back byte for byte', async () => {
  for (const size of [0, 5, (1 << 20) - 1, (1 << 20) + 12_345, 3 * 65536]) {
    const bytes = randomBytes(size)
    const path = join(dir, `f${size}`)
    writeFileSync(path, bytes)
    const read = await readBigFile(path)
    assert.is(read.byteLength, size, `length of a ${size}-byte file`)
    assert.ok(Buffer.from(read.buffer, read.byteOffset, read.byteLength).equals(bytes), `${size}`)
  }
})

test('a missing file rejects with ENOENT naming it', async () => {
  const err = (await readBigFile(join(dir, 'none')).then(
    () => undefined,
    (e: unknown) => e,
  )) as NodeJS.ErrnoException
  assert.is(err.code, 'ENOENT')
  assert.match(err.message, /none/)
})

test.run()
