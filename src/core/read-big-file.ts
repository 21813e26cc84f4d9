// A big file (an image, a core module: megabytes) read whole into memory that glibc's malloc never
// sees: the pages of a WebAssembly.Memory, which V8 maps and unmaps itself. Why: glibc raises its
// mmap threshold to the size of the largest mmapped chunk freed (up to 32 MiB), and its trim
// threshold to twice that. Once the 13 MB Buffer of a prepared image read the ordinary way was
// freed, every allocation under 13 MB — V8 compiling the 12 MB core module, its own copy of the
// module's bytes — came from the main heap, and what was freed there was never given back: a
// runtime with 10 hello-http instances started from the prepared image held 55 MB of brk heap
// (RSS 194–208 MB); with this, 4 MB (157 MB), as when nothing big was read (issue 13).
// Files under 1 MiB: readFile.
import { open, readFile } from 'node:fs/promises'

/** files this small are read the ordinary way (a Buffer from Node's pool or a small malloc) */
const SMALL_BYTES = 1 << 20
const pageBytes = 65536

export async function readBigFile(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    if (size < SMALL_BYTES) return new Uint8Array(await readFile(fh))
    const memory = new WebAssembly.Memory({ initial: Math.ceil(size / pageBytes) })
    const bytes = new Uint8Array(memory.buffer, 0, size)
    for (let at = 0; at < size;) {
      const { bytesRead } = await fh.read(bytes, at, size - at, at)
      if (bytesRead === 0) return bytes.subarray(0, at) // the file shrank while read
      at += bytesRead
    }
    return bytes
  } finally {
    await fh.close()
  }
}
