// Read-only volumes: the guest's descriptors under a read-only preopen refuse every method that
// would change the host filesystem (wasi:filesystem error code "read-only"), and every descriptor
// opened through them is read-only too. The shim has no such flag, so the methods the glue calls
// are shadowed on the descriptor objects themselves (the glue calls `descriptor.method(...)`).
type Descriptor = Record<string, unknown>
type Method = (...args: unknown[]) => unknown

const mutating = [
  'writeViaStream',
  'appendViaStream',
  'setSize',
  'setTimes',
  'write',
  'createDirectoryAt',
  'setTimesAt',
  'linkAt',
  'removeDirectoryAt',
  'renameAt',
  'symlinkAt',
  'unlinkFileAt',
]
const readOnly = new WeakSet<object>()

function refuse(): never {
  throw 'read-only'
}

export function makeReadOnly(descriptor: Descriptor): Descriptor {
  if (readOnly.has(descriptor)) return descriptor
  readOnly.add(descriptor)
  for (const name of mutating) descriptor[name] = refuse
  const openAt = descriptor.openAt as Method
  descriptor.openAt = (
    pathFlags: unknown,
    path: unknown,
    openFlags?: Record<string, boolean>,
    flags?: Record<string, boolean>,
  ) => {
    if (openFlags?.create || openFlags?.truncate || flags?.write || flags?.mutateDirectory) refuse()
    return makeReadOnly(openAt.call(descriptor, pathFlags, path, openFlags, flags) as Descriptor)
  }
  return descriptor
}

interface Preopens {
  getDirectories(): [Descriptor, string][]
}

/** wasi:filesystem/preopens whose directories at `readOnlyPaths` (guest paths) are read-only. */
export function readOnlyPreopens(preopens: Preopens, readOnlyPaths: string[]): Preopens {
  if (readOnlyPaths.length === 0) return preopens
  const paths = new Set(readOnlyPaths)
  return {
    getDirectories() {
      const dirs = preopens.getDirectories()
      for (const [descriptor, guestPath] of dirs) if (paths.has(guestPath)) makeReadOnly(descriptor)
      return dirs
    },
  }
}
