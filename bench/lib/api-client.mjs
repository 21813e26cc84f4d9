// The HTTPS client bench/api.mjs and bench/http-floor.mjs drive an API server with: Node's https
// agent with keep-alive (one socket per request in flight), watch streams read line by line, and
// the watch-latency case (create call → the event on each of N watch streams, one create in flight).
// `plane`: the server, { url, ca, token }.
import { Agent, request } from 'node:https'
import { performance } from 'node:perf_hooks'
import { percentile } from './measure.mjs'
import { podCreateBody as pod } from './pod.mjs'

export function client(plane, maxSockets) {
  const agent = new Agent({ keepAlive: true, maxSockets, ca: plane.ca })
  const { hostname, port } = new URL(plane.url)
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
      const req = request(
        {
          agent,
          hostname,
          port,
          method,
          path,
          headers: {
            authorization: `Bearer ${plane.token}`,
            'content-type': 'application/json',
            ...(data ? { 'content-length': data.length } : {}),
          },
        },
        (res) => {
          const chunks = []
          res.on('data', (c) => chunks.push(c))
          res.on('end', () =>
            res.statusCode >= 300
              ? reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks)}`))
              : resolve(Buffer.concat(chunks)),
          )
        },
      )
      req.on('error', reject)
      req.end(data)
    })
}

export async function ns(call, name) {
  await call('POST', '/api/v1/namespaces', { metadata: { name } })
}

export function openWatch(plane, path, onLine) {
  const { hostname, port } = new URL(plane.url)
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, ca: plane.ca, headers: { authorization: `Bearer ${plane.token}` } },
      (res) => {
        let buf = ''
        res.on('data', (d) => {
          // the arrival time is taken before any parsing: 100 streams share this one client
          // process, and its own JSON work would otherwise be counted as the server's latency
          const at = performance.now()
          buf += d
          let i
          while ((i = buf.indexOf('\n')) >= 0)
            (onLine(buf.slice(0, i), at), (buf = buf.slice(i + 1)))
        })
        resolve(() => req.destroy())
      },
    )
    req.on('error', (e) => (e.code === 'ECONNRESET' ? undefined : reject(e)))
    req.end()
  })
}

/**
 * `dur`: ms of creates, one at a time, each seen on `watchers` streams, after `warmup` ms of the
 * same that are not counted (the first second of events through fresh streams runs colder code:
 * p99 12.5–14 ms against 9.3–11 ms in three runs right after, on the same plane)
 */
export async function watchCase(
  plane,
  call,
  { dur, warmup = 1000, watchers = 100, namespace = 'watch' },
) {
  await ns(call, namespace)
  const rv = JSON.parse(await call('GET', `/api/v1/namespaces/${namespace}/pods`)).metadata
    .resourceVersion
  const started = new Map()
  const lat = []
  const acks = [] // create call → its response
  const spread = [] // first watcher → last watcher, per event
  let first = Infinity
  let last = 0
  const closers = []
  // lines are parsed after the event has reached every stream: parsing one stream's line in its
  // data handler would delay the next stream's arrival (100 streams share this one process)
  const pending = []
  const take = () => {
    for (const [line, at] of pending.splice(0)) {
      const t = started.get(JSON.parse(line).object.metadata.name)
      if (t === undefined) continue
      lat.push(at - t)
      first = Math.min(first, at)
      last = Math.max(last, at)
    }
  }
  let arrived = 0
  for (let i = 0; i < watchers; i++) {
    closers.push(
      await openWatch(
        plane,
        `/api/v1/namespaces/${namespace}/pods?watch=true&resourceVersion=${rv}`,
        (line, at) => (pending.push([line, at]), arrived++),
      ),
    )
  }
  const from = performance.now() + warmup
  const end = from + dur
  let n = 0
  while (performance.now() < end) {
    const name = `w-${n++}`
    const t = performance.now()
    const counted = t >= from
    if (counted) started.set(name, t)
    first = Infinity
    last = 0
    await call('POST', `/api/v1/namespaces/${namespace}/pods`, pod(name))
    if (counted) acks.push(performance.now() - t)
    while (arrived < n * watchers && performance.now() < end + 2000)
      await new Promise((r) => setImmediate(r))
    take()
    if (last) spread.push(last - first)
  }
  closers.forEach((c) => c())
  const ms = (a, p) =>
    +percentile(
      a.sort((x, y) => x - y),
      p,
    ).toFixed(2)
  return {
    watchers,
    events: lat.length,
    p50_ms: ms(lat, 50),
    p99_ms: ms(lat, 99),
    create_p50_ms: ms(acks, 50),
    create_p99_ms: ms(acks, 99),
    spread_p50_ms: ms(spread, 50),
    spread_p99_ms: ms(spread, 99),
  }
}
