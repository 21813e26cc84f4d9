// The agent's data dir is private to its user, as the plane's is: created 0700, or made 0700
// with a warning when found open to others (refused if that fails); files in it are 0600.
// Layout:
//   credentials.json         node, plane URL, broker URL, node token, CA (written by a join)
//   node.pem                 the node's certificate and its private key (made here, never sent)
//   desired.json             the last desired state accepted, with its revision
//   mesh.json                the last mesh table taken (the Services' endpoints), with its revision
//   status-queue.json        pod statuses not yet acknowledged by the plane
//   images/prepared/<hex>    images as the registry prepared them, by their own digest
//                            (<hex>.partial while pulling); images/sha256/<component hex>.json
//                            names a component's (image-cache.ts)
//   config/secrets|configmaps/<ns>/<name>.json   what the pods' env read, for offline restarts
//   pods/<uid>/volumes/<name>                    emptyDir volumes
//   runtime/                 the runtime's unpacked images;  logs/  instance logs
import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ShoalError, type Logger } from '../core/index.ts'

export const layout = (dir: string) => ({
  credentials: join(dir, 'credentials.json'),
  certificate: join(dir, 'node.pem'),
  desired: join(dir, 'desired.json'),
  mesh: join(dir, 'mesh.json'),
  statusQueue: join(dir, 'status-queue.json'),
  images: join(dir, 'images'),
  config: join(dir, 'config'),
  pods: join(dir, 'pods'),
  runtimeCache: join(dir, 'runtime'),
  logs: join(dir, 'logs'),
})

export function ensurePrivateDir(dir: string, log: Logger): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const mode = statSync(dir).mode & 0o777
  if (!(mode & 0o077)) return
  try {
    chmodSync(dir, 0o700)
  } catch (cause) {
    throw new ShoalError(
      'Forbidden',
      `agent: the data dir ${dir} is open to other users (mode 0${mode.toString(8)}) and cannot be made 0700: ${(cause as Error).message}`,
      { cause },
    )
  }
  log.warn('the data dir was open to other users; made it 0700', {
    dir,
    was: `0${mode.toString(8)}`,
  })
}
