// HTTP Range requests (RFC 9110 §14) for blob pulls: one "bytes=" range, the forms a resuming
// download sends. Anything else (several ranges, other units, nonsense) is ignored and the whole
// blob served, as the RFC allows. Pure: no I/O.

export type RangeAnswer =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number } // inclusive end
  | { kind: 'unsatisfiable' }

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (!header) return { kind: 'whole' }
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' }
  if (m[1] === '') {
    const suffix = Number(m[2]) // bytes=-N: the last N bytes
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(m[1])
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' } // invalid spec: ignored (§14.2)
  if (start >= size) return { kind: 'unsatisfiable' }
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  return { kind: 'partial', start, end }
}

export function contentRange(answer: RangeAnswer, size: number): string {
  return answer.kind === 'partial'
    ? `bytes ${answer.start}-${answer.end}/${size}`
    : `bytes */${size}`
}
