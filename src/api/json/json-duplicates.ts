// Duplicate keys in a JSON text. JSON.parse keeps the last of them silently; Kubernetes' strict
// decoder reports each one ("duplicate field \"spec.paused\""). The scanner assumes text that
// JSON.parse accepted, and records where each key path first appears, so that a caller can list
// duplicate and unknown fields in document order as Kubernetes does.

export interface JsonKeys {
  /** each repeated key: its path ("metadata.name", "[1].path") and the offset of the repeat */
  duplicates: { path: string; at: number }[]
  /** every key path and the offset where it first appears */
  firstSeen: Map<string, number>
}

/** nesting deeper than this is not scanned (the parse already succeeded; this only bounds the stack) */
const maxDepth = 512

const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t'

export function scanJsonKeys(text: string): JsonKeys {
  const keys: JsonKeys = { duplicates: [], firstSeen: new Map() }
  const s = new Scanner(text, keys)
  try {
    s.value('', 0)
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
  }
  return keys
}

/**
 * The keys of a text JSON.parse turned into `value`, scanned only as far as asked: a text with
 * as many keys as its parsed value holds has no duplicates, so the full scan runs only when
 * they differ or when `firstSeen` is read (to order unknown fields). Call it right after the
 * parse, before anything changes `value`; `keys`, when the caller counted them already
 * (body-check.ts does), saves a walk.
 */
export function lazyJsonKeys(
  text: string,
  value: unknown,
  keys: number = countKeys(value),
): JsonKeys {
  let full: JsonKeys | undefined
  const scan = () => (full ??= scanJsonKeys(text))
  const clean = countKeyTokens(text) === keys
  return {
    get duplicates() {
      return clean ? [] : scan().duplicates
    },
    get firstSeen() {
      return scan().firstSeen
    },
  }
}

/** object keys in a JSON text: strings followed by a colon */
function countKeyTokens(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x22) continue
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 0x5c) i++
      else if (c === 0x22) break
    }
    let j = i + 1
    while (j < text.length && isSpace(text[j])) j++
    if (text.charCodeAt(j) === 0x3a) n++
  }
  return n
}

function countKeys(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0
  let n = 0
  if (Array.isArray(v)) {
    for (const x of v) n += countKeys(x)
    return n
  }
  for (const k in v) if (Object.hasOwn(v, k)) n += 1 + countKeys((v as Record<string, unknown>)[k])
  return n
}

class Scanner {
  #text: string
  #keys: JsonKeys
  #i = 0
  constructor(text: string, keys: JsonKeys) {
    this.#text = text
    this.#keys = keys
  }

  #skip(): string {
    while (this.#i < this.#text.length && isSpace(this.#text[this.#i])) this.#i++
    return this.#text[this.#i]
  }

  #stringEnd(from: number): number {
    let i = from + 1
    while (i < this.#text.length && this.#text[i] !== '"') i += this.#text[i] === '\\' ? 2 : 1
    return i + 1
  }

  value(path: string, depth: number): void {
    if (depth > maxDepth) throw new RangeError('json: nested too deeply to scan')
    const c = this.#skip()
    if (c === '{') return this.#object(path, depth)
    if (c === '[') return this.#array(path, depth)
    if (c === '"') {
      this.#i = this.#stringEnd(this.#i)
      return
    }
    while (
      this.#i < this.#text.length &&
      !',]}'.includes(this.#text[this.#i]) &&
      !isSpace(this.#text[this.#i])
    )
      this.#i++
  }

  #object(path: string, depth: number): void {
    this.#i++
    const seen = new Set<string>()
    while (this.#skip() !== '}' && this.#i < this.#text.length) {
      const at = this.#i
      const end = this.#stringEnd(at)
      const key = JSON.parse(this.#text.slice(at, end)) as string
      const p = path ? `${path}.${key}` : key
      if (seen.has(key)) this.#keys.duplicates.push({ path: p, at })
      else if (!this.#keys.firstSeen.has(p)) this.#keys.firstSeen.set(p, at)
      seen.add(key)
      this.#i = end
      this.#skip()
      this.#i++ // ':'
      this.value(p, depth + 1)
      if (this.#skip() === ',') this.#i++
    }
    this.#i++
  }

  #array(path: string, depth: number): void {
    this.#i++
    for (let n = 0; this.#skip() !== ']' && this.#i < this.#text.length; n++) {
      this.value(`${path}[${n}]`, depth + 1)
      if (this.#skip() === ',') this.#i++
    }
    this.#i++
  }
}
