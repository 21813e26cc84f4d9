import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeFrame, scanFrames } from './format.ts'
import { FrameReader } from './frame-reader.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-frames-'))
const file = join(dir, 'f')

function stream(buf: Buffer, chunk: number) {
  writeFileSync(file, buf)
  const fd = openSync(file, 'r')
  try {
    const seen: { offset: number; payload: Buffer }[] = []
    const r = new FrameReader(chunk).read(
      fd,
      (payload, offset) => (
        seen.push({ offset: offset - 8, payload: Buffer.from(payload) }),
        undefined
      ),
    )
    return { ...r, seen }
  } finally {
    closeSync(fd)
  }
}

// payloads of every size around the chunk size, so frames start, end and span chunk edges
const payload = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i === 0 ? 0x82 : (i * 7 + seed) & 0xff)))
const frames = [1, 5, 60, 61, 64, 100, 200, 3, 130, 64, 1].map((n, i) => encodeFrame(payload(n, i)))
const log = Buffer.concat(frames)

test('streams the same frames as a whole-buffer scan, through chunks smaller and larger than frames', () => {
  const whole = scanFrames(log)
  for (const chunk of [16, 64, 72, 100, 4096]) {
    const r = stream(log, chunk)
    assert.is(r.end, log.length)
    assert.is(r.frames, whole.frames.length)
    assert.equal(
      r.seen.map((f) => f.offset),
      whole.frames.map((f) => f.offset),
      `chunk ${chunk}`,
    )
    assert.ok(r.seen.every((f, i) => f.payload.equals(whole.frames[i].payload)))
  }
})

test('a cut at every byte, a flipped byte and a zero tail are classified exactly as scanFrames does', () => {
  const cases: Buffer[] = []
  for (let cut = 0; cut <= log.length; cut++) cases.push(log.subarray(0, cut))
  for (let at = 0; at < log.length; at += 13) {
    const b = Buffer.from(log)
    b[at] ^= 0x10
    cases.push(b)
  }
  cases.push(Buffer.concat([log, Buffer.alloc(700)]))
  for (const c of cases) {
    const want = scanFrames(c)
    const got = stream(c, 64)
    assert.is(got.end, want.end)
    assert.equal(got.torn, want.torn)
    assert.equal(got.damage, want.damage)
    if (got.torn?.reason === 'zero-filled tail')
      assert.is(got.tail, undefined, 'zeros are checked in place, not read into memory')
    else if (got.torn)
      assert.ok(
        got.tail!.equals(c.subarray(got.torn.offset)),
        'the torn bytes are handed back for keeping aside',
      )
  }
})

test('a payload the caller rejects stops the read there, like a bad CRC', () => {
  const r = stream(log, 64)
  assert.not.ok(r.torn ?? r.damage)
  writeFileSync(file, log)
  const fd = openSync(file, 'r')
  let n = 0
  const res = new FrameReader(64).read(fd, () => (n++ === 3 ? 'not a record' : undefined))
  closeSync(fd)
  assert.is(res.damage?.reason, 'not a record')
  assert.is(res.frames, 3)
})

test.after(() => rmSync(dir, { recursive: true }))
test.run()
