// The fleet dashboard in a real browser: headless Debian Chromium driven by playwright-core,
// against a real plane (HTTPS, tokens) with two real agents. Signed in as admin the page lists
// the nodes; a Deployment scaled from the page reaches its replicas; a pod's log streams into the
// page; a pod is deleted from the page; a Service's endpoints, request rate, errors and latency
// p99 (traffic through each node's mesh) are shown; a
// rollout restart, cordon / uncordon and a drain from the page reach the API; a viewer sees the same views but the scale is refused by
// the API, shown in the alert region; an agent killed with -9 turns its node NotReady on screen.
// With SHOAL_SCREENSHOTS=1 the main views are also saved as docs/dashboard-<view>-<size>.png
// (desktop 1280×800, phone 390×844) for the README.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { request } from 'node:http'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { skipFileWithout } from '../peers.ts'
import { haveKubectl, startFleet, type Fleet } from './fleet.ts'
import { instanceUrl, meshPortsOf, pushImage } from './plane-process.ts'

const CHROMIUM = '/usr/bin/chromium'
skipFileWithout(import.meta.url, 'chromium', existsSync(CHROMIUM), 'apt-get install chromium')
skipFileWithout(import.meta.url, 'kubectl', haveKubectl, 'see .ci/run')

const root = fileURLToPath(new URL('../..', import.meta.url))
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const NODES = ['pi-a', 'pi-b']
const SHOTS = !!process.env.SHOAL_SCREENSHOTS
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

let fleet: Fleet | undefined
let browser: Browser | undefined
let viewerToken = ''
const contexts: BrowserContext[] = []

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: "hello-wat:1", ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: spin, namespace: default}
spec:
  restartPolicy: Never
  containers: [{name: main, image: "spinner:1"}]
`

async function open(token: string, viewport = DESKTOP): Promise<Page> {
  const ctx = await browser!.newContext({ ignoreHTTPSErrors: true, viewport })
  contexts.push(ctx)
  const page = await ctx.newPage()
  await page.goto(`${fleet!.plane().url}/ui/`)
  await page.locator('#token').fill(token)
  await page.locator('#token').press('Enter')
  await page.getByRole('navigation', { name: 'views' }).waitFor({ timeout: 30_000 })
  return page
}

const nodeStatus = (page: Page, node: string, text: string) =>
  page.locator(`tr[data-node="${node}"] td.status`, { hasText: text }).waitFor({ timeout: 150_000 })

async function shoot(page: Page, name: string) {
  if (!SHOTS) return
  await page.waitForTimeout(300) // the last render frame
  await page.screenshot({ path: `${root}docs/dashboard-${name}.png`, fullPage: true })
}

test.before(async () => {
  // the plane (run from src/) serves the checkout's dist/ui
  const built = spawnSync(process.execPath, ['esbuild.config.mjs', '--ui-only'], {
    cwd: root,
    encoding: 'utf8',
  })
  if (built.status !== 0) throw new Error(`building the dashboard failed: ${built.stderr}`)
  try {
    fleet = await startFleet(NODES)
    const issued = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'token',
        'issue',
        '--data-dir',
        fleet.planeDir,
        '--role',
        'viewer',
        '--user',
        'eve',
      ],
      { encoding: 'utf8' },
    )
    if (issued.status !== 0) throw new Error(`token issue: ${issued.stderr}`)
    viewerToken = issued.stdout.trim().split('\n').at(-1)!.trim()
    await pushImage(fleet.call, 'hello-wat', '1')
    await pushImage(fleet.call, 'spinner', '1')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    })
  } catch (err) {
    await browser?.close()
    await fleet?.stop()
    throw err
  }
})

test.after(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await browser?.close()
  await fleet?.stop()
})

test('signed in as admin, the page lists both nodes as Ready, in words; keyboard reaches the views', async () => {
  const page = await open(fleet!.admin)
  for (const n of NODES) await nodeStatus(page, n, 'Ready')
  assert.match(await page.locator('.who').innerText(), /e2e \(admin\)/)
  const row = await page.locator('tr[data-node="pi-a"]').innerText()
  assert.match(row, /pi-a/)
  assert.match(row, /Ready/)
  assert.match(row, /(x64|amd64|arm64)/)
  // the first Tab lands on the first view link; Enter follows it
  await page.keyboard.press('Tab')
  assert.is(await page.evaluate(() => document.activeElement?.textContent), 'Nodes')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: /Deployments/ }).waitFor()
})

test('a Deployment scaled from the page reaches its replicas; the page shows 3/3', async () => {
  fleet!.kubectl(['apply', '-f', '-'], { input: manifests })
  const page = await open(fleet!.admin)
  await page.goto(`${fleet!.plane().url}/ui/#/workloads`)
  const row = page.locator('tr[data-deployment="web"]')
  await row.locator('td.ready', { hasText: '1/1' }).waitFor({ timeout: 120_000 })
  await row.locator('input[name="replicas"]').fill('3')
  await row.getByRole('button', { name: 'Scale' }).click()
  await page.locator('#notice', { hasText: 'scale web to 3: done' }).waitFor()
  await row.locator('td.ready', { hasText: '3/3' }).waitFor({ timeout: 150_000 })
  const d = await fleet!.get('/apis/apps/v1/namespaces/default/deployments/web')
  assert.is(d.spec.replicas, 3)
  assert.is(d.status.readyReplicas, 3)
  await shoot(page, 'workloads-desktop')
  await page.goto(`${fleet!.plane().url}/ui/#/nodes`)
  await nodeStatus(page, 'pi-b', 'Ready')
  await shoot(page, 'nodes-desktop')
  await page.goto(`${fleet!.plane().url}/ui/#/services`)
  const svc = page.locator('tr[data-service="default/web"]')
  await svc.locator('td[data-label="Endpoints"]', { hasText: 'ready' }).waitFor({ timeout: 60_000 })
  // requests straight to the pods' instances (the nodes count every request that reaches one):
  // the Service's rate, the sum over its endpoints, turns above 0 on the page
  let sending = true
  const traffic = (async () => {
    const list = await fleet!.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')
    const urls = (list?.items ?? [])
      .map((p: { metadata: { name: string } }) =>
        [...fleet!.agents.values()]
          .map((a) => instanceUrl(a.output(), p.metadata.name))
          .find(Boolean),
      )
      .filter(Boolean) as string[]
    // and through each node's mesh, which counts errors and latency per endpoint
    const meshLocal = [...fleet!.agents.values()].flatMap(
      (a) => meshPortsOf(a.output())?.local ?? [],
    )
    while (sending) {
      for (const url of urls)
        await fetch(url, { method: 'POST', body: 'hi' })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined)
      for (const port of meshLocal) await viaMesh(port, 'web.default.svc.cluster.local')
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  try {
    await page.waitForFunction(
      () =>
        Number(document.querySelector('tr[data-service="default/web"] td.rate')?.textContent) > 0,
      undefined,
      { timeout: 120_000 },
    )
    await svc.locator('svg.spark').first().waitFor()
    // the mesh's figures come with the nodes' stats (every 10 s, a window needs two)
    await page.waitForFunction(
      () => {
        const text = document.querySelector('tr[data-service="default/web"] .latency')?.textContent
        return /^[\d.]+ m?s$/.test(text ?? '') && parseFloat(text!) > 0
      },
      undefined,
      { timeout: 120_000 },
    )
    await svc.locator('td.errors', { hasText: /err\/s/ }).waitFor()
    await svc.getByRole('img', { name: /latency p99/ }).waitFor({ timeout: 60_000 })
  } finally {
    sending = false
    await traffic
  }
  await shoot(page, 'services-desktop')
  await page.goto(`${fleet!.plane().url}/ui/#/events`)
  await page.getByRole('heading', { name: /Recent events/ }).waitFor()
  await shoot(page, 'events-desktop')
  if (SHOTS) {
    const phone = await open(fleet!.admin, PHONE)
    await nodeStatus(phone, 'pi-b', 'Ready')
    await shoot(phone, 'nodes-phone')
    await phone.goto(`${fleet!.plane().url}/ui/#/workloads`)
    await phone.locator('tr[data-deployment="web"] td.ready', { hasText: '3/3' }).waitFor()
    await shoot(phone, 'workloads-phone')
  }
})

/** one GET through a node's mesh (local listener) to a Service by its name; failures ignored */
function viaMesh(port: number, host: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host } })
    req.setTimeout(10_000, () => req.destroy())
    req.on('error', () => resolve())
    req.on('response', (res) => res.resume().on('end', resolve).on('error', resolve))
    req.end()
  })
}

test('a pod’s log streams into the page; the pod is deleted from the page', async () => {
  const page = await open(fleet!.admin)
  await page.goto(`${fleet!.plane().url}/ui/#/pod/default/spin`)
  const log = page.locator('#log')
  await log.filter({ hasText: 'spinner: spinning forever' }).waitFor({ timeout: 120_000 })
  await page.locator('#log-state', { hasText: 'following' }).waitFor()
  const turns = async () => ((await log.innerText()).match(/ turns/g) ?? []).length
  // lines keep arriving on the same open stream: more "N turns" lines than seen before
  const first = await turns()
  await page.waitForFunction(
    (n) => (document.querySelector('#log')?.textContent?.match(/ turns/g) ?? []).length > n,
    first,
    { timeout: 120_000 },
  )
  await page.locator('#pod-status', { hasText: 'Running' }).waitFor()
  await shoot(page, 'pod-desktop')
  if (SHOTS) {
    const phone = await open(fleet!.admin, PHONE)
    await phone.goto(`${fleet!.plane().url}/ui/#/pod/default/spin`)
    await phone
      .locator('#log', { hasText: 'spinner: spinning forever' })
      .waitFor({ timeout: 60_000 })
    await shoot(phone, 'pod-phone')
  }
  await page.getByRole('button', { name: 'Delete pod' }).click()
  await page.locator('#notice', { hasText: 'delete pod spin: done' }).waitFor()
  await fleet!.waitFor(
    'the spin pod gone',
    async () => (await fleet!.call('GET', '/api/v1/namespaces/default/pods/spin')).status === 404,
  )
})

test('a viewer sees the fleet, but scaling is refused by the API with a visible error', async () => {
  const page = await open(viewerToken)
  assert.match(await page.locator('.who').innerText(), /eve \(viewer: read only\)/)
  await page.goto(`${fleet!.plane().url}/ui/#/workloads`)
  const row = page.locator('tr[data-deployment="web"]')
  await row.locator('td.ready', { hasText: '3/3' }).waitFor({ timeout: 60_000 })
  await row.locator('input[name="replicas"]').fill('1')
  await row.getByRole('button', { name: 'Scale' }).click()
  const alert = page.getByRole('alert')
  await alert.filter({ hasText: 'refused' }).waitFor()
  assert.match(await alert.innerText(), /scale web to 1 refused: .*forbidden.*cannot patch/)
  const d = await fleet!.get('/apis/apps/v1/namespaces/default/deployments/web')
  assert.is(d.spec.replicas, 3, 'the viewer changed nothing')
  await shoot(page, 'viewer-refused-desktop')
})

test('restart, cordon / uncordon and drain from the page, each seen through the API', async () => {
  const page = await open(fleet!.admin)
  await page.goto(`${fleet!.plane().url}/ui/#/workloads`)
  const row = page.locator('tr[data-deployment="web"]')
  await row.locator('td.ready', { hasText: '3/3' }).waitFor({ timeout: 60_000 })
  await row.getByRole('button', { name: 'Restart' }).click()
  await page.locator('#notice', { hasText: 'restart web: done' }).waitFor()
  const d = await fleet!.get('/apis/apps/v1/namespaces/default/deployments/web')
  assert.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'])
  await row.locator('td.ready', { hasText: '3/3' }).waitFor({ timeout: 150_000 })
  await fleet!.waitFor(
    'the restart rolled out',
    async () => {
      const now = await fleet!.get('/apis/apps/v1/namespaces/default/deployments/web')
      return (
        now.status.updatedReplicas === 3 &&
        now.status.readyReplicas === 3 &&
        !now.status.unavailableReplicas
      )
    },
    150_000,
  )

  await page.goto(`${fleet!.plane().url}/ui/#/nodes`)
  const a = page.locator('tr[data-node="pi-a"]')
  await a.getByRole('button', { name: 'Cordon', exact: true }).click()
  await a.locator('.tag', { hasText: 'cordoned' }).waitFor()
  assert.is((await fleet!.get('/api/v1/nodes/pi-a')).spec.unschedulable, true)
  await a.getByRole('button', { name: 'Uncordon' }).click()
  await a.getByRole('button', { name: 'Cordon', exact: true }).waitFor()
  assert.not.ok((await fleet!.get('/api/v1/nodes/pi-a')).spec.unschedulable)

  // drain pi-b: cordoned, its web pods deleted and made again on pi-a
  await page.locator('tr[data-node="pi-b"]').getByRole('button', { name: 'Drain' }).click()
  await page.locator('#notice', { hasText: 'drain pi-b: done' }).waitFor({ timeout: 60_000 })
  assert.is((await fleet!.get('/api/v1/nodes/pi-b')).spec.unschedulable, true)
  await fleet!.waitFor(
    '3 web pods ready, all on pi-a',
    async () => {
      const list = await fleet!.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')
      const live = list.items.filter((p: any) => !p.metadata.deletionTimestamp)
      return (
        live.length === 3 &&
        live.every(
          (p: any) =>
            p.spec.nodeName === 'pi-a' &&
            p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
        )
      )
    },
    150_000,
  )
  await page.locator('tr[data-node="pi-b"] td[data-label="Pods"]', { hasText: /^0$/ }).waitFor()
})

test('an agent killed with -9 turns its node NotReady on screen', async () => {
  const page = await open(fleet!.admin)
  await nodeStatus(page, 'pi-b', 'Ready')
  await fleet!.agents.get('pi-b')!.stop('SIGKILL')
  await nodeStatus(page, 'pi-b', 'NotReady')
  assert.match(await page.locator('tr[data-node="pi-a"] td.status').innerText(), /✔ Ready/)
  assert.match(
    await page.locator('tr[data-node="pi-b"] td.status').innerText(),
    /✖ NotReady.*since/s,
  )
  await shoot(page, 'nodes-notready-desktop')
})

test.run()
