// A bound on what the broker holds for a node that does not read: aedes waits for a full
// socket to drain before it finishes a delivery, and while it waits its deliveries to every
// other node queue behind (research/mqtt.md: one frozen subscriber, nothing delivered to the
// others for 9.3 of 10 s). Here a write never waits: the bytes go to the socket's own buffer
// and the write is done at once, so aedes never sees back-pressure; a connection whose unsent
// bytes pass `max` is cut instead (its node reconnects, says hello and is sent its state again).
// A slow link that keeps draining is never cut for being slow, only for falling `max` behind.
// The writes made in one tick go out together: aedes (mqtt-packet) writes a packet
// as 4–6 small pieces, and each piece written to a TLS socket on its own is a TLS record and a
// syscall of its own (the first at once, the rest after it); corked until the tick ends, a
// packet — and the packets of that tick — are one record and one write.
import { Writable } from 'node:stream'
import type { TLSSocket } from 'node:tls'

/** the writable side of a node's connection: never back-pressured, cut past `max` unsent bytes */
export function limitUnsent(socket: TLSSocket, max: number): Writable {
  let corked = false
  const uncork = () => {
    corked = false
    socket.uncork()
  }
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (socket.destroyed) return done()
      if (!corked) {
        corked = true
        socket.cork()
        process.nextTick(uncork)
      }
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
