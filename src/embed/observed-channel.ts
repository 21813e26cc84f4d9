// A Channel that tells when the link goes up or down, and otherwise is the channel it wraps.
import type { Channel, ChannelHandlers } from '../node-agent/index.ts'

export class ObservedChannel implements Channel {
  readonly #inner: Channel
  readonly #onLink: (up: boolean) => void

  constructor(inner: Channel, onLink: (up: boolean) => void) {
    this.#inner = inner
    this.#onLink = onLink
  }

  get connected(): boolean {
    return this.#inner.connected
  }

  open(handlers: ChannelHandlers): void {
    this.#inner.open({
      connected: () => {
        handlers.connected()
        this.#onLink(true)
      },
      disconnected: () => {
        handlers.disconnected()
        this.#onLink(false)
      },
      message: (leaf, payload) => handlers.message(leaf, payload),
    })
  }

  send(...args: Parameters<Channel['send']>): boolean {
    return this.#inner.send(...args)
  }

  close(): Promise<void> {
    return this.#inner.close()
  }
}
