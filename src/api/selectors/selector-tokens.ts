// The lexer of label selector strings (apimachinery's labels lexer): words, the keywords
// "in"/"notin", and the symbols ! != = == ( ) , > <. Whitespace separates and is dropped.

export interface Token {
  kind: 'word' | 'in' | 'notin' | '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '>' | '<'
  text: string
  /** offset in the selector string, for error messages */
  pos: number
}

const symbols = ['!=', '==', '!', '=', '(', ')', ',', '>', '<'] as const
const special = /[\s!=(),<>]/

export function tokenize(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++
      continue
    }
    const sym = symbols.find((s) => text.startsWith(s, i))
    if (sym) {
      out.push({ kind: sym, text: sym, pos: i })
      i += sym.length
      continue
    }
    let j = i
    while (j < text.length && !special.test(text[j])) j++
    const word = text.slice(i, j)
    out.push({
      kind: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'word',
      text: word,
      pos: i,
    })
    i = j
  }
  return out
}
