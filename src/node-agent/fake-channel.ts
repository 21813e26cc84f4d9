// FakeChannel: the Channel interface in memory, for the agent's unit tests. The test connects
// and disconnects it, delivers payloads (bytes, or messages it encodes as the plane would) and
// reads what the agent sent, decoded.
import { Encoder, decode } from 'cbor-x'
import type { FromNode, FromNodeLeaf, ToNode, ToNodeLeaf } from '../api/index.ts'
import type { Channel, ChannelHandlers } from './types.ts'

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })

const leafFor: Record<ToNode['type'], ToNodeLeaf> = {
  desired: 'desired',
  'desired-change': 'desired',
  mesh: 'mesh',
  'mesh-change': 'mesh',
  'status-ack': 'status-ack',
  logs: 'req',
  cancel: 'req',
}

export class FakeChannel implements Channel {
  /** everything the agent sent, decoded, in order */
  readonly sent: { leaf: FromNodeLeaf; message: FromNode }[] = []
  #handlers: ChannelHandlers | undefined
  #up = false
  closed = false

  get connected(): boolean {
    return this.#up
  }

  open(handlers: ChannelHandlers): void {
    this.#handlers = handlers
  }

  send(leaf: FromNodeLeaf, payload: Uint8Array): boolean {
    if (!this.#up) return false
    this.sent.push({ leaf, message: decode(payload) as FromNode })
    return true
  }

  async close(): Promise<void> {
    this.#up = false
    this.closed = true
  }

  connect(): void {
    this.#up = true
    this.#handlers?.connected()
  }

  disconnect(): void {
    this.#up = false
    this.#handlers?.disconnected()
  }

  /** the plane sends a message (encoded as CBOR on its leaf) */
  deliver(message: ToNode): void {
    this.deliverRaw(leafFor[message.type], encoder.encode(message))
  }

  deliverRaw(leaf: ToNodeLeaf, payload: Uint8Array): void {
    this.#handlers?.message(leaf, payload)
  }

  /** the messages of one type sent so far */
  of<T extends FromNode['type']>(type: T): Extract<FromNode, { type: T }>[] {
    return this.sent
      .map((s) => s.message)
      .filter((m): m is Extract<FromNode, { type: T }> => m.type === type)
  }
}
