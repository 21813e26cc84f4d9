// How deep a YAML text nests, read from the yaml package's lexer (a loop, no recursion) before
// the parser sees it: the parser and composer recurse, and a body of 100,000 "[" once warmed-up
// took the whole process down (V8 ran out of memory compiling a regular expression at the stack's
// end) instead of throwing. An upper bound is enough: a line indented deeper than the one before
// nests under everything that line opened; on a line, each open flow bracket and each indicator
// ("- ", "? ", "key: ") may open a level.
import { Lexer } from 'yaml'

const SPACE = /^[ \t]+$/

interface Block {
  indent: number
  /** levels open above lines at this indentation */
  base: number
}

/** nesting the text reaches (at least what the parser builds), or `limit + 1` as soon as it passes `limit` */
export function yamlNesting(text: string, limit: number): number {
  const blocks: Block[] = [{ indent: 0, base: 0 }]
  let flow = 0
  let onLine = 0
  let base = 0
  let lineEnd = 0
  let atLineStart = true
  let max = 0
  for (const token of new Lexer().lex(text)) {
    if (token === '\n' || token === '\r\n') {
      if (!atLineStart) lineEnd = base + onLine + flow
      atLineStart = true
      onLine = 0
      continue
    }
    if (atLineStart) {
      atLineStart = false
      base = enterLine(blocks, SPACE.test(token) ? token.length : 0, lineEnd)
      if (SPACE.test(token)) continue
    }
    if (token === '[' || token === '{') flow++
    else if (token === ']' || token === '}') flow = Math.max(0, flow - 1)
    else if (flow === 0 && (token === '-' || token === '?' || token === ':')) onLine++
    max = Math.max(max, base + onLine + flow)
    if (max > limit) return limit + 1
  }
  return max
}

/** the levels open above a line indented `indent` columns, after a line that ended `previous` deep */
function enterLine(blocks: Block[], indent: number, previous: number): number {
  while (blocks.length > 1 && blocks[blocks.length - 1].indent > indent) blocks.pop()
  if (blocks[blocks.length - 1].indent < indent) blocks.push({ indent, base: previous })
  return blocks[blocks.length - 1].base
}
