// Resource quantities as Kubernetes writes them: "100m", "0.5", "2", "64Mi", "1G", "129e6".
// Parsing is exact (decimal digits and BigInt), and rounds up like Quantity.MilliValue/Value.
import { lookupTable } from '../json/index.ts'

export const quantityPattern = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'

const binary = lookupTable<number>({ Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 })
const decimal = lookupTable<number>({
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
})

interface Exact {
  negative: boolean
  /** the digits, as an integer */
  digits: bigint
  /** value = digits × 10^exp10 × 2^exp2 */
  exp10: number
  exp2: number
}

function suffixOf(suffix: string): { exp10: number; exp2: number } | undefined {
  if (suffix in binary) return { exp10: 0, exp2: binary[suffix]! }
  if (suffix in decimal) return { exp10: decimal[suffix]!, exp2: 0 }
  const m = /^[eE]([+-]?\d+)$/.exec(suffix)
  return m ? { exp10: Number(m[1]), exp2: 0 } : undefined
}

function parseExact(q: string | number): Exact | undefined {
  const text = typeof q === 'number' ? (Number.isFinite(q) ? String(q) : '') : q
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(text)
  if (!m || (m[2] + (m[3] ?? '')).length === 0) return undefined
  const suffix = suffixOf(m[4])
  if (!suffix) return undefined
  const fraction = m[3] ?? ''
  return {
    negative: m[1] === '-',
    digits: BigInt(m[2] + fraction || '0'),
    exp10: suffix.exp10 - fraction.length,
    exp2: suffix.exp2,
  }
}

/** The value × 10^scale, rounded up (away from zero for positives) to an integer. */
function scaledCeil(q: Exact, scale: number): number {
  let n = q.digits * 2n ** BigInt(q.exp2)
  const exp = q.exp10 + scale
  if (exp >= 0) n *= 10n ** BigInt(exp)
  else {
    const d = 10n ** BigInt(-exp)
    n = n / d + (n % d === 0n || q.negative ? 0n : 1n)
  }
  return Number(q.negative ? -n : n)
}

/** True when the string is a syntactically valid quantity. */
export function isQuantity(q: unknown): q is string | number {
  return (typeof q === 'string' || typeof q === 'number') && parseExact(q) !== undefined
}

/** The quantity as a plain number in base units ("1.5Gi" → 1610612736, "100m" → 0.1); undefined if invalid. */
export function parseQuantity(q: string | number): number | undefined {
  const e = parseExact(q)
  if (!e) return undefined
  const v = Number(e.digits) * 10 ** e.exp10 * 2 ** e.exp2
  return e.negative ? -v : v
}

/** CPU in millicores, rounded up: "100m" → 100, "0.5" → 500, 2 → 2000; undefined if invalid. */
export function parseCpu(q: string | number): number | undefined {
  const e = parseExact(q)
  return e && scaledCeil(e, 3)
}

/** Memory in bytes, rounded up: "64Mi" → 67108864, "1G" → 1e9, "129e6" → 129000000; undefined if invalid. */
export function parseMemory(q: string | number): number | undefined {
  const e = parseExact(q)
  return e && scaledCeil(e, 0)
}

/** Millicores back to the canonical form: 2000 → "2", 1500 → "1500m". */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`
}

/** Bytes back to the largest exact binary suffix: 67108864 → "64Mi", 1000 → "1000". */
export function formatMemory(bytes: number): string {
  for (const [suffix, exp] of Object.entries(binary).reverse()) {
    const unit = 2 ** exp!
    if (bytes !== 0 && bytes % unit === 0) return `${bytes / unit}${suffix}`
  }
  return String(bytes)
}
