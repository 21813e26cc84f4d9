// A body read whole, but never more than a limit: bytes are counted as they arrive and the read
// stops with TooLarge the moment they pass it, so a body with no declared length (chunked) is
// refused after `limit` bytes, not after the client has sent all of it.
import { ShoalError } from './errors.ts'

export interface ReadLimitedOptions {
  limit: number
  /** the TooLarge message, e.g. "the request body is over the 3145728-byte limit" */
  tooLarge: string
}

export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  o: ReadLimitedOptions,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > o.limit) {
      // the rest is not read: the HTTP server answers and then drops the connection
      reader.cancel().catch(() => {})
      throw new ShoalError('TooLarge', o.tooLarge)
    }
    chunks.push(value)
  }
  return concat(chunks, size)
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}
