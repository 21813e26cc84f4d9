// Keeps the dependency direction of STYLE.md true by scanning import lines:
// api ← core ← {wasm-runtime, mesh, plane, node-agent}; node-agent → wasm-runtime, mesh;
// cli → api, core; embed (Shoal as a library) → plane, node-agent;
// up (`shoal up`) → embed; inside plane: server → {store, scheduler, controllers, transport, registry},
// scheduler/controllers/transport/registry → store; registry → wasm-runtime (it prepares images
// at push with the runtime's own transpile); store → nothing of plane's.
// Inside plane/store, etcd's layers, each folder a component of its own: wal (the log) and mvcc
// (versions in memory) → nothing of the store; snap (snapshots) → wal, mvcc; the store's own
// files → wal, mvcc, snap. And no import cycles among the store's files.
// Another component is reached only through its index.ts, and nothing imports a main.ts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(dirname(new URL(import.meta.url).pathname), '..')
const src = join(root, 'src')

const allowed: Record<string, string[]> = {
  api: [],
  core: ['api'],
  'wasm-runtime': ['api', 'core'],
  mesh: ['api', 'core'],
  'node-agent': ['api', 'core', 'wasm-runtime', 'mesh'],
  cli: ['api', 'core'],
  embed: ['api', 'core', 'plane', 'node-agent'],
  up: ['api', 'core', 'embed'],
  'plane/store': ['api', 'core', 'plane/store/wal', 'plane/store/mvcc', 'plane/store/snap'],
  'plane/store/wal': ['api', 'core'],
  'plane/store/mvcc': ['api', 'core'],
  'plane/store/snap': ['api', 'core', 'plane/store/wal', 'plane/store/mvcc'],
  'plane/scheduler': ['api', 'core', 'plane/store'],
  'plane/controllers': ['api', 'core', 'plane/store'],
  'plane/transport': ['api', 'core', 'plane/store'],
  'plane/leader': ['api', 'core', 'plane/store'],
  'plane/registry': ['api', 'core', 'plane/store', 'wasm-runtime'],
  'plane/server': [
    'api',
    'core',
    'plane/store',
    'plane/scheduler',
    'plane/controllers',
    'plane/transport',
    'plane/registry',
  ],
  plane: [
    'api',
    'core',
    'plane/store',
    'plane/scheduler',
    'plane/controllers',
    'plane/transport',
    'plane/registry',
    'plane/server',
    'plane/leader',
  ],
}

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) files(p, out)
    else if (p.endsWith('.ts')) out.push(p)
  }
  return out
}

/** components whose folders are components of their own (layers, entered by their index.ts) */
const layered = ['plane/store']

/**
 * 'src/plane/store/log.ts' → 'plane/store'; 'src/plane/store/wal/writer.ts' → 'plane/store/wal';
 * 'src/api/pod.ts' → 'api'; main.ts → 'main'
 */
function componentOf(file: string): string | undefined {
  const rel = relative(src, file).split('/')
  if (rel[0] === '..' || rel.length === 1)
    return rel.length === 1 && rel[0] === 'main.ts' ? 'main' : undefined
  const c = rel[0] !== 'plane' ? rel[0] : rel.length > 2 ? `plane/${rel[1]}` : 'plane'
  const depth = c.split('/').length
  return layered.includes(c) && rel.length > depth + 1 ? `${c}/${rel[depth]}` : c
}

function importsOf(text: string): string[] {
  const specs: string[] = []
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g
  for (let m; (m = re.exec(text));) specs.push(m[1] ?? m[2])
  return specs.filter((s) => s.startsWith('.'))
}

function check(sources: { file: string; text: string }[]): string[] {
  const problems: string[] = []
  for (const { file, text } of sources) {
    const from = componentOf(file)
    if (!from || from === 'main') continue
    for (const spec of importsOf(text)) {
      const target = resolve(dirname(file), spec)
      const to = componentOf(target)
      const where = `${relative(root, file)} imports ${spec}`
      if (to === 'main') problems.push(`${where}: nothing may import main.ts`)
      if (!to || to === from || to === 'main') continue
      if (!(allowed[from] ?? []).includes(to))
        problems.push(`${where}: ${from} may not depend on ${to}`)
      else if (target !== join(src, to, 'index.ts'))
        problems.push(`${where}: reach ${to} through its index.ts`)
    }
  }
  return problems
}

/** Import cycles among the files under `dir` (relative to src/), each as a path back to its start. */
function cycles(sources: { file: string; text: string }[], dir: string): string[] {
  const under = join(src, dir) + '/'
  const edges = new Map<string, string[]>()
  for (const { file, text } of sources) {
    if (!file.startsWith(under)) continue
    const targets = importsOf(text).map((spec) => resolve(dirname(file), spec))
    edges.set(
      file,
      targets.filter((t) => t.startsWith(under)),
    )
  }
  const found: string[] = []
  const done = new Set<string>()
  const path: string[] = []
  const visit = (file: string) => {
    const at = path.indexOf(file)
    if (at >= 0) {
      found.push([...path.slice(at), file].map((f) => relative(under, f)).join(' → '))
      return
    }
    if (done.has(file)) return
    path.push(file)
    for (const t of edges.get(file) ?? []) visit(t)
    path.pop()
    done.add(file)
  }
  for (const file of edges.keys()) visit(file)
  return found
}

test('imports follow the dependency direction and enter components by index.ts', () => {
  const sources = files(src).map((file) => ({ file, text: readFileSync(file, 'utf8') }))
  assert.ok(sources.length > 0)
  assert.equal(check(sources), [])
})

test('the scanner catches upward imports, private reach-ins and imports of main.ts', () => {
  const problems = check([
    { file: join(src, 'plane/store/log.ts'), text: "import { x } from '../server/index.ts'\n" },
    {
      file: join(src, 'node-agent/agent.ts'),
      text: "import { y } from '../plane/store/index.ts'\n",
    },
    {
      file: join(src, 'node-agent/pods.ts'),
      text: "import { z } from '../wasm-runtime/worker.ts'\n",
    },
    { file: join(src, 'cli/get.ts'), text: "export { m } from '../main.ts'\n" },
    {
      file: join(src, 'mesh/table.ts'),
      text: "import { ok } from '../api/index.ts'\nimport { same } from './balancer.ts'\n",
    },
    {
      file: join(src, 'plane/plane.ts'),
      text: "import { box } from './server/security/index.ts'\n",
    },
  ])
  assert.equal(problems.length, 5, problems.join('\n'))
  assert.match(problems[0], /plane\/store may not depend on plane\/server/)
  assert.match(problems[1], /node-agent may not depend on plane\/store/)
  assert.match(problems[2], /through its index\.ts/)
  assert.match(problems[3], /nothing may import main\.ts/)
  assert.match(problems[4], /reach plane\/server through its index\.ts/)
})

test('the scanner keeps the store layered: wal and mvcc below snap, each folder by its index.ts', () => {
  const store = (file: string, ...specs: string[]) => ({
    file: join(src, 'plane/store', file),
    text: specs.map((s) => `import { x } from '${s}'\n`).join(''),
  })
  const problems = check([
    store('wal/writer.ts', './records.ts', '../../../core/index.ts', '../mvcc/index.ts'),
    store('wal/segments.ts', '../snap/index.ts'),
    store('mvcc/key-index.ts', '../wal/index.ts'),
    store('snap/snapshot.ts', '../wal/index.ts', '../mvcc/index.ts', '../wal/format.ts'),
    store('snap/snapshotter.ts', '../state.ts'),
    store('log-store.ts', './snap/index.ts', './wal/index.ts', './mvcc/revision.ts'),
    { file: join(src, 'plane/server/kv.ts'), text: "import { w } from '../store/wal/index.ts'\n" },
  ])
  assert.equal(problems.length, 7, problems.join('\n'))
  assert.match(problems[0], /plane\/store\/wal may not depend on plane\/store\/mvcc/)
  assert.match(problems[1], /plane\/store\/wal may not depend on plane\/store\/snap/)
  assert.match(problems[2], /plane\/store\/mvcc may not depend on plane\/store\/wal/)
  assert.match(problems[3], /wal\/format\.ts: reach plane\/store\/wal through its index\.ts/)
  assert.match(problems[4], /plane\/store\/snap may not depend on plane\/store$/)
  assert.match(problems[5], /revision\.ts: reach plane\/store\/mvcc through its index\.ts/)
  assert.match(problems[6], /plane\/server may not depend on plane\/store\/wal/)
})

test('the files of the store import each other without cycles', () => {
  const sources = files(join(src, 'plane/store')).map((file) => ({
    file,
    text: readFileSync(file, 'utf8'),
  }))
  assert.ok(sources.length > 0)
  assert.equal(cycles(sources, 'plane/store'), [])
})

test('the cycle finder names each cycle, type-only imports included', () => {
  const at = (file: string, spec: string) => ({
    file: join(src, 'plane/store/wal', file),
    text: spec ? `import type { X } from '${spec}'\n` : '',
  })
  const found = cycles(
    [
      at('records.ts', './fast-decode.ts'),
      at('fast-decode.ts', './records.ts'),
      at('writer.ts', './records.ts'),
      at('format.ts', ''),
    ],
    'plane/store',
  )
  assert.equal(found, ['wal/records.ts → wal/fast-decode.ts → wal/records.ts'])
})

test.run()
