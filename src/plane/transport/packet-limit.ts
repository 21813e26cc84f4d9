// A bound on MQTT packet sizes, before aedes sees the bytes: aedes (and its parser) buffers a
// whole packet of any announced length — up to 256 MiB, before any authentication — so a
// connection is cut as soon as a fixed header announces more than the limit. The stream reads
// only the frames' fixed headers (type byte, remaining length as 1–4 varint bytes) and passes
// every byte on unchanged.
import { Duplex, type Writable } from 'node:stream'
import type { TLSSocket } from 'node:tls'

/** the fixed headers in a byte stream: the size each packet announces */
class PacketSizes {
  readonly #max: number
  /** bytes of the current packet's body still to pass */
  #body = 0
  /** inside a fixed header: the length so far, its varint bytes seen (-1: type byte next) */
  #length = 0
  #lengthBytes = -1

  constructor(max: number) {
    this.#max = max
  }

  /** the error that should end the connection, if `chunk` announces a packet over the limit */
  check(chunk: Buffer): Error | undefined {
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
        return new Error(`transport: an MQTT packet of ${this.#length} bytes is over the limit`)
      this.#body = this.#length
      this.#lengthBytes = -1
    }
    return undefined
  }
}

/** One stream object a connection, the socket's reads checked on their way in and its writes
 *  passed on: the broker holds a thousand of these (a Transform piped into Duplex.from made
 *  three stream objects and their listeners, ≈ 6 KB of heap a node). */
class LimitedConn extends Duplex {
  readonly #socket: TLSSocket
  readonly #writable: Writable

  constructor(socket: TLSSocket, max: number, writable: Writable) {
    super()
    this.#socket = socket
    this.#writable = writable
    const sizes = new PacketSizes(max)
    socket.on('data', (chunk: Buffer) => {
      const err = sizes.check(chunk)
      if (err) this.destroy(err)
      else if (!this.push(chunk)) socket.pause()
    })
    socket.once('end', () => this.push(null))
    socket.on('error', (err) => this.destroy(err))
    socket.once('close', () => this.destroy())
    if (writable !== socket) {
      writable.on('error', (err) => this.destroy(err))
      writable.once('close', () => this.destroy())
    }
  }

  override _read(): void {
    this.#socket.resume()
  }

  override _write(chunk: Buffer, enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.#writable.write(chunk, enc, done)
  }

  override _final(done: (err?: Error | null) => void): void {
    this.#writable.end(done)
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.#socket.destroy()
    done(err)
  }
}

/** the socket as aedes should read it: packets over `max` bytes end the connection; what
 * aedes writes goes to `writable` (the socket itself unless given) */
export function limitPackets(socket: TLSSocket, max: number, writable: Writable = socket): Duplex {
  return new LimitedConn(socket, max, writable)
}
