import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PassThrough, Writable } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import { limitPackets } from './packet-limit.ts'

/** the bytes aedes would read, and the error that ended the stream, if any */
async function through(chunks: number[][], max: number) {
  const socket = new PassThrough()
  const conn = limitPackets(socket as unknown as TLSSocket, max)
  const out: number[] = []
  conn.on('data', (d: Buffer) => out.push(...d))
  const ended = new Promise<Error | undefined>((resolve) => {
    conn.on('error', resolve)
    conn.on('end', () => resolve(undefined))
  })
  for (const c of chunks) socket.write(Buffer.from(c))
  socket.end()
  return { out, err: await ended }
}

test('packets within the limit pass unchanged, headers split across chunks included', async () => {
  const pingreq = [0xc0, 0x00]
  const publish = [0x30, 0x82, 0x01, ...new Array(130).fill(7)] // remaining length 130
  const bytes = [...pingreq, ...publish, ...pingreq]
  const r = await through([bytes.slice(0, 3), bytes.slice(3, 4), bytes.slice(4)], 200)
  assert.is(r.err, undefined)
  assert.equal(r.out, bytes)
})

test('a header announcing more than the limit ends the stream', async () => {
  const r = await through(
    [
      [0xc0, 0x00],
      [0x30, 0x80],
      [0x80, 0x01],
    ],
    1000,
  ) // 16,384 bytes
  assert.match(r.err?.message ?? '', /16384 bytes is over the limit/)
})

test('what aedes writes goes to the writable given; its error ends the connection', async () => {
  const socket = new PassThrough()
  const written: number[] = []
  const writable = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(...chunk)
      done(written.length > 3 ? new Error('transport: cut') : null)
    },
  })
  const conn = limitPackets(socket as unknown as TLSSocket, 100, writable)
  const ended = new Promise<Error>((resolve) => conn.on('error', resolve))
  conn.write(Buffer.from([0xd0, 0x00]))
  conn.write(Buffer.from([0xd0, 0x00]))
  assert.match((await ended).message, /transport: cut/)
  assert.equal(written, [0xd0, 0x00, 0xd0, 0x00])
  assert.ok(socket.destroyed, 'the socket ends with it')
})

test.run()
