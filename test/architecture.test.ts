// Keeps the dependency direction of STYLE.md true by scanning import lines:
// api ← core ← {wasm-runtime, mesh, plane, node-agent}; node-agent → wasm-runtime, mesh;
// cli → api, core; inside plane: server → {store, scheduler, controllers, transport, registry},
// scheduler/controllers/transport/registry → store; store → nothing of plane's.
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
  'plane/store': ['api', 'core'],
  'plane/scheduler': ['api', 'core', 'plane/store'],
  'plane/controllers': ['api', 'core', 'plane/store'],
  'plane/transport': ['api', 'core', 'plane/store'],
  'plane/registry': ['api', 'core', 'plane/store'],
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

/** 'src/plane/store/log.ts' → 'plane/store'; 'src/api/pod.ts' → 'api'; main.ts → 'main' */
function componentOf(file: string): string | undefined {
  const rel = relative(src, file).split('/')
  if (rel[0] === '..' || rel.length === 1)
    return rel.length === 1 && rel[0] === 'main.ts' ? 'main' : undefined
  if (rel[0] === 'plane') return rel.length > 2 ? `plane/${rel[1]}` : 'plane'
  return rel[0]
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

test.run()
