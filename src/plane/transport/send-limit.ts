// A bound on what the broker holds for a node that does not read: aedes waits for a full
// socket to drain before it finishes a delivery, and while it waits its deliveries to every
// other node queue behind (research/mqtt.md: one frozen subscriber, nothing delivered to the
// others for 9.3 of 10 s). Here a write never waits: the bytes go to the socket's own buffer
// and the write is done at once, so aedes never sees back-pressure; a connection whose unsent
// bytes pass `max` is cut instead (its node reconnects, says hello and is sent its state again).
// A slow link that keeps draining is never cut for being slow, only for falling `max` behind.
import { Writable } from 'node:stream'
import type { TLSSocket } from 'node:tls'

/** the writable side of a node's connection: never back-pressured, cut past `max` unsent bytes */
export function limitUnsent(socket: TLSSocket, max: number): Writable {
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (socket.destroyed) return done()
      socket.write(chunk)
      if (socket.writableLength <= max) return done()
      const unsent = socket.writableLength
      done()
      socket.destroy(new Error(`transport: the node is not reading (${unsent} bytes unsent)`))
    },
    final(done) {
      socket.end(done)
    },
    destroy(err, done) {
      socket.destroy()
      done(err)
    },
  })
  // the duplex aedes reads ends with its socket, and with its error
  socket.on('error', (err) => w.destroy(err))
  socket.once('close', () => w.destroy())
  return w
}
