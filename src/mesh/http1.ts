// HTTP/1.1 framing for the mesh's fast path (fast-path.ts): a request head parsed from the bytes
// a client sent, and an upstream answer's head and body framing (Content-Length, chunked, or up to
// the close), scanned as it streams so the answer's bytes are relayed as they came. Pure: no
// sockets; bad input is an error naming what is wrong.

/** the largest request or answer head taken (node:http's default is 16 KiB) */
export const MAX_HEAD_BYTES = 16 * 1024
/** the longest chunk-size line or trailer line of a chunked body */
const MAX_LINE_BYTES = 4 * 1024

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** field values: visible ASCII, obs-text, space and tab (no CR, LF or NUL) */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
const TARGET = /^[\x21-\x7e\x80-\xff]+$/

export interface RequestHead {
  method: string
  target: string
  /** [name as sent, value trimmed, …] */
  headers: string[]
  host: string | undefined
  /** 0 without a Content-Length */
  contentLength: number
  /** the client asked for the connection to close after the answer */
  close: boolean
  /** header names (lowercase) the Connection header names, beside keep-alive / close */
  connectionTokens: Set<string> | undefined
  /** Expect: 100-continue (the client waits for a 100 before it sends the body) */
  expectContinue: boolean
  /** why the fast path leaves this request to node:http (it is valid, but not plain) */
  fallback: string | undefined
  /** bytes of the head including its blank line */
  headBytes: number
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** the index just past the head's blank line (\r\n\r\n) in buf, or -1 when it has not all come */
export function headEnd(buf: Buffer, from = 0): number {
  const i = buf.indexOf('\r\n\r\n', Math.max(0, from - 3), 'latin1')
  return i < 0 ? -1 : i + 4
}

/** the request head that ends at `end` (from headEnd); throws HttpError 400 for a malformed one */
export function parseRequestHead(buf: Buffer, end: number): RequestHead {
  const text = buf.toString('latin1', 0, end - 4)
  const lines = text.split('\r\n')
  const line = lines[0]!
  const sp1 = line.indexOf(' ')
  const sp2 = line.indexOf(' ', sp1 + 1)
  if (sp1 <= 0 || sp2 < 0) throw new HttpError(400, `malformed request line "${clip(line)}"`)
  const method = line.slice(0, sp1)
  const target = line.slice(sp1 + 1, sp2)
  const version = line.slice(sp2 + 1)
  if (!TOKEN.test(method)) throw new HttpError(400, `malformed method "${clip(method)}"`)
  if (!TARGET.test(target)) throw new HttpError(400, `malformed request target "${clip(target)}"`)
  let fallback: string | undefined
  if (version === 'HTTP/1.0') fallback = 'HTTP/1.0'
  else if (version !== 'HTTP/1.1')
    throw new HttpError(400, `unsupported version "${clip(version)}"`)
  if (method === 'CONNECT') fallback ??= 'CONNECT'
  const headers: string[] = []
  let host: string | undefined
  let contentLength: number | undefined
  let close = false
  let connectionTokens: Set<string> | undefined
  let expectContinue = false
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!
    const colon = l.indexOf(':')
    if (colon <= 0) throw new HttpError(400, `malformed header line "${clip(l)}"`)
    const name = l.slice(0, colon)
    if (!TOKEN.test(name)) throw new HttpError(400, `malformed header name "${clip(name)}"`)
    const value = l.slice(colon + 1).trim()
    if (!VALUE.test(value)) throw new HttpError(400, `malformed value of header "${clip(name)}"`)
    headers.push(name, value)
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          if (host !== undefined) throw new HttpError(400, 'more than one Host header')
          host = value
        }
        break
      case 6:
        if (name.toLowerCase() === 'expect') {
          if (value.toLowerCase() !== '100-continue')
            throw new HttpError(417, `unsupported expectation "${clip(value)}"`)
          expectContinue = true
        }
        break
      case 7:
        if (name.toLowerCase() === 'upgrade') fallback ??= 'Upgrade'
        break
      case 10:
        if (name.toLowerCase() === 'connection')
          for (const t of value.split(',')) {
            const token = t.trim().toLowerCase()
            if (token === 'close') close = true
            else if (token === 'upgrade') fallback ??= 'Upgrade'
            else if (token !== 'keep-alive' && token !== '')
              (connectionTokens ??= new Set()).add(token)
          }
        break
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (!/^\d{1,15}$/.test(value))
            throw new HttpError(400, `malformed Content-Length "${clip(value)}"`)
          const n = Number(value)
          if (contentLength !== undefined && contentLength !== n)
            throw new HttpError(400, 'conflicting Content-Length headers')
          contentLength = n
        }
        break
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') fallback ??= 'Transfer-Encoding'
        break
    }
  }
  return {
    method,
    target,
    headers,
    host,
    contentLength: contentLength ?? 0,
    close,
    connectionTokens,
    fallback,
    expectContinue,
    headBytes: end,
  }
}

/** an upstream answer's status line and headers */
export interface ResponseHead {
  status: number
  reason: string
  /** [lowercase name, value, …] without hop-by-hop ones (framing, Connection and what it names) */
  headers: string[]
  /** the upstream's Via, if any */
  via: string | undefined
  framing: 'none' | 'length' | 'chunked' | 'close'
  contentLength: number
  /** the upstream connection can carry another request after this answer */
  reusable: boolean
}

/** the answer head that ends at `end`; `noBody`: a HEAD request (its answer has no body).
 *  Throws HttpError 502 for a malformed one. */
export function parseResponseHead(
  buf: Buffer,
  end: number,
  noBody: boolean,
  hop: ReadonlySet<string>,
): ResponseHead {
  const text = buf.toString('latin1', 0, end - 4)
  const lines = text.split('\r\n')
  const line = lines[0]!
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(line)
  if (!m) throw new HttpError(502, `malformed status line "${clip(line)}"`)
  const status = Number(m[2])
  let reusable = m[1] === '1'
  const raw: string[] = []
  let named: Set<string> | undefined
  let via: string | undefined
  let contentLength: number | undefined
  let chunked = false
  let te = false
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!
    const colon = l.indexOf(':')
    if (colon <= 0 || !TOKEN.test(l.slice(0, colon)))
      throw new HttpError(502, `malformed header line "${clip(l)}"`)
    const name = l.slice(0, colon).toLowerCase()
    const value = l.slice(colon + 1).trim()
    if (!VALUE.test(value)) throw new HttpError(502, `malformed value of header "${clip(name)}"`)
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value))
        throw new HttpError(502, `malformed Content-Length "${clip(value)}"`)
      const n = Number(value)
      if (contentLength !== undefined && contentLength !== n)
        throw new HttpError(502, 'conflicting Content-Length headers')
      contentLength = n
      raw.push(name, value)
    } else if (name === 'transfer-encoding') {
      te = true
      chunked = value.toLowerCase().split(',').pop()!.trim() === 'chunked'
    } else if (name === 'connection') {
      for (const t of value.split(',')) {
        const token = t.trim().toLowerCase()
        if (token === 'close') reusable = false
        else if (token !== 'keep-alive' && token !== '') (named ??= new Set()).add(token)
      }
    } else if (name === 'via') via = via ? `${via}, ${value}` : value
    else if (!hop.has(name)) raw.push(name, value)
  }
  let headers = raw
  if (named) {
    headers = []
    for (let i = 0; i < raw.length; i += 2)
      if (!named.has(raw[i]!)) headers.push(raw[i]!, raw[i + 1]!)
  }
  let framing: ResponseHead['framing']
  if (noBody || status === 204 || status === 304 || (status >= 100 && status < 200))
    framing = 'none'
  else if (te) {
    if (contentLength !== undefined)
      throw new HttpError(502, 'both Transfer-Encoding and Content-Length')
    framing = chunked ? 'chunked' : 'close'
  } else if (contentLength !== undefined) framing = 'length'
  else framing = 'close'
  if (framing === 'close') reusable = false
  return {
    status,
    reason: m[3] ?? '',
    headers,
    via,
    framing,
    contentLength: contentLength ?? 0,
    reusable,
  }
}

const enum C {
  Size,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
  TrailerLf,
  Done,
}

/** finds where a chunked body ends as its bytes stream by (the bytes are relayed unchanged) */
export class ChunkedScanner {
  #state = C.Size
  #size = 0
  #digits = 0
  #line = 0
  /** bytes of the current trailer line so far (0: the blank line that ends the body) */
  #trailer = 0

  get done(): boolean {
    return this.#state === C.Done
  }

  /** scans buf from `from`: the index just past the body's end, or -1 if it goes on; throws
   *  HttpError 502 for bad framing */
  scan(buf: Buffer, from = 0): number {
    let i = from
    const n = buf.length
    while (i < n) {
      switch (this.#state) {
        case C.Data: {
          const take = Math.min(this.#size, n - i)
          i += take
          this.#size -= take
          if (this.#size === 0) this.#state = C.DataCr
          continue
        }
        case C.Size: {
          const c = buf[i]!
          const d = hex(c)
          if (d >= 0) {
            if (++this.#digits > 12) throw new HttpError(502, 'chunk size too large')
            this.#size = this.#size * 16 + d
          } else if (this.#digits === 0) throw new HttpError(502, 'malformed chunk size')
          else if (c === 0x0d) this.#state = C.SizeLf
          else if (c === 0x3b || c === 0x20 || c === 0x09) this.#state = C.Ext
          else throw new HttpError(502, 'malformed chunk size')
          break
        }
        case C.Ext: {
          const c = buf[i]!
          if (++this.#line > MAX_LINE_BYTES) throw new HttpError(502, 'chunk extension too long')
          if (c === 0x0d) this.#state = C.SizeLf
          else if (c === 0x0a) throw new HttpError(502, 'malformed chunk size line')
          break
        }
        case C.SizeLf:
          if (buf[i] !== 0x0a) throw new HttpError(502, 'malformed chunk size line')
          this.#line = 0
          this.#digits = 0
          if (this.#size === 0) {
            this.#state = C.Trailer
            this.#trailer = 0
          } else this.#state = C.Data
          break
        case C.DataCr:
          if (buf[i] !== 0x0d) throw new HttpError(502, 'chunk data longer than its size')
          this.#state = C.DataLf
          break
        case C.DataLf:
          if (buf[i] !== 0x0a) throw new HttpError(502, 'chunk data longer than its size')
          this.#state = C.Size
          break
        case C.Trailer: {
          const c = buf[i]!
          if (c === 0x0d) this.#state = C.TrailerLf
          else if (c === 0x0a) throw new HttpError(502, 'malformed trailer line')
          else if (++this.#trailer > MAX_LINE_BYTES) throw new HttpError(502, 'trailer too long')
          break
        }
        case C.TrailerLf:
          if (buf[i] !== 0x0a) throw new HttpError(502, 'malformed trailer line')
          if (this.#trailer === 0) {
            this.#state = C.Done
            return i + 1
          }
          this.#trailer = 0
          this.#state = C.Trailer
          break
        case C.Done:
          return i
      }
      i++
    }
    return this.#state === C.Done ? i : -1
  }
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s
}
