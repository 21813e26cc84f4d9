import { Writable } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { limitUnsent } from './send-limit.ts'

/** a socket that records each write it is handed: several chunks at once come in one writev */
function recordingSocket() {
  const writes: string[][] = []
  const socket = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push([chunk.toString()])
      done()
    },
    writev(chunks, done) {
      writes.push(chunks.map((c) => (c.chunk as Buffer).toString()))
      done()
    },
  })
  return { socket: socket as unknown as TLSSocket, writes }
}

const tick = () => new Promise((r) => setImmediate(r))

test('the pieces written in one tick reach the socket as one write (one TLS record), in order', async () => {
  const { socket, writes } = recordingSocket()
  const w = limitUnsent(socket, 1 << 20)
  for (const piece of ['0x30', 'len', 'topic', 'id', 'payload']) w.write(Buffer.from(piece))
  await tick()
  assert.equal(writes, [['0x30', 'len', 'topic', 'id', 'payload']])
  w.write(Buffer.from('next'))
  await tick()
  assert.equal(writes.at(-1), ['next'], 'a later tick is a write of its own')
  assert.is(writes.length, 2)
})

test('a connection that falls more than max bytes behind is still cut', async () => {
  const socket = new Writable({ highWaterMark: 1, write: () => undefined }) // never drains
  const w = limitUnsent(socket as unknown as TLSSocket, 8)
  const errors: Error[] = []
  socket.on('error', (e) => errors.push(e))
  w.on('error', () => undefined) // aedes' duplex ends with it
  w.write(Buffer.from('12345'))
  w.write(Buffer.from('67890'))
  await tick()
  assert.ok(socket.destroyed)
  assert.match(String(errors[0]?.message), /not reading \(10 bytes unsent\)/)
})

test.run()
