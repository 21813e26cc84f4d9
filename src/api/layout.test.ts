// The rooms of src/api (index.ts names them): every file but the surface and its tests lives in
// a room folder with an index.ts that opens with its contract; a file imports its siblings
// directly and another room only through that room's index.ts; src/api imports nothing outside
// itself; and the rooms depend on each other without a cycle (tests aside: a test may use a
// room above its own to build a sample).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const api = dirname(new URL(import.meta.url).pathname)

interface Source {
  /** path relative to src/api: "validation/validate.ts" */
  file: string
  text: string
}

function sources(dir = api, out: Source[] = []): Source[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) sources(p, out)
    else if (p.endsWith('.ts')) out.push({ file: relative(api, p), text: readFileSync(p, 'utf8') })
  }
  return out
}

function importsOf(text: string): string[] {
  const specs: string[] = []
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g
  for (let m; (m = re.exec(text));) specs.push(m[1] ?? m[2])
  return specs.filter((s) => s.startsWith('.'))
}

/** "validation/validate.ts" → "validation"; "index.ts" → "" (the surface) */
const roomOf = (file: string) => (file.includes('/') ? file.split('/')[0] : '')

/** The problems of a set of sources, and the room → rooms edges of the files that are not tests. */
function check(all: Source[]): { problems: string[]; edges: Map<string, Set<string>> } {
  const problems: string[] = []
  const edges = new Map<string, Set<string>>()
  for (const { file, text } of all) {
    const from = roomOf(file)
    if (file.split('/').length > 2) problems.push(`${file}: rooms hold files, not folders`)
    for (const spec of importsOf(text)) {
      const target = relative(api, resolve(join(api, dirname(file)), spec))
      const to = roomOf(target)
      const where = `${file} imports ${spec}`
      if (target.startsWith('..')) problems.push(`${where}: src/api imports nothing of ours`)
      else if (to === from) continue
      else if (to === '') problems.push(`${where}: a room never imports the surface`)
      else if (target !== `${to}/index.ts`)
        problems.push(`${where}: reach ${to} through its index.ts`)
      else if (from !== '' && !file.endsWith('.test.ts'))
        edges.set(from, (edges.get(from) ?? new Set()).add(to))
    }
  }
  return { problems, edges }
}

/** A cycle among the rooms as "a → b → a", or undefined. */
function cycle(edges: Map<string, Set<string>>): string | undefined {
  const done = new Set<string>()
  const visit = (room: string, path: string[]): string | undefined => {
    if (path.includes(room)) return [...path.slice(path.indexOf(room)), room].join(' → ')
    if (done.has(room)) return undefined
    for (const next of edges.get(room) ?? []) {
      const found = visit(next, [...path, room])
      if (found) return found
    }
    done.add(room)
    return undefined
  }
  for (const room of edges.keys()) {
    const found = visit(room, [])
    if (found) return found
  }
  return undefined
}

const all = sources()

test('every file but the surface lives in a room whose index.ts opens with its contract', () => {
  const loose = all.filter((s) => roomOf(s.file) === '').map((s) => s.file)
  assert.equal(loose.sort(), [
    'index.test.ts',
    'index.ts',
    'layout.test.ts',
    'malformed-input.test.ts',
  ])
  const rooms = new Set(all.map((s) => roomOf(s.file)).filter(Boolean))
  assert.ok(rooms.size >= 10, [...rooms].join(', '))
  for (const room of rooms) {
    const index = all.find((s) => s.file === `${room}/index.ts`)
    assert.ok(index, `${room}/ has no index.ts`)
    assert.match(
      index.text,
      new RegExp(`^// src/api/${room} — `),
      `${room}/index.ts opens with its contract`,
    )
  }
})

test('files import siblings directly and other rooms only through their index.ts', () => {
  assert.equal(check(all).problems, [])
})

test('the rooms depend on each other without a cycle', () => {
  const { edges } = check(all)
  assert.ok(edges.size > 0)
  assert.is(cycle(edges), undefined)
})

test('the checks catch reach-ins, escapes, folders in rooms and cycles', () => {
  const { problems, edges } = check([
    { file: 'tables/table.ts', text: "import { x } from '../selectors/label-selector.ts'\n" },
    { file: 'json/json-value.ts', text: "import { y } from '../../core/index.ts'\n" },
    { file: 'patches/patch.ts', text: "export { z } from '../index.ts'\n" },
    { file: 'schemas/deep/x.ts', text: "import { same } from '../x.ts'\n" },
    { file: 'formats/quantity.ts', text: "import { ok } from '../json/index.ts'\n" },
    { file: 'json/body-check.ts', text: "import { loop } from '../formats/index.ts'\n" },
    { file: 'json/json-value.test.ts', text: "import { t } from '../tables/index.ts'\n" },
  ])
  assert.equal(problems.length, 4, problems.join('\n'))
  assert.match(problems[0], /reach selectors through its index\.ts/)
  assert.match(problems[1], /src\/api imports nothing of ours/)
  assert.match(problems[2], /a room never imports the surface/)
  assert.match(problems[3], /rooms hold files, not folders/)
  assert.is(cycle(edges), 'formats → json → formats')
})

test.run()
