// Secret, ConfigMap and projected volumes as files. Before a container starts, each such volume
// it mounts is written to <podDir>/config/<volume>/: every key a file of its bytes, or only the
// `items` chosen, each at its path. The directory is written beside and swapped in whole, so a
// container never sees half a volume, and it is written anew at every start (a changed Secret
// reaches the next start, as a kubelet's does within its sync period). On the node's disk these
// are 0600 files in 0700 directories under the agent's data dir, as the cached objects are
// (config-source.ts), and they go with the pod's directory. The guest sees them read-only; file
// modes (defaultMode, items[].mode) have no meaning in WASI and are not applied.
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, normalize } from 'node:path'
import type { Container, DesiredPod, KeyToPath, Volume } from '../api/index.ts'
import type { ConfigKind } from './env.ts'

/** the bytes of each key of a Secret or ConfigMap; undefined when it does not exist */
export interface ConfigFiles {
  bytes(
    kind: ConfigKind,
    namespace: string,
    name: string,
  ): Promise<Record<string, Uint8Array> | undefined>
}

export type VolumesResult = { ok: true } | { ok: false; problem: string }

interface Source {
  kind: ConfigKind
  name: string
  items?: KeyToPath[]
  optional?: boolean
}

/** where a config volume's files are on the node */
export const configVolumeDir = (podDir: string, volume: string) => join(podDir, 'config', volume)

/** the Secret and ConfigMap sources of a volume; undefined for any other kind of volume */
export function configSources(v: Volume): Source[] | undefined {
  if (v.secret) return [{ kind: 'Secret', name: v.secret.secretName, ...v.secret }]
  if (v.configMap) return [{ kind: 'ConfigMap', ...v.configMap }]
  if (v.projected)
    return v.projected.sources.flatMap((s): Source[] =>
      s.secret
        ? [{ kind: 'Secret', ...s.secret }]
        : s.configMap
          ? [{ kind: 'ConfigMap', ...s.configMap }]
          : [],
    )
  return undefined
}

class Problem extends Error {}

/** a key's path inside the volume: relative, and never climbing out of it */
function safePath(path: string, volume: string): string {
  const p = normalize(path)
  if (!path || p.startsWith('/') || p === '..' || p.startsWith('../') || p === '.')
    throw new Problem(
      `volume "${volume}": item path "${path}" must be a relative path inside the volume`,
    )
  return p
}

async function files(lookup: ConfigFiles, ns: string, volume: string, sources: Source[]) {
  const out = new Map<string, Uint8Array>()
  for (const s of sources) {
    const what = `${s.kind.toLowerCase()} "${s.name}"`
    const data = await lookup.bytes(s.kind, ns, s.name)
    if (!data) {
      if (s.optional) continue
      throw new Problem(`volume "${volume}": ${what} not found`)
    }
    const chosen = s.items ?? Object.keys(data).map((key) => ({ key, path: key }))
    for (const item of chosen) {
      if (!Object.hasOwn(data, item.key)) {
        if (s.optional) continue
        throw new Problem(`volume "${volume}": ${what} has no key "${item.key}"`)
      }
      out.set(safePath(item.path, volume), data[item.key])
    }
  }
  return out
}

/** writes the config volumes container `c` mounts; a missing object or key is a problem named */
export async function writeConfigVolumes(
  pod: DesiredPod,
  c: Container,
  o: { lookup: ConfigFiles; podDir: string },
): Promise<VolumesResult> {
  try {
    for (const m of c.volumeMounts ?? []) {
      const v = pod.spec.volumes?.find((x) => x.name === m.name)
      const sources = v && configSources(v)
      if (!sources) continue
      const content = await files(o.lookup, pod.namespace, v.name, sources)
      await swapIn(configVolumeDir(o.podDir, v.name), content)
    }
    return { ok: true }
  } catch (error) {
    return { ok: false, problem: (error as Error).message }
  }
}

async function swapIn(dir: string, content: Map<string, Uint8Array>): Promise<void> {
  const suffix = randomBytes(4).toString('hex')
  const fresh = join(dirname(dir), `.${suffix}.new`)
  const old = join(dirname(dir), `.${suffix}.old`)
  await mkdir(fresh, { recursive: true, mode: 0o700 })
  try {
    for (const [path, bytes] of content) {
      const file = join(fresh, path)
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      await writeFile(file, bytes, { mode: 0o600 })
    }
    await rename(dir, old).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e
    })
    await rename(fresh, dir)
  } finally {
    await rm(fresh, { recursive: true, force: true })
    await rm(old, { recursive: true, force: true })
  }
}
