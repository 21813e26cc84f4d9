// An external Mosquitto for a plane (`shoal broker-config`, `shoal plane --mqtt URL`).
// writeBrokerConfig writes, in OUT: mosquitto.conf, acl and passwd (the plane's own login; each
// node's is added when it joins), and in the plane's data dir broker.json (0600):
//   { "username": "shoal-plane", "password": "<random>", "passwordFile": "<OUT>/passwd" }
// — what the plane logs in with, and the file it adds a node's entry to (username = node name,
// password = the node token the join gave it) when the node joins. Mosquitto reads that file at
// start and on SIGHUP (`systemctl reload mosquitto`); until then the new node's agent retries.
// The listener is TLS with a certificate the plane's CA signs (pki/broker.crt): the agents and
// the plane trust only that CA.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import { BadRequestError, writeFileAtomic } from '../core/index.ts'
import { issueBrokerCert } from './server/index.ts'
import {
  mosquittoAcl,
  mosquittoConf,
  PLANE_USER,
  planeUsers,
  withPassword,
} from './transport/index.ts'

export interface BrokerLogin {
  username: string
  password: string
  /** Mosquitto's password file, where joining nodes are added */
  passwordFile?: string
}

export const brokerLoginPath = (dataDir: string) => join(dataDir, 'broker.json')

export interface BrokerConfigOptions {
  dataDir: string
  /** where the files go (default <dataDir>/mosquitto) */
  out?: string
  listen: { host: string; port: number }
  /** a TLS listener with a certificate the plane's CA signs (pki/broker.crt) for the listen
   * host and `sans`; false: plain MQTT, which agents refuse (their token would travel in clear) */
  tls: boolean
  sans?: string[]
  /** several planes on one etcd: logins for this many (shoal-plane, shoal-plane-2, …; one
   * password, in broker.json), each plane given its own as --mqtt mqtts://shoal-plane-2@HOST:PORT */
  planes?: number
}

/** writes the broker's files and the plane's login; returns the paths written */
export function writeBrokerConfig(o: BrokerConfigOptions): {
  conf: string
  login: string
  /** the URL to give `shoal plane --mqtt` */
  url: string
} {
  const out = resolve(o.out ?? join(o.dataDir, 'mosquitto'))
  mkdirSync(out, { recursive: true, mode: 0o700 })
  const login: BrokerLogin = {
    username: PLANE_USER,
    password: randomBytes(24).toString('base64url'),
    passwordFile: join(out, 'passwd'),
  }
  const conf = join(out, 'mosquitto.conf')
  const named = [o.listen.host, ...(o.sans ?? [])].filter((h) => !['0.0.0.0', '::', ''].includes(h))
  const tls = o.tls ? issueBrokerCert(o.dataDir, named) : undefined
  const files = { aclFile: join(out, 'acl'), passwordFile: login.passwordFile! }
  writeFileSync(
    conf,
    mosquittoConf({ listen: o.listen, ...files, tls, user: userInfo().username }),
    { mode: 0o600 },
  )
  writeFileSync(files.aclFile, mosquittoAcl(o.planes), { mode: 0o600 })
  const passwd = planeUsers(o.planes).reduce((t, u) => withPassword(t, u, login.password), '')
  writeFileSync(files.passwordFile, passwd, { mode: 0o600 })
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 })
  writeFileSync(brokerLoginPath(o.dataDir), JSON.stringify(login, null, 2) + '\n', { mode: 0o600 })
  const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host
  const url = `${o.tls ? 'mqtts' : 'mqtt'}://${host}:${o.listen.port}`
  return { conf, login: brokerLoginPath(o.dataDir), url }
}

/** the plane's login at the external broker, from broker.json; undefined without one */
export function readBrokerLogin(dataDir: string): BrokerLogin | undefined {
  let text: string
  try {
    text = readFileSync(brokerLoginPath(dataDir), 'utf8')
  } catch {
    return undefined
  }
  const v = JSON.parse(text) as Partial<BrokerLogin>
  if (typeof v.username !== 'string' || typeof v.password !== 'string')
    throw new BadRequestError(
      `plane: ${brokerLoginPath(dataDir)} must hold {"username", "password"} (shoal broker-config writes it)`,
    )
  return { username: v.username, password: v.password, passwordFile: v.passwordFile }
}

/** sets a joined node's entry in Mosquitto's password file (its latest token) */
export async function addNodeLogin(passwordFile: string, node: string, token: string) {
  let text = ''
  try {
    text = readFileSync(passwordFile, 'utf8')
  } catch {
    // a new file
  }
  await writeFileAtomic(passwordFile, withPassword(text, node, token))
}
