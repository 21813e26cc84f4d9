// Fixtures for runtime tests: the sample images (built by `npm run images` if missing), copied into
// a private temp dir so a concurrent rebuild of firmware-images/.build cannot pull them away, plus
// a fresh cacheDir/logDir per test file.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { InstanceSpec, InstanceStatus, Runtime } from '../../src/wasm-runtime/index.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const buildDir = join(root, 'firmware-images/.build')
/** images the runtime tests use by name; a build without one of them is rebuilt */
const needed = ['hello-http', 'hello-wat', 'spinner', 'sleeper', 'caller']
const built = () => needed.every((app) => existsSync(join(buildDir, `${app}.wasm`)))

function tryCopy(to: string): boolean {
  try {
    if (!existsSync(join(buildDir, 'index.json'))) return false
    for (const f of readdirSync(buildDir))
      if (/\.(wasm|json)$/.test(f)) copyFileSync(join(buildDir, f), join(to, f))
    return needed.every((app) => existsSync(join(to, `${app}.wasm`)))
  } catch {
    return false
  }
}

export interface Fixture {
  dir: string
  cacheDir: string
  logDir: string
  image(app: string): { digest: string; path: string }
  spec(
    id: string,
    app: string,
    kind: InstanceSpec['kind'],
    more?: Partial<InstanceSpec>,
  ): InstanceSpec
  cleanup(): void
}

export function fixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-rt-'))
  const images = join(dir, 'images')
  spawnSync('mkdir', ['-p', images])
  for (let attempt = 0; !tryCopy(images); attempt++) {
    if (attempt === 3) throw new Error('test: no sample images; `npm run images` failed')
    if (attempt === 0 && !(existsSync(join(buildDir, 'index.json')) && built()))
      spawnSync('npm', ['run', 'images'], { cwd: root, stdio: 'ignore' })
    else spawnSync('sleep', ['5'])
  }
  const image = (app: string) => ({
    digest: JSON.parse(readFileSync(join(images, `${app}.json`), 'utf8')).digest as string,
    path: join(images, `${app}.wasm`),
  })
  return {
    dir,
    cacheDir: join(dir, 'cache'),
    logDir: join(dir, 'logs'),
    image,
    spec: (id, app, kind, more = {}) => ({
      id,
      image: image(app),
      kind,
      env: {},
      args: [],
      volumes: [],
      network: false,
      limits: {},
      ...more,
    }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Resolves with the first status of `id` that is exited. */
export function exitOf(runtime: Pick<Runtime, 'onStatus'>, id: string): Promise<InstanceStatus> {
  return new Promise<InstanceStatus>((resolve) => {
    const off = runtime.onStatus((s) => {
      if (s.id === id && s.state === 'exited') {
        off()
        resolve(s)
      }
    })
  })
}

export async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const line of lines) out.push(line)
  return out
}
