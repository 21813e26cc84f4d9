// Bearer tokens in <dataDir>/tokens.json (0600). Only SHA-256 hashes are stored; a plain token
// exists once, as the return value of issue(). File format:
//   { "version": 1, "tokens": [{ "id", "sha256" (hex), "user", "groups", "role", "node"?, "created" }],
//     "revoked"?: ["<sha256>", …] }
// "revoked": the hashes of the tokens revoke() took out, so that several planes sharing their
// tokens through etcd (token-sync.ts) tell a revoke from a record merely not copied here yet.
// The file is re-read when it changes on disk, so `shoal token issue` in another process takes
// effect without a restart.
// Role join (kubeadm's bootstrap token): user system:bootstrap:<id>, group
// system:bootstrappers; it may only POST /shoal/v1/join, which issues a node token.
import { hash, randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { CorruptError, InvalidError } from '../../../core/index.ts'
import { readTextIfExists, writePrivateFile } from './private-file.ts'

export type Role = 'admin' | 'viewer' | 'node' | 'join'

export interface User {
  name: string
  groups: string[]
  role: Role
  /** set for role node: the only Node this user may act as */
  node?: string
}

export interface TokenInfo extends Omit<User, 'name'> {
  id: string
  user: string
  created: string
}

export interface IssueRequest {
  /**
   * required for admin and viewer; for role node it is always system:node:<node> (absent, or
   * that); for role join always system:bootstrap:<token id> (absent)
   */
  user?: string
  role: Role
  node?: string
}

export interface TokenStore {
  /** the plain token (shoal_<43 base64url chars>); shown once, never stored */
  issue(req: IssueRequest): string
  /** the user for an `Authorization: Bearer <token>` header value; undefined otherwise */
  authenticate(authorization: string | null | undefined): User | undefined
  /** removes every token of this user name; returns how many */
  revoke(user: string): number
  list(): TokenInfo[]
}

/** a token's record as tokens.json keeps it: the hash, never the token */
export interface Entry extends TokenInfo {
  sha256: string
}

const PREFIX = 'shoal_'
/** how stale the in-memory token list may be for a token that is found */
const REFRESH_MS = 1000
const groupsFor: Record<Role, string[]> = {
  admin: ['system:masters', 'system:authenticated'],
  viewer: ['shoal:viewers', 'system:authenticated'],
  node: ['system:nodes', 'system:authenticated'],
  join: ['system:bootstrappers', 'system:authenticated'],
}

// one-shot hash, no Hash object per request (measured here: 2.0 → 1.2 µs)
const sha256 = (token: string) => hash('sha256', token, 'buffer')

export function createTokenStore(dataDir: string, opts: { now?: () => Date } = {}): TokenStore {
  return new FileTokenStore(join(dataDir, 'tokens.json'), opts.now ?? (() => new Date()))
}

class FileTokenStore implements TokenStore {
  readonly #file: string
  readonly #now: () => Date
  #stamp: string
  #entries: Entry[] = []
  #revoked: string[] = []
  /** the entries by their SHA-256 (hex) */
  #byHash = new Map<string, Entry>()
  #checkedAt = 0

  constructor(file: string, now: () => Date) {
    this.#file = file
    this.#now = now
    this.#stamp = fileStamp(file)
    this.#use(loadFile(file))
  }

  issue(req: IssueRequest): string {
    const id = randomBytes(4).toString('hex')
    const entry = { ...identity(req, id), id, created: this.#now().toISOString() }
    const token = PREFIX + randomBytes(32).toString('base64url')
    this.#refresh()
    this.#save(
      [...this.#entries, { ...entry, sha256: sha256(token).toString('hex') }],
      this.#revoked,
    )
    return token
  }

  authenticate(authorization: string | null | undefined): User | undefined {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '')
    if (!match) return undefined
    // the file is looked at once a second at most on the hot path, and at once for an unknown
    // token, so a token issued by another process works immediately and a revoked one within 1 s
    const stale = this.#now().getTime() - this.#checkedAt >= REFRESH_MS
    if (stale) this.#refresh()
    const hash = sha256(match[1]!).toString('hex')
    let found = this.#find(hash)
    if (!found && !stale) {
      this.#refresh()
      found = this.#find(hash)
    }
    if (!found) return undefined
    return {
      name: found.user,
      groups: [...found.groups],
      role: found.role,
      ...(found.node ? { node: found.node } : {}),
    }
  }

  /** One lookup by the token's SHA-256: what its timing could tell is about the digest, which
   * gives no token away (a constant-time compare against every entry made a fleet of 1,000 nodes
   * reconnecting 1,000 × 1,000 compares). */
  #find(hash: string): Entry | undefined {
    return this.#byHash.get(hash)
  }

  revoke(user: string): number {
    this.#refresh()
    const kept = this.#entries.filter((e) => e.user !== user)
    const gone = this.#entries.filter((e) => e.user === user).map((e) => e.sha256)
    const removed = gone.length
    if (removed > 0) this.#save(kept, [...this.#revoked, ...gone])
    return removed
  }

  list(): TokenInfo[] {
    this.#refresh()
    return this.#entries.map(({ sha256: _hash, ...info }) => ({
      ...info,
      groups: [...info.groups],
    }))
  }

  #use({ tokens: entries, revoked }: TokenFile): void {
    this.#entries = entries
    this.#revoked = revoked
    this.#byHash = new Map(entries.map((e) => [e.sha256.toLowerCase(), e]))
  }

  #save(next: Entry[], revoked: string[]): void {
    saveFile(this.#file, { tokens: next, revoked })
    this.#use({ tokens: next, revoked })
    this.#stamp = fileStamp(this.#file)
  }

  /** Re-reads the file when another process changed it; a damaged file keeps the tokens we had. */
  #refresh(): void {
    this.#checkedAt = this.#now().getTime()
    const current = fileStamp(this.#file)
    if (current === this.#stamp) return
    try {
      this.#use(loadFile(this.#file))
      this.#stamp = current
    } catch {
      // the next change is read again
    }
  }
}

function identity(req: IssueRequest, id: string): Omit<TokenInfo, 'id' | 'created'> {
  if (!Object.hasOwn(groupsFor, req.role))
    throw new InvalidError(`tokens: unknown role "${req.role}"`, [
      { field: 'role', message: 'must be admin, viewer, node or join' },
    ])
  if (req.role === 'join') {
    if (req.user !== undefined || req.node !== undefined)
      throw new InvalidError('tokens: a join token names no user and no node', [
        { field: req.user !== undefined ? 'user' : 'node', message: 'must be absent' },
      ])
    return { user: `system:bootstrap:${id}`, groups: groupsFor.join, role: 'join' }
  }
  if (req.role === 'node') {
    // as in Kubernetes, a node's user is system:node:<node>: a user naming it is the same request
    const node = req.node ?? /^system:node:(.+)$/.exec(req.user ?? '')?.[1]
    if (!node || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(node)) {
      throw new InvalidError('tokens: a node token needs a valid node name', [
        { field: 'node', message: 'must be a DNS subdomain name' },
      ])
    }
    if (req.user !== undefined && req.user !== `system:node:${node}`) {
      throw new InvalidError(
        `tokens: a node token's user is always system:node:${node}, not "${req.user}"; name the node instead`,
        [{ field: 'user', message: `must be absent or system:node:${node}` }],
      )
    }
    return { user: `system:node:${node}`, groups: groupsFor.node, role: 'node', node }
  }
  if (!req.user || req.user.startsWith('system:')) {
    throw new InvalidError('tokens: a user name is required and may not start with "system:"', [
      { field: 'user', message: 'invalid user name' },
    ])
  }
  return { user: req.user, groups: groupsFor[req.role], role: req.role }
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file)
    return `${s.mtimeMs}:${s.size}:${s.ino}`
  } catch {
    return 'absent'
  }
}

export interface TokenFile {
  tokens: Entry[]
  /** hashes of revoked tokens */
  revoked: string[]
}

/** writes a tokens.json (0600, atomically); "revoked" only when there are some */
export function saveFile(file: string, { tokens, revoked }: TokenFile): void {
  const doc = { version: 1, tokens, ...(revoked.length > 0 ? { revoked } : {}) }
  writePrivateFile(file, JSON.stringify(doc, null, 2) + '\n')
}

/** a tokens.json's records and revoked hashes (none when absent); CorruptError when damaged */
export function loadFile(file: string): TokenFile {
  const text = readTextIfExists(file)
  if (text === undefined) return { tokens: [], revoked: [] }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new CorruptError(`tokens: ${file} is not valid JSON`, { file, offset: 0 }, { cause: err })
  }
  const { tokens, revoked = [] } = (doc ?? {}) as { tokens?: unknown; revoked?: unknown }
  const valid = (e: Entry) =>
    typeof e?.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(e.sha256) &&
    typeof e.user === 'string' &&
    Object.hasOwn(groupsFor, e.role) &&
    Array.isArray(e.groups)
  if (!Array.isArray(tokens) || !tokens.every(valid)) {
    throw new CorruptError(`tokens: ${file} does not hold a valid token list`, { file, offset: 0 })
  }
  if (
    !Array.isArray(revoked) ||
    !revoked.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))
  )
    throw new CorruptError(`tokens: ${file}: "revoked" must list SHA-256 hashes`, {
      file,
      offset: 0,
    })
  return { tokens: tokens as Entry[], revoked: revoked as string[] }
}
