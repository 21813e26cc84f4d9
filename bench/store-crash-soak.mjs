// Soak version of the store crash test: many more SIGKILL rounds than `npm test` runs.
// Run: node --import tsx bench/store-crash-soak.mjs   (ROUNDS=300 by default)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crashRound } from '../test/store/crash-harness.ts'

const rounds = Number(process.env.ROUNDS ?? 300)
const dir = mkdtempSync(join(tmpdir(), 'shoal-soak-'))
let acked = 0
let failures = 0
const t0 = Date.now()
try {
  for (let i = 0; i < rounds; i++) {
    const r = await crashRound(dir, 5 + Math.floor(Math.random() * 400), i % 2 ? 'pool' : 'inline')
    acked += r.acked
    if (r.missing.length || r.gaps || r.badValues.length) {
      failures++
      console.log(
        `round ${i}: ${r.missing.length} acknowledged writes missing, ${r.gaps} gaps, ${r.badValues.length} wrong values`,
        r.missing.slice(0, 5),
        r.badValues.slice(0, 5),
      )
    }
    if (i % 25 === 24)
      console.log(`${i + 1}/${rounds} rounds, ${acked} acknowledged writes, revision ${r.revision}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(
  JSON.stringify({ rounds, acked, failures, seconds: Math.round((Date.now() - t0) / 1000) }),
)
process.exitCode = failures ? 1 : 0
