// The store's in-memory state and the one way it changes: applying log records. Live writes
// and recovery both go through apply(), so what is replayed is exactly what was served.
import { CorruptError, type Clock } from '../../core/index.ts'
import { KeyIndex, type Revision, type ValueSource } from './mvcc/index.ts'
import { Lessor } from './lessor.ts'
import type { TxnScan, WalOp, WalRecord } from './wal/index.ts'

export class StoreState {
  readonly index = new KeyIndex()
  readonly lessor: Lessor
  /** revision of the last applied write (durable or not yet) */
  head = 0
  compactRevision = 0

  constructor(clock: Clock, onLeaseExpired: (id: number) => void) {
    this.lessor = new Lessor(clock, onLeaseExpired)
  }

  /** applies one record; during replay `where` names the segment for error messages */
  apply(r: WalRecord, where?: string): void {
    switch (r.type) {
      case 'txn':
        if (r.revision <= this.head && where) return // already in the snapshot
        this.#expect(r.revision, where)
        this.applyOps(r.revision, r.ops)
        return
      case 'lease-grant':
        return this.lessor.grant(r.id, r.ttl)
      case 'lease-revoke':
        if (r.keys.length && r.revision > this.head) {
          this.#expect(r.revision, where)
          this.applyOps(
            r.revision,
            r.keys.map((key) => ({ key })),
          )
        }
        return this.lessor.revoke(r.id)
      case 'compact':
        if (r.revision > this.compactRevision) this.compact(r.revision)
        return
      case 'header':
        return
    }
  }

  /**
   * Replay of the txn record just read by the log's scanTxn (wal/fast-decode.ts), whose bytes start at
   * `offset` of `source`: the same result as apply() with the decoded record, built without
   * the record (one lookup per put, the value left in the file).
   */
  replayScanned(t: TxnScan, source: ValueSource, offset: number, where: string): void {
    if (t.revision <= this.head) return // already in the snapshot
    this.#expect(t.revision, where)
    for (let i = 0; i < t.count; i++) {
      const key = t.keys[i]
      if (t.at[i] < 0) {
        this.applyOps(t.revision, [{ key }])
        continue
      }
      const replaced = this.index.putPlaced(
        key,
        t.revision,
        source,
        offset + t.at[i],
        t.len[i],
        t.lease[i],
      )
      if (replaced) this.lessor.detach(replaced, key)
      if (t.lease[i]) this.lessor.attach(t.lease[i], key)
    }
    this.head = t.revision
  }

  #expect(rev: number, where?: string): void {
    if (rev === this.head + 1) return
    const file = where ?? 'memory'
    throw new CorruptError(
      `store: revision gap in ${file}: expected ${this.head + 1}, found ${rev}`,
      { file, offset: -1 },
    )
  }

  /** applies the writes of one revision; returns the new versions (tombstones for deletes) */
  applyOps(rev: number, ops: WalOp[]): Revision[] {
    const out: Revision[] = []
    for (const op of ops) {
      const prev = this.index.latest(op.key)
      if (prev?.lease) this.lessor.detach(prev.lease, op.key)
      if (op.value) {
        out.push(this.index.put(op.key, rev, op.value, op.lease ?? 0))
        if (op.lease) this.lessor.attach(op.lease, op.key)
      } else {
        const t = this.index.delete(op.key, rev)
        if (t) out.push(t)
      }
    }
    this.head = rev
    return out
  }

  compact(rev: number): void {
    this.index.compact(rev)
    this.compactRevision = rev
  }

  /** restores a snapshot's versions (see snap/snapshot.ts for their order) */
  restore(versions: Revision[]): void {
    for (const v of versions) this.index.restore(v, v.rev >= this.compactRevision)
    for (const v of versions)
      if (v.lease && this.index.latest(v.key) === v) this.lessor.attach(v.lease, v.key)
  }
}
