// SQLite as kine uses it: kine's table and indexes, WAL, but synchronous=FULL so a commit is
// acknowledged after fsync like the other peers (kine's own default, NORMAL, is not power-loss
// durable). better-sqlite3 is synchronous: one writer, so "in flight" does not apply; putBatch
// (n INSERTs in one txn) is its form of group commit. Adapter shape: see peer-etcd.mjs.
import Database from 'better-sqlite3'
import { join } from 'node:path'

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS kine (
     id INTEGER PRIMARY KEY AUTOINCREMENT, name INTEGER, created INTEGER, deleted INTEGER,
     create_revision INTEGER, prev_revision INTEGER, lease INTEGER, value BLOB, old_value BLOB)`,
  'CREATE INDEX IF NOT EXISTS kine_name_index ON kine (name)',
  'CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id)',
  'CREATE INDEX IF NOT EXISTS kine_id_deleted_index ON kine (id, deleted)',
  'CREATE INDEX IF NOT EXISTS kine_prev_revision_index ON kine (prev_revision)',
  'CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision)',
]

// kine's GetCurrentValSQL (generic.go listFmt with "AND mkv.name >= ?"): the newest row of each
// name matching the LIKE prefix, not deleted, with the store and compact revisions on every row.
const LIST_SQL = `
  SELECT * FROM (
    SELECT (SELECT MAX(rkv.id) FROM kine AS rkv),
           (SELECT MAX(crkv.prev_revision) FROM kine AS crkv WHERE crkv.name = 'compact_rev_key'),
           kv.id AS theid, kv.name AS thename, kv.created, kv.deleted, kv.create_revision,
           kv.prev_revision, kv.lease, kv.value
    FROM kine AS kv
    JOIN (SELECT MAX(mkv.id) AS id FROM kine AS mkv
          WHERE mkv.name LIKE ? ESCAPE '^' AND mkv.name >= ?
          GROUP BY mkv.name) AS maxkv ON maxkv.id = kv.id
    WHERE kv.deleted = 0 OR ?
  ) AS lkv
  ORDER BY lkv.thename ASC`

const INSERT_SQL = `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
  VALUES (?, 1, 0, 0, 0, 0, ?, NULL)`

const asBuffer = (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

export function openSqlite(dir) {
  const db = new Database(join(dir, 'state.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  for (const sql of SCHEMA) db.exec(sql)
  const insert = db.prepare(INSERT_SQL)
  const list = db.prepare(LIST_SQL)
  const insertMany = db.transaction((entries) => {
    for (const [key, value] of entries) insert.run(key, asBuffer(value))
  })
  return {
    name: 'SQLite',
    version: db.prepare('SELECT sqlite_version() AS v').get().v,
    plan: () =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${LIST_SQL}`)
        .all('/x/%', '/x/', 0)
        .map((r) => r.detail),
    /** one INSERT, its own (autocommit) transaction, as kine does for a create */
    put(key, value) {
      insert.run(key, asBuffer(value))
    },
    putBatch(entries) {
      insertMany(entries)
    },
    async range(prefix) {
      return list.all(`${prefix}%`, prefix, 0).length
    },
    async close() {
      db.close()
    },
  }
}
