// A bound on MQTT packet sizes, before aedes sees the bytes: aedes (and its parser) buffers a
// whole packet of any announced length — up to 256 MiB, before any authentication — so a
// connection is cut as soon as a fixed header announces more than the limit. The stream reads
// only the frames' fixed headers (type byte, remaining length as 1–4 varint bytes) and passes
// every byte on unchanged.
import { Duplex, Transform, type TransformCallback, type Writable } from 'node:stream'
import type { TLSSocket } from 'node:tls'

class PacketLimit extends Transform {
  readonly #max: number
  /** bytes of the current packet's body still to pass */
  #body = 0
  /** inside a fixed header: the length so far, its varint bytes seen (-1: type byte next) */
  #length = 0
  #lengthBytes = -1

  constructor(max: number) {
    super()
    this.#max = max
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (let i = 0; i < chunk.length;) {
      if (this.#body > 0) {
        const n = Math.min(this.#body, chunk.length - i)
        this.#body -= n
        i += n
        continue
      }
      const byte = chunk[i++]!
      if (this.#lengthBytes < 0) {
        this.#lengthBytes = 0
        this.#length = 0
        continue
      }
      this.#length += (byte & 0x7f) * 128 ** this.#lengthBytes++
      if (byte & 0x80 && this.#lengthBytes < 4) continue
      if (this.#length > this.#max)
        return done(
          new Error(`transport: an MQTT packet of ${this.#length} bytes is over the limit`),
        )
      this.#body = this.#length
      this.#lengthBytes = -1
    }
    done(null, chunk)
  }
}

/** the socket as aedes should read it: packets over `max` bytes end the connection; what
 * aedes writes goes to `writable` (the socket itself unless given) */
export function limitPackets(socket: TLSSocket, max: number, writable: Writable = socket): Duplex {
  const limited = new PacketLimit(max)
  socket.pipe(limited)
  const conn = Duplex.from({ readable: limited, writable })
  limited.on('error', (err) => conn.destroy(err))
  conn.on('close', () => socket.destroy())
  return conn
}
