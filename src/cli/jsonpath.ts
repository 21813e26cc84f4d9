// -o jsonpath=TEMPLATE: a subset of kubectl's JSONPath templates, hand-written because the
// well-kept JSONPath libraries (jsonpath-plus) need Node 22 and none of them does kubectl's
// template syntax. Supported: text around {…} expressions; paths from the root or `@`
// (`.a.b`, `['a.b']`, `[n]`, `[-1]`, `[*]`, `[a:b]`, `..name` recursive, `[?(@.x=="y")]` with
// == != < > <= >= or a bare path for existence); {range PATH}…{end}; {"literal"} with \n \t;
// several values of one expression joined by a space; objects and arrays printed as JSON.
import { usageError } from './errors.ts'

type Node = { text: string } | { expr: string } | { range: string; body: Node[] }

function parseTemplate(tpl: string): Node[] {
  const root: Node[] = []
  const stack: Node[][] = [root]
  let i = 0
  while (i < tpl.length) {
    const open = tpl.indexOf('{', i)
    if (open < 0) {
      stack.at(-1)!.push({ text: tpl.slice(i) })
      break
    }
    if (open > i) stack.at(-1)!.push({ text: tpl.slice(i, open) })
    const close = closing(tpl, open)
    const inner = tpl.slice(open + 1, close).trim()
    i = close + 1
    if (inner.startsWith('range ')) {
      const body: Node[] = []
      stack.at(-1)!.push({ range: inner.slice(6).trim(), body })
      stack.push(body)
    } else if (inner === 'end') {
      if (stack.length < 2) throw usageError(`error parsing jsonpath ${tpl}, not in range`)
      stack.pop()
    } else stack.at(-1)!.push({ expr: inner })
  }
  if (stack.length > 1) throw usageError(`error parsing jsonpath ${tpl}, unclosed range`)
  return root
}

function closing(tpl: string, open: number): number {
  let quote = ''
  for (let j = open + 1; j < tpl.length; j++) {
    const c = tpl[j]
    if (quote) {
      if (c === '\\') j++
      else if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '}') return j
  }
  throw usageError(`error parsing jsonpath ${tpl}, unclosed action`)
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

function descend(v: unknown, out: unknown[]) {
  out.push(v)
  if (isObj(v)) for (const c of Object.values(v)) descend(c, out)
}

function literal(s: string): unknown {
  const t = s.trim()
  if (/^["'].*["']$/.test(t)) return t.slice(1, -1)
  if (t !== '' && !isNaN(Number(t))) return Number(t)
  return t === 'true' ? true : t === 'false' ? false : t
}

function filter(items: unknown[], cond: string): unknown[] {
  const m = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(cond.trim())
  return items.filter((item) => {
    const got = evaluate(m ? m[1] : cond.trim(), [item], item)
    if (!m) return got.length > 0
    const want = literal(m[3])
    return got.some((g) => {
      const a = g as number
      const b = want as number
      switch (m[2]) {
        case '==':
          return g === want || String(g) === String(want)
        case '!=':
          return String(g) !== String(want)
        case '<':
          return a < b
        case '>':
          return a > b
        case '<=':
          return a <= b
        default:
          return a >= b
      }
    })
  })
}

function bracket(cur: unknown[], inner: string): unknown[] {
  const next: unknown[] = []
  if (inner.startsWith('?(')) {
    for (const v of cur) if (Array.isArray(v)) next.push(...filter(v, inner.slice(2, -1)))
    return next
  }
  for (const v of cur) {
    if (/^['"]/.test(inner)) {
      const k = inner.slice(1, -1)
      if (isObj(v) && k in v) next.push(v[k])
    } else if (inner === '*')
      next.push(...(Array.isArray(v) ? v : isObj(v) ? Object.values(v) : []))
    else if (Array.isArray(v) && inner.includes(':')) {
      const [a, b] = inner.split(':').map((x) => (x.trim() === '' ? undefined : Number(x)))
      next.push(...v.slice(a, b))
    } else if (Array.isArray(v)) {
      const n = Number(inner)
      const el = v[n < 0 ? v.length + n : n]
      if (el !== undefined) next.push(el)
    }
  }
  return next
}

/** the values a path names, from `cur` ($ or @ start from root/current) */
function evaluate(path: string, cur: unknown[], root: unknown): unknown[] {
  let p = path.trim()
  if (p.startsWith('$')) {
    cur = [root]
    p = p.slice(1)
  } else if (p.startsWith('@')) p = p.slice(1)
  while (p) {
    if (p.startsWith('..')) {
      const all: unknown[] = []
      for (const v of cur) descend(v, all)
      cur = all
      p = p.slice(1)
    } else if (p[0] === '.') {
      const m = /^\.([^.[\]]*)/.exec(p)!
      p = p.slice(m[0].length)
      if (!m[1]) continue
      cur = cur.flatMap((v) =>
        isObj(v) && !Array.isArray(v) && m[1] in v
          ? [v[m[1]]]
          : m[1] === '*' && isObj(v)
            ? Object.values(v)
            : [],
      )
    } else if (p[0] === '[') {
      const end = closeBracket(p)
      cur = bracket(cur, p.slice(1, end).trim())
      p = p.slice(end + 1)
    } else throw usageError(`error parsing jsonpath ${path}: unexpected "${p}"`)
  }
  return cur
}

function closeBracket(p: string): number {
  let depth = 0
  for (let j = 0; j < p.length; j++) {
    if (p[j] === '[' || p[j] === '(') depth++
    else if (p[j] === ']' || p[j] === ')') if (--depth === 0 && p[j] === ']') return j
  }
  throw usageError(`error parsing jsonpath ${p}: unclosed [`)
}

const show = (v: unknown) => (isObj(v) ? JSON.stringify(v) : String(v))

function run(nodes: Node[], cur: unknown, root: unknown): string {
  let out = ''
  for (const n of nodes) {
    if ('text' in n) out += n.text
    else if ('range' in n) {
      for (const item of evaluate(n.range, [cur], root)) out += run(n.body, item, root)
    } else if (/^["']/.test(n.expr))
      out += JSON.parse(`"${n.expr.slice(1, -1).replace(/"/g, '\\"')}"`)
    else out += evaluate(n.expr, [cur], root).map(show).join(' ')
  }
  return out
}

/** renders a kubectl JSONPath template against a value */
export function jsonpath(template: string, value: unknown): string {
  return run(parseTemplate(template), value, value)
}
