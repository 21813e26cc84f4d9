// Crash safety: ≥ 30 rounds of SIGKILL at random moments during 64 concurrent writers.
// After each reopen every acknowledged write is present and revisions have no gaps.
// (bench/store-crash-soak.mjs runs the same harness for many more rounds.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crashRound } from './crash-harness.ts'

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 30)

test(`${ROUNDS} rounds of SIGKILL under 64 concurrent writers lose no acknowledged write`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-crash-'))
  let acked = 0
  let lastRevision = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const r = await crashRound(
        dir,
        10 + Math.floor(Math.random() * 250),
        round % 2 ? 'pool' : 'inline',
      )
      assert.equal(r.missing, [], `round ${round}: acknowledged writes lost`)
      assert.is(r.gaps, 0, `round ${round}: revision gaps`)
      assert.equal(r.badValues, [], `round ${round}: values read back wrong`)
      assert.ok(r.revision >= lastRevision, `round ${round}: revision went back`)
      lastRevision = r.revision
      acked += r.acked
    }
    assert.ok(
      acked > ROUNDS * 10,
      `too few writes were acknowledged (${acked}) for the test to mean anything`,
    )
    console.log(`  ${ROUNDS} rounds, ${acked} acknowledged writes, final revision ${lastRevision}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
