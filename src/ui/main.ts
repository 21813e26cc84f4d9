// The fleet dashboard's page: sign-in with a token, then views of nodes, workloads, a pod (with
// its live log), services and events, rendered with lit-html from the stores (stores.ts), which
// the API's watches keep current. Admin actions call the same API the CLI does (scale: the
// /scale subresource; restart: the template's restartedAt annotation; cordon: spec.unschedulable;
// drain: cordon, then evict (pods/eviction) every pod on the node that a controller owns, as
// `shoal drain` does, leaving DaemonSet pods and bare pods; delete pod) and show the API's
// answer: a viewer's attempt ends in the API's own 403, shown in the alert region.
import { html, render, nothing, type TemplateResult } from 'lit-html'
import type { ReadableAtom } from 'nanostores'
import {
  api,
  apiJson,
  collections,
  deploymentList,
  deployments,
  errorText,
  eventList,
  events,
  follow,
  keyOf,
  latencyText,
  memory,
  nodeList,
  nodes,
  pods,
  pollRates,
  route,
  serviceMesh,
  serviceRates,
  servicePods,
  services,
  slices,
  token,
  whoami,
  type Collection,
  type KubeObject,
} from './stores.ts'
import { atom } from 'nanostores'

/** the last action's outcome: shown in a live region (errors: role=alert) */
const notice = atom<{ error: boolean; text: string } | undefined>(undefined)
const logText = atom<string>('')
const logState = atom<string>('')

const ago = (iso?: string) => {
  if (!iso) return '—'
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
  return s < 60
    ? `${s}s ago`
    : s < 3600
      ? `${Math.round(s / 60)}m ago`
      : `${Math.round(s / 3600)}h ago`
}

async function act(what: string, fn: () => Promise<unknown>) {
  notice.set({ error: false, text: `${what}…` })
  try {
    await fn()
    notice.set({ error: false, text: `${what}: done` })
  } catch (err) {
    notice.set({ error: true, text: `${what} refused: ${(err as Error).message}` })
  }
}

const merge = (path: string, body: unknown) =>
  api(path, { method: 'PATCH', body, contentType: 'application/merge-patch+json' })

const scale = (ns: string, name: string, replicas: number) =>
  act(`scale ${name} to ${replicas}`, () =>
    merge(`/apis/apps/v1/namespaces/${ns}/deployments/${name}/scale`, { spec: { replicas } }),
  )
const restart = (ns: string, name: string) =>
  act(`restart ${name}`, () =>
    api(`/apis/apps/v1/namespaces/${ns}/deployments/${name}?fieldManager=kubectl-rollout`, {
      method: 'PATCH',
      contentType: 'application/strategic-merge-patch+json',
      body: {
        spec: {
          template: {
            metadata: {
              annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() },
            },
          },
        },
      },
    }),
  )
const cordon = (name: string, on: boolean) =>
  act(`${on ? 'cordon' : 'uncordon'} ${name}`, () =>
    merge(`/api/v1/nodes/${name}`, { spec: { unschedulable: on ? true : null } }),
  )
const drain = (name: string) =>
  act(`drain ${name}`, async () => {
    await merge(`/api/v1/nodes/${name}`, { spec: { unschedulable: true } })
    const list = await apiJson<{ items: KubeObject[] }>(
      `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${name}`)}`,
    )
    for (const p of list.items) {
      const owner = p.metadata.ownerReferences?.find((r) => r.controller)
      if (!owner || owner.kind === 'DaemonSet') continue // left, as `shoal drain` would refuse
      const { name: pod, namespace } = p.metadata
      await api(`/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, {
        method: 'POST',
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod, namespace },
        },
      })
    }
  })
const deletePod = (ns: string, name: string) =>
  act(`delete pod ${name}`, () =>
    api(`/api/v1/namespaces/${ns}/pods/${name}`, { method: 'DELETE' }),
  )

// ---- live log of the pod shown ---------------------------------------------------------------

let logAbort: AbortController | undefined
function followLog(ns: string, name: string) {
  logAbort?.abort()
  const ac = (logAbort = new AbortController())
  logText.set('')
  logState.set('connecting')
  void (async () => {
    try {
      const res = await api(`/api/v1/namespaces/${ns}/pods/${name}/log?follow=true&tailLines=200`, {
        signal: ac.signal,
      })
      logState.set('following')
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        logText.set((logText.get() + value).slice(-64_000))
      }
      logState.set('ended')
    } catch (err) {
      if (!ac.signal.aborted) logState.set(`stopped: ${(err as Error).message}`)
    }
  })()
}

// ---- views -----------------------------------------------------------------------------------

const statusText = (ready: string, since?: string) =>
  ready === 'Ready'
    ? html`<span class="st ok">✔ Ready</span>`
    : html`<span class="st bad">✖ ${ready === 'Unknown' ? 'NotReady (offline)' : ready}</span>
        <small>since ${ago(since)}</small>`

function nodesView() {
  const rows = nodeList.get()
  return html`<h2>Nodes <small>${rows.length}</small></h2>
    <table>
      <thead>
        <tr>
          <th>Node</th>
          <th>Status</th>
          <th>Arch</th>
          <th>Memory</th>
          <th>Pods</th>
          <th>Last heartbeat</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (n) =>
            html`<tr data-node=${n.name}>
              <td data-label="Node">
                ${n.name}${n.unschedulable ? html` <span class="tag">cordoned</span>` : nothing}
              </td>
              <td data-label="Status" class="status">${statusText(n.ready, n.since)}</td>
              <td data-label="Arch">${n.arch}</td>
              <td data-label="Memory">${memory(n.memory)}</td>
              <td data-label="Pods">${n.pods}</td>
              <td data-label="Heartbeat">${ago(n.heartbeat)}</td>
              <td data-label="Actions" class="actions">
                <button @click=${() => cordon(n.name, !n.unschedulable)}>
                  ${n.unschedulable ? 'Uncordon' : 'Cordon'}
                </button>
                <button @click=${() => drain(n.name)}>Drain</button>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`
}

const podStatus = (p: KubeObject) => {
  if (p.metadata.deletionTimestamp) return 'Terminating'
  const waiting = (p.status?.containerStatuses ?? []).find(
    (c: { state?: { waiting?: { reason?: string } } }) => c.state?.waiting?.reason,
  )
  return waiting?.state.waiting.reason ?? p.status?.phase ?? 'Pending'
}
const restarts = (p: KubeObject) =>
  (p.status?.containerStatuses ?? []).reduce(
    (s: number, c: { restartCount?: number }) => s + (c.restartCount ?? 0),
    0,
  )
const podLink = (p: KubeObject) =>
  html`<a href="#/pod/${p.metadata.namespace}/${p.metadata.name}">${p.metadata.name}</a>`

function workloadsView() {
  const rows = deploymentList.get()
  const podRows = Object.values(pods.objects.get()).sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
  return html`<h2>Deployments <small>${rows.length}</small></h2>
    <table>
      <thead>
        <tr>
          <th>Deployment</th>
          <th>Ready</th>
          <th>Rollout</th>
          <th>Pods per node</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (d) =>
            html`<tr data-deployment=${d.name}>
              <td data-label="Deployment">${d.namespace}/${d.name}</td>
              <td data-label="Ready" class="ready">${d.ready}/${d.desired}</td>
              <td data-label="Rollout">
                <progress
                  max=${Math.max(d.desired, 1)}
                  value=${Math.min(d.updated, d.desired)}
                  aria-label="updated replicas of ${d.name}"
                ></progress>
                ${d.updated}/${d.desired} updated${d.progress ? html` · ${d.progress}` : nothing}
              </td>
              <td data-label="Pods per node">
                ${d.perNode.length ? d.perNode.map(([n, c]) => `${n}: ${c}`).join(', ') : '—'}
              </td>
              <td data-label="Actions" class="actions">
                <form
                  @submit=${(e: SubmitEvent) => {
                    e.preventDefault()
                    const v = Number(new FormData(e.target as HTMLFormElement).get('replicas'))
                    void scale(d.namespace, d.name, v)
                  }}
                >
                  <label
                    >Replicas
                    <input
                      name="replicas"
                      type="number"
                      min="0"
                      max="1000"
                      .value=${String(d.desired)}
                      required
                    />
                  </label>
                  <button type="submit">Scale</button>
                </form>
                <button @click=${() => restart(d.namespace, d.name)}>Restart</button>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Pods <small>${podRows.length}</small></h2>
    <table>
      <thead>
        <tr>
          <th>Pod</th>
          <th>Node</th>
          <th>Status</th>
          <th>Restarts</th>
          <th>Age</th>
        </tr>
      </thead>
      <tbody>
        ${podRows.map(
          (p) =>
            html`<tr>
              <td data-label="Pod">${p.metadata.namespace}/${podLink(p)}</td>
              <td data-label="Node">${p.spec?.nodeName ?? '(pending)'}</td>
              <td data-label="Status">${podStatus(p)}</td>
              <td data-label="Restarts">${restarts(p)}</td>
              <td data-label="Age">${ago(p.metadata.creationTimestamp)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`
}

const eventRows = (list: KubeObject[]) =>
  html`<table>
    <thead>
      <tr>
        <th>When</th>
        <th>Type</th>
        <th>Reason</th>
        <th>Object</th>
        <th>Message</th>
      </tr>
    </thead>
    <tbody>
      ${list.map((e) => {
        const io = e.involvedObject as { kind?: string; name?: string } | undefined
        return html`<tr>
          <td data-label="When">
            ${ago(String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? ''))}
          </td>
          <td data-label="Type">
            ${e.type === 'Warning' ? html`<span class="st bad">⚠ Warning</span>` : String(e.type ?? '')}
          </td>
          <td data-label="Reason">${String(e.reason ?? '')}</td>
          <td data-label="Object">${io?.kind}/${io?.name}</td>
          <td data-label="Message">${String(e.message ?? '')}</td>
        </tr>`
      })}
    </tbody>
  </table>`

function podView(ns: string, name: string) {
  const p = pods.objects.get()[`${ns}/${name}`]
  const evs = eventList
    .get()
    .filter(
      (e) =>
        e.metadata.namespace === ns &&
        (e.involvedObject as { kind?: string; name?: string })?.name === name,
    )
  return html`<h2>Pod ${ns}/${name}</h2>
    ${
      p
        ? html`<dl class="facts">
              <dt>Status</dt>
              <dd id="pod-status">${podStatus(p)}</dd>
              <dt>Node</dt>
              <dd>${p.spec?.nodeName ?? '(pending)'}</dd>
              <dt>Restarts</dt>
              <dd>${restarts(p)}</dd>
              <dt>Image</dt>
              <dd>
                ${(p.spec?.containers ?? []).map((c: { image: string }) => c.image).join(', ')}
              </dd>
              <dt>Started</dt>
              <dd>${ago(p.status?.startTime)}</dd>
            </dl>
            <button @click=${() => deletePod(ns, name)}>Delete pod</button>`
        : html`<p>This pod is gone (deleted or not yet seen).</p>`
    }
    <h3>Events</h3>
    ${evs.length ? eventRows(evs) : html`<p>No events.</p>`}
    <h3>Log <small id="log-state">${logState.get()}</small></h3>
    <pre id="log" tabindex="0" aria-live="off">${logText.get()}</pre>`
}

function sparkline(samples: number[], what = 'request rate', unit = '/s') {
  if (samples.length < 2) return html`<span>collecting…</span>`
  const max = Math.max(...samples, 1e-9)
  const pts = samples
    .map(
      (v, i) =>
        `${((i / (samples.length - 1)) * 100).toFixed(1)},${(20 - (v / max) * 18).toFixed(1)}`,
    )
    .join(' ')
  return html`<svg
    class="spark"
    viewBox="0 0 100 20"
    preserveAspectRatio="none"
    role="img"
    aria-label="${what}, last ${samples.length} samples, peak ${max.toFixed(2)}${unit}"
  >
    <polyline points=${pts} fill="none" stroke="currentColor" stroke-width="1.5" />
  </svg>`
}

function servicesView() {
  const bySvc = servicePods(slices.objects.get())
  const rates = serviceRates.get()
  const meshes = serviceMesh.get()
  const sliceList = Object.values(slices.objects.get())
  const list = Object.values(services.objects.get()).sort((a, b) =>
    keyOf(a).localeCompare(keyOf(b)),
  )
  return html`<h2>Services <small>${list.length}</small></h2>
    <p class="note">
      Request rate: the sum, over the Service's endpoints, of what each pod served (the nodes'
      reports, sampled every 5 s). Errors and latency: what the nodes' meshes saw of the attempts
      sent to the Service's endpoints — errors (5xx answers, connect failures, timeouts) a second
      and their share of the attempts, and the slowest endpoint's p99 over the nodes' last window.
    </p>
    <table>
      <thead>
        <tr>
          <th>Service</th>
          <th>Type</th>
          <th>Ports</th>
          <th>Endpoints</th>
          <th>Requests/s</th>
          <th>Trend</th>
          <th>Errors</th>
          <th>Latency p99</th>
        </tr>
      </thead>
      <tbody>
        ${list.map((s) => {
          const key = keyOf(s)
          const eps = sliceList
            .filter(
              (x) =>
                x.metadata.namespace === s.metadata.namespace &&
                x.metadata.labels?.['kubernetes.io/service-name'] === s.metadata.name,
            )
            .flatMap(
              (x) =>
                (x.endpoints as {
                  addresses: string[]
                  conditions?: { ready?: boolean }
                  targetRef?: { name: string }
                  nodeName?: string
                }[]) ?? [],
            )
          const samples = rates[key] ?? []
          const mesh = meshes[key] ?? []
          const p99s = mesh.flatMap((m) => m.p99Ms ?? [])
          return html`<tr data-service=${key}>
            <td data-label="Service">${key}</td>
            <td data-label="Type">${s.spec?.type ?? 'ClusterIP'}</td>
            <td data-label="Ports">
              ${(s.spec?.ports ?? []).map((p: { port: number; protocol?: string }) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ')}
            </td>
            <td data-label="Endpoints">
              ${
                eps.length
                  ? eps.map(
                      (e) =>
                        html`<div>
                          ${e.conditions?.ready === false ? '✖ not ready' : '✔ ready'}
                          ${e.targetRef?.name ?? e.addresses.join(',')}${e.nodeName ? ` on ${e.nodeName}` : ''}
                        </div>`,
                    )
                  : html`none${bySvc.has(key) ? '' : ' (no EndpointSlice)'}`
              }
            </td>
            <td data-label="Requests/s" class="rate">
              ${samples.length ? samples.at(-1)!.toFixed(2) : '—'}
            </td>
            <td data-label="Trend">${sparkline(samples)}</td>
            <td data-label="Errors" class="errors">${errorText(mesh.at(-1))}</td>
            <td data-label="Latency p99">
              <span class="latency">${latencyText(mesh.at(-1)?.p99Ms)}</span>
              ${sparkline(p99s, 'latency p99', ' ms')}
            </td>
          </tr>`
        })}
      </tbody>
    </table>`
}

const eventsView = () =>
  html`<h2>Recent events <small>${eventList.get().length}</small></h2>
    ${eventRows(eventList.get())}`

function signInView() {
  return html`<main id="main">
    <h1>Shoal fleet</h1>
    <form
      class="signin"
      @submit=${(e: SubmitEvent) => {
        e.preventDefault()
        token.set(String(new FormData(e.target as HTMLFormElement).get('token') ?? '').trim())
        void start()
      }}
    >
      <label for="token">Token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="off"
        required
        placeholder="shoal token issue --role viewer"
      />
      <button type="submit">Sign in</button>
      ${notice.get()?.error ? html`<p role="alert" class="error">${notice.get()!.text}</p>` : nothing}
      <p class="note">
        A viewer token is enough to look (<code>shoal token issue --role viewer</code>); scaling,
        restarts, cordon, drain and deleting pods need an admin token.
      </p>
    </form>
  </main>`
}

const TABS: [string, string][] = [
  ['nodes', 'Nodes'],
  ['workloads', 'Workloads'],
  ['services', 'Services'],
  ['events', 'Events'],
]

function page(): TemplateResult {
  const who = whoami.get()
  if (!who) return signInView()
  const [view = 'nodes', a = '', b = ''] = route.get()
  const n = notice.get()
  const states = followed.get().map((c) => c.state.get())
  const live = states.every((s) => s === 'live')
  return html`<header>
      <h1>Shoal fleet</h1>
      <nav aria-label="views">
        ${TABS.map(
          ([id, label]) =>
            html`<a href="#/${id}" aria-current=${view === id ? 'page' : 'false'}>${label}</a>`,
        )}
      </nav>
      <div class="who">
        <span>${who.name} (${who.admin ? 'admin' : 'viewer: read only'})</span>
        <span class="st ${live ? 'ok' : 'bad'}"
          >${live ? '● live' : '○ ' + states.find((s) => s !== 'live')}</span
        >
        <button @click=${signOut}>Sign out</button>
      </div>
    </header>
    <div id="notice" class=${n?.error ? 'error' : 'info'} role=${n?.error ? 'alert' : 'status'}>
      ${n?.text ?? ''}
    </div>
    <main id="main">
      ${
        view === 'pod'
          ? podView(a, b)
          : view === 'workloads'
            ? workloadsView()
            : view === 'services'
              ? servicesView()
              : view === 'events'
                ? eventsView()
                : nodesView()
      }
    </main>`
}

// ---- wiring ----------------------------------------------------------------------------------

// The page's API calls share the browser's six HTTP/1.1 connections to the plane (HTTP/1.1: one
// open watch holds one connection), so only the watches the view shown needs are open (at most
// two, and a log): actions and sign-in always find a free connection.
const NEEDS: Record<string, Collection[]> = {
  nodes: [nodes, pods],
  workloads: [deployments, pods],
  pod: [pods, events],
  services: [services, slices],
  events: [events],
}
const following = new Map<Collection, AbortController>()
const followed = atom<Collection[]>([])

function followFor(view: string) {
  const want = new Set(whoami.get() ? (NEEDS[view] ?? NEEDS.nodes) : [])
  for (const [c, ac] of following)
    if (!want.has(c)) {
      ac.abort()
      following.delete(c)
      c.state.set('connecting')
    }
  for (const c of want)
    if (!following.has(c)) {
      const ac = new AbortController()
      following.set(c, ac)
      void follow(c, ac.signal)
    }
  followed.set([...want])
}

let running: AbortController | undefined
let queued = false
const draw = () => {
  if (queued) return
  queued = true
  requestAnimationFrame(() => {
    queued = false
    render(page(), document.body)
  })
}

async function start() {
  running?.abort()
  try {
    const self = await apiJson<{ status: { userInfo: { username: string } } }>(
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      {
        method: 'POST',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      },
    )
    const can = await apiJson<{ status: { allowed: boolean } }>(
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      {
        method: 'POST',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              verb: 'patch',
              group: 'apps',
              resource: 'deployments',
              subresource: 'scale',
            },
          },
        },
      },
    )
    notice.set(undefined)
    whoami.set({ name: self.status.userInfo.username, admin: can.status.allowed })
  } catch (err) {
    notice.set({ error: true, text: `sign-in failed: ${(err as Error).message}` })
    whoami.set(undefined)
    return draw()
  }
  const ac = (running = new AbortController())
  void pollRates(ac.signal)
  onRoute(true)
}

function signOut() {
  running?.abort()
  logAbort?.abort()
  token.set('')
  whoami.set(undefined)
  followFor('')
  shownPod = ''
  notice.set(undefined)
  for (const c of collections) c.objects.set({})
}

let shownPod = ''
function onRoute(restart = false) {
  const parts = location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent)
  route.set(parts)
  followFor(parts[0] ?? 'nodes')
  const pod = parts[0] === 'pod' ? `${parts[1]}/${parts[2]}` : ''
  if (pod !== shownPod || restart) {
    shownPod = pod
    if (pod && whoami.get()) followLog(parts[1], parts[2])
    else logAbort?.abort()
  }
}

const stores: ReadableAtom<unknown>[] = [
  whoami,
  followed,
  route,
  notice,
  logText,
  logState,
  nodeList,
  deploymentList,
  eventList,
  serviceRates,
  serviceMesh,
  pods.objects,
  services.objects,
  slices.objects,
  events.objects,
  nodes.objects,
  ...collections.map((c) => c.state),
]
for (const s of stores) s.listen(draw)
addEventListener('hashchange', () => onRoute())
setInterval(draw, 10_000) // the "… ago" texts
draw()
if (token.get()) void start()
