// Immediates of every instruction the walker accepts, so it can step over them without decoding.
// One-byte opcodes: MVP, sign extension (0xc0–0xc4), tail calls (0x12, 0x13), exceptions
// (legacy try/catch/throw/rethrow/delegate/catch_all and try_table/throw_ref), reference types
// and typed function references (0xd0–0xd6, select t* 0x1c, table.get/set). Prefixed ones
// (0xfc, 0xfd, 0xfe) are in prefixed-opcodes.ts. Block-opening opcodes are handled by the walker.
import type { ByteReader } from './byte-reader.ts'
import {
  skipFcImmediates,
  skipFdImmediates,
  skipFeImmediates,
  skipMemArg,
} from './prefixed-opcodes.ts'
import { skipValType } from './types.ts'

const enum Imm {
  Unknown,
  None,
  Leb,
  Leb2,
  MemArg,
  BrTable,
  F32,
  F64,
  SelectT,
  Fc,
  Fd,
  Fe,
}

const table = new Uint8Array(256) // Imm.Unknown by default

function set(kind: Imm, ...ops: number[]): void {
  for (const op of ops) table[op] = kind
}
function range(kind: Imm, from: number, to: number): void {
  for (let op = from; op <= to; op++) table[op] = kind
}

set(Imm.None, 0x00, 0x01, 0x05, 0x0a, 0x0b, 0x0f, 0x19, 0x1a, 0x1b, 0xd1, 0xd3, 0xd5)
set(Imm.Leb, 0x07, 0x08, 0x09, 0x0c, 0x0d, 0x10, 0x12, 0x14, 0x15, 0x18, 0xd0, 0xd2, 0xd4, 0xd6)
set(Imm.Leb2, 0x11, 0x13) // call_indirect / return_call_indirect: type index, table index
set(Imm.BrTable, 0x0e)
set(Imm.SelectT, 0x1c)
range(Imm.Leb, 0x20, 0x26) // local.get/set/tee, global.get/set, table.get/set
range(Imm.MemArg, 0x28, 0x3e) // loads and stores
set(Imm.Leb, 0x3f, 0x40, 0x41, 0x42) // memory.size/grow (memory index), i32.const, i64.const
set(Imm.F32, 0x43)
set(Imm.F64, 0x44)
range(Imm.None, 0x45, 0xc4) // numeric, conversions, sign extension
set(Imm.Fc, 0xfc)
set(Imm.Fd, 0xfd)
set(Imm.Fe, 0xfe)

/** Step over the immediates of `op` (already read, at byte `at`); throws on an unknown opcode. */
export function skipImmediates(reader: ByteReader, op: number, at: number): void {
  switch (table[op]) {
    case Imm.None:
      return
    case Imm.Leb:
      reader.skipLeb()
      return
    case Imm.Leb2:
      reader.skipLeb()
      reader.skipLeb()
      return
    case Imm.MemArg:
      skipMemArg(reader)
      return
    case Imm.F32:
      reader.advance(4)
      return
    case Imm.F64:
      reader.advance(8)
      return
    case Imm.BrTable: {
      const count = reader.u32()
      for (let i = 0; i <= count; i++) reader.skipLeb()
      return
    }
    case Imm.SelectT: {
      const count = reader.u32()
      for (let i = 0; i < count; i++) skipValType(reader)
      return
    }
    case Imm.Fc:
      skipFcImmediates(reader, at)
      return
    case Imm.Fd:
      skipFdImmediates(reader, at)
      return
    case Imm.Fe:
      skipFeImmediates(reader, at)
      return
    default:
      reader.fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`, at)
  }
}

/** Block type: 0x40 (empty), a value type (possibly 0x63/0x64 + heap type), or an s33 type index. */
export function skipBlockType(reader: ByteReader): void {
  const first = reader.bytes[reader.pos]
  if (first === 0x63 || first === 0x64) {
    reader.pos++
    reader.skipLeb()
    return
  }
  reader.skipLeb()
}

/** try_table's catch clauses: kind (0 catch, 1 catch_ref: tag + label; 2 catch_all, 3 catch_all_ref: label). */
export function skipCatchClauses(reader: ByteReader): void {
  const count = reader.u32()
  for (let i = 0; i < count; i++) {
    const at = reader.pos
    const kind = reader.u8()
    if (kind > 3) reader.fail(`unknown try_table catch kind ${kind}`, at)
    if (kind < 2) reader.skipLeb()
    reader.skipLeb()
  }
}
