// What `shoal up` puts in a new fleet: the sample images (firmware-images/, built with npm tools
// on first use and cached by build.mjs, run as a child process so its ~700 MB peak is not the
// plane's) pushed as <name>:<version> and <name>:latest, hello-wat also as hello-wat:v1 and
// hello-wat-v2 as hello-wat:v2 (a rollout and its undo at hand); and the sample app — the
// Deployment and NodePort Service `hello` — created once, never replaced: a later run finds it
// as the user left it.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { UnavailableError } from '../core/index.ts'
import { expectOk, type AdminClient } from '../embed/index.ts'

export const SAMPLE = { name: 'hello', namespace: 'default', image: 'hello-wat:v1' }

interface BuiltImage {
  name: string
  version: string
  extra?: boolean
}

/** firmware-images/ beside the running entry (src/main.ts or dist/shoal.mjs) */
const firmwareImages = () => resolve(dirname(process.argv[1]!), '..', 'firmware-images')

/** runs firmware-images/build.mjs where it exists (its progress on our stderr); the .build dir
 * to push from, or undefined when there is none */
export async function ensureSampleImages(say: (line: string) => void): Promise<string | undefined> {
  const dir = firmwareImages()
  const script = join(dir, 'build.mjs')
  if (existsSync(script)) {
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit'] })
      child.once('exit', (c) => done(c))
      child.once('error', () => done(1))
    })
    if (code !== 0) say(`images: the build failed (above); pushing what was built before, if any`)
  }
  const built = join(dir, '.build')
  return existsSync(join(built, 'index.json')) ? built : undefined
}

/** name → the tags it is pushed as */
function tagsOf(image: BuiltImage): [string, string][] {
  if (image.name === 'hello-wat-v2') return [['hello-wat', 'v2']]
  const tags: [string, string][] = [
    [image.name, image.version],
    [image.name, 'latest'],
  ]
  if (image.name === 'hello-wat') tags.push(['hello-wat', 'v1'])
  return tags
}

/** pushes every sample in the .build dir (not the optional C extras); the refs pushed */
export async function pushSamples(admin: AdminClient, buildDir: string): Promise<string[]> {
  const index = JSON.parse(readFileSync(join(buildDir, 'index.json'), 'utf8')) as {
    images: BuiltImage[]
  }
  const refs: string[] = []
  for (const image of index.images.filter((i) => !i.extra)) {
    const bytes = readFileSync(join(buildDir, `${image.name}.wasm`))
    for (const [name, tag] of tagsOf(image)) {
      await admin.pushImage(name, tag, bytes)
      refs.push(`${name}:${tag}`)
    }
  }
  return refs
}

function sampleObjects() {
  const { name, namespace, image } = SAMPLE
  const labels = { app: name }
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name, image, ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      },
    },
  }
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { type: 'NodePort', selector: labels, ports: [{ port: 80, targetPort: 'http' }] },
  }
  return [
    { path: `/apis/apps/v1/namespaces/${namespace}/deployments`, object: deployment },
    { path: `/api/v1/namespaces/${namespace}/services`, object: service },
  ]
}

/** creates the sample Deployment and Service unless they exist; what was done to each */
export async function applySample(admin: AdminClient): Promise<string[]> {
  const done: string[] = []
  for (const { path, object } of sampleObjects()) {
    const what = `${object.kind.toLowerCase()}/${object.metadata.name}`
    const found = await admin.request('GET', `${path}/${object.metadata.name}`)
    if (found.status === 200) {
      done.push(`${what} found (kept as it is)`)
      continue
    }
    if (found.status !== 404) expectOk(found)
    expectOk(await admin.request('POST', path, object))
    done.push(`${what} created`)
  }
  return done
}

/** the sample Service's node port */
export async function sampleNodePort(admin: AdminClient): Promise<number> {
  const { name, namespace } = SAMPLE
  const svc = expectOk(
    await admin.request('GET', `/api/v1/namespaces/${namespace}/services/${name}`),
  )
  const port = (svc.body?.spec?.ports ?? [])[0]?.nodePort as number | undefined
  if (!port) throw new UnavailableError(`up: service/${name} has no node port (type NodePort?)`)
  return port
}

/** waits until the sample Deployment has all its replicas ready; "N/N" */
export async function sampleAvailable(admin: AdminClient, ms: number): Promise<string> {
  const { name, namespace } = SAMPLE
  const end = Date.now() + ms
  for (;;) {
    const got = await admin.request(
      'GET',
      `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
    )
    const want = got.body?.spec?.replicas ?? 1
    const ready = got.body?.status?.readyReplicas ?? 0
    if (got.status === 200 && ready === want) return `${ready}/${want}`
    if (Date.now() > end)
      throw new UnavailableError(
        `up: deployment/${name} is ${ready}/${want} ready after ${ms / 1000} s`,
      )
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** resolves with the first answer of `url` that is a 200, trying for up to `ms` */
export async function firstAnswer(url: string, ms: number): Promise<string> {
  const end = Date.now() + ms
  let last = 'no answer'
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
      const text = await res.text()
      if (res.status === 200) return text
      last = `${res.status} ${text.trim().slice(0, 200)}`
    } catch (error) {
      last = (error as Error).message
    }
    if (Date.now() > end)
      throw new UnavailableError(`up: ${url} did not answer in ${ms / 1000} s (last: ${last})`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
