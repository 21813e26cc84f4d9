// An ordered set of string keys for range reads: a list of sorted chunks (at most CHUNK keys
// each), so an insert moves at most CHUNK pointers instead of the whole key space.

const CHUNK = 512

function lowerBound(a: string[], key: string): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

export class SortedKeys {
  #chunks: string[][] = []
  #size = 0

  get size(): number {
    return this.#size
  }

  /** index of the chunk that holds `key` or would hold it */
  #chunkFor(key: string): number {
    const c = this.#chunks
    let lo = 0
    let hi = c.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (c[mid][0] <= key) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  add(key: string): void {
    if (this.#chunks.length === 0) {
      this.#chunks.push([key])
      this.#size = 1
      return
    }
    const tail = this.#chunks[this.#chunks.length - 1]
    if (key > tail[tail.length - 1]) {
      // appending in order (snapshot load, monotonic names): no search, no splice
      if (tail.length >= CHUNK) this.#chunks.push([key])
      else tail.push(key)
      this.#size++
      return
    }
    const ci = this.#chunkFor(key)
    const chunk = this.#chunks[ci]
    const i = lowerBound(chunk, key)
    if (chunk[i] === key) return
    chunk.splice(i, 0, key)
    this.#size++
    if (chunk.length > CHUNK) this.#chunks.splice(ci + 1, 0, chunk.splice(CHUNK >>> 1))
  }

  delete(key: string): void {
    if (this.#chunks.length === 0) return
    const ci = this.#chunkFor(key)
    const chunk = this.#chunks[ci]
    const i = lowerBound(chunk, key)
    if (chunk[i] !== key) return
    chunk.splice(i, 1)
    this.#size--
    if (chunk.length === 0) this.#chunks.splice(ci, 1)
  }

  /** keys in [from, to) in order; `to` undefined means no upper bound */
  *range(from: string, to?: string): IterableIterator<string> {
    if (this.#chunks.length === 0) return
    let ci = this.#chunkFor(from)
    let i = lowerBound(this.#chunks[ci], from)
    for (; ci < this.#chunks.length; ci++, i = 0) {
      const chunk = this.#chunks[ci]
      for (; i < chunk.length; i++) {
        if (to !== undefined && chunk[i] >= to) return
        yield chunk[i]
      }
    }
  }
}

/** The exclusive upper bound of every key that starts with `prefix` (etcd's prefix end). */
export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i)
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1)
  }
  return undefined
}
