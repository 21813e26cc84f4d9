// The snapshot's hot payload, chunks of key versions [11, [[key, rev, create, version,
// value|null, lease], …]] (snapshot.ts): written as frames straight into the snapshot's buffer,
// with the same bytes cbor-x + encodeFrame would produce, and read straight from the file's
// bytes, values left in the file. Both with the log's framing and CBOR tools (wal/). A chunk the
// fast decoder does not recognise goes to the general decoder (snapshot.ts), so it can only be
// faster, never different.
import {
  cborAtEnd,
  cborBegin,
  cborHead,
  cborSkip,
  cborTake,
  cborText,
  cborView,
  HEADER_BYTES,
  sealFrame,
  writeCborHead,
  type FilePlace,
} from '../wal/index.ts'
import { LazyRevision, makeRevision, type Revision } from '../mvcc/index.ts'

/** a version's value length, without reading a value that is on disk */
const valueLength = (v: Revision) =>
  !v.version ? 0 : v instanceof LazyRevision ? v.length : v.value!.length

/** bytes a snapshot chunk frame of `versions` can take at most */
export function versionsFrameBound(versions: readonly Revision[]): number {
  let n = HEADER_BYTES + 2 + 9
  for (const v of versions) n += 1 + 9 + 3 * v.key.length + 9 * 5 + valueLength(v)
  return n
}

/**
 * Encodes the snapshot chunk [11, [[key, rev, create, version, value|null, lease], …]] as a frame
 * at `at` of `out` (versionsFrameBound(versions) bytes free there); returns the end of the frame.
 * `values[i]` is the value of `versions[i]` when already read (LazyRevision.readAll); `valueAt[i]`
 * gets the position in `out` of that value (-1 for a tombstone).
 */
export function writeVersionsFrame(
  out: Buffer,
  at: number,
  versions: readonly Revision[],
  values?: readonly (Uint8Array | undefined)[],
  valueAt?: number[],
): number {
  let p = at + HEADER_BYTES
  out[p++] = 0x82
  out[p++] = 0x0b
  p = writeCborHead(out, p, 4, versions.length)
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]
    out[p++] = 0x86
    p = writeCborHead(out, p, 3, Buffer.byteLength(v.key))
    p += out.write(v.key, p, 'utf8')
    p = writeCborHead(out, p, 0, v.rev)
    p = writeCborHead(out, p, 0, v.create)
    p = writeCborHead(out, p, 0, v.version)
    if (v.version) {
      const value = values?.[i] ?? v.value!
      p = writeCborHead(out, p, 2, value.length)
      valueAt?.push(p)
      out.set(value, p)
      p += value.length
    } else {
      out[p++] = 0xf6
      valueAt?.push(-1)
    }
    p = writeCborHead(out, p, 0, v.lease)
  }
  return sealFrame(out, at, p)
}

/** one version at the cursor; `at`: where the decoded bytes lie in a file (values stay there) */
function version(at: FilePlace | undefined): Revision | undefined {
  if (!cborTake(0x86)) return undefined
  const key = cborText()
  if (key === undefined) return undefined
  const rev = cborHead(0)
  const create = rev < 0 ? -1 : cborHead(0)
  const ver = create < 0 ? -1 : cborHead(0)
  if (ver < 0) return undefined
  let n = -1 // the value's length, its bytes at `start` (-1: none, a tombstone)
  let start = -1
  if (!cborTake(0xf6)) {
    n = cborHead(2)
    start = cborSkip(n)
    if (start < 0) return undefined
  }
  const lease = cborHead(0)
  if (lease < 0) return undefined
  if (n < 0) return { key, rev, create, version: ver, value: undefined, lease }
  return at
    ? LazyRevision.placed(key, rev, create, ver, at.source, at.offset + start, n, lease)
    : makeRevision(key, rev, create, ver, cborView(start, start + n), lease)
}

/**
 * A snapshot chunk's versions, or undefined when the bytes are not one this reads. `at`: the
 * bytes are a view of that file place, and values are read from the file on first use.
 */
export function fastDecodeVersions(bytes: Uint8Array, at?: FilePlace): Revision[] | undefined {
  if (bytes[0] !== 0x82 || bytes[1] !== 0x0b) return undefined
  cborBegin(bytes, 2)
  const n = cborHead(4)
  if (n < 0) return undefined
  const out: Revision[] = []
  for (let i = 0; i < n; i++) {
    const v = version(at)
    if (!v) return undefined
    out.push(v)
  }
  return cborAtEnd() ? out : undefined
}
