// The files values are read from once they have left memory: log segments and snapshots. Each
// file is opened once for reading; the snapshotter closes it when it deletes the file, after
// every value in it has been re-pointed at the new snapshot.
import { closeSync, openSync, readSync } from 'node:fs'
import { CorruptError, UnavailableError } from '../../../core/index.ts'

/**
 * A file that holds values: read(offset, length) returns exactly those bytes or throws. The same
 * shape as mvcc's ValueSource, what a version reads its value through: the store hands these
 * files to mvcc, and the compiler checks the match there (the layers do not import each other).
 */
export interface ValueSource {
  readonly name: string
  read(offset: number, length: number): Uint8Array
  /** the same bytes in a reused buffer, valid until the next call (optional) */
  view?(offset: number, length: number): Uint8Array
  /** the bytes read into the start of `out` (optional); returns their view of it */
  readInto?(out: Buffer, offset: number, length: number): Uint8Array
}

let scratch = Buffer.allocUnsafe(1 << 20)

export class ValueFile implements ValueSource {
  #fd: number | undefined

  constructor(readonly name: string) {
    this.#fd = openSync(name, 'r')
  }

  /** the open descriptor (replay reads the file through it too) */
  get fd(): number {
    if (this.#fd === undefined) throw new UnavailableError(`store: ${this.name} is closed`)
    return this.#fd
  }

  read(offset: number, length: number): Uint8Array {
    return this.readInto(Buffer.allocUnsafe(length), offset, length)
  }

  /** the bytes in a buffer shared by every file, valid until the next view() (ranges copy values out of it) */
  view(offset: number, length: number): Uint8Array {
    if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.length))
    return this.readInto(scratch, offset, length)
  }

  /** reads into the start of `out` (at least `length` long); returns the bytes' view of it */
  readInto(out: Buffer, offset: number, length: number): Buffer {
    const fd = this.#fd
    if (fd === undefined)
      throw new CorruptError(
        `store: a value at byte ${offset} of ${this.name} was read after the file was retired`,
        { file: this.name, offset },
      )
    let got = 0
    while (got < length) {
      const n = readSync(fd, out, got, length - got, offset + got)
      if (n === 0)
        throw new CorruptError(
          `store: ${this.name} ends before the value at byte ${offset} (${length} bytes)`,
          { file: this.name, offset },
        )
      got += n
    }
    return out.subarray(0, length)
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = undefined
  }
}

/** the files of one store whose values may still be on disk, by path */
export class ValueFiles {
  #files = new Map<string, ValueFile>()

  open(path: string): ValueFile {
    let f = this.#files.get(path)
    if (!f) this.#files.set(path, (f = new ValueFile(path)))
    return f
  }

  /** the file if it is open (values may point at it), without opening it */
  get(path: string): ValueFile | undefined {
    return this.#files.get(path)
  }

  /** the file is being deleted: nothing may read from it any more */
  retire(path: string): void {
    this.#files.get(path)?.close()
    this.#files.delete(path)
  }

  get size(): number {
    return this.#files.size
  }

  closeAll(): void {
    for (const f of this.#files.values()) f.close()
    this.#files.clear()
  }
}
