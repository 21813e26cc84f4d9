// What an external Mosquitto (2.0) needs to carry Shoal's channel with each node confined to its
// own subtree, as files: mosquitto.conf, an ACL file and a password file (`shoal broker-config`
// writes them). Nodes log in as on the embedded broker (username = node name, password = its
// node token, client id = its name: `use_username_as_clientid`); the plane logs in as
// PLANE_USER (several planes: PLANE_USER, PLANE_USER-2, …, each its own session). The ACL gives the plane shoal/v1/nodes/# and each node, through `pattern … %u`,
// only its own leaves, each in its direction (what broker-rules.ts decides on aedes). Mosquitto
// reads the password file at start and on SIGHUP.
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { FROM_NODE, TO_NODE, TOPIC_ROOT, MAX_MESSAGE_BYTES } from '../../api/index.ts'

/** the username the plane connects to an external broker with */
export const PLANE_USER = 'shoal-plane'

export interface MosquittoFiles {
  /** host and port the broker listens on */
  listen: { host: string; port: number }
  /** absolute paths the config names */
  aclFile: string
  passwordFile: string
  /** the system user Mosquitto runs as (it drops root to it): the plane's, so it reads the
   * password file the plane writes (0600) */
  user: string
  /** PEM files for a TLS listener (mqtts://); absent: plain MQTT */
  tls?: { certFile: string; keyFile: string }
}

/** mosquitto.conf for Shoal */
export function mosquittoConf(o: MosquittoFiles): string {
  const lines = [
    '# written by shoal broker-config: Mosquitto as the broker of a Shoal plane',
    `user ${o.user}`,
    `listener ${o.listen.port} ${o.listen.host}`,
    ...(o.tls ? [`certfile ${o.tls.certFile}`, `keyfile ${o.tls.keyFile}`] : []),
    'allow_anonymous false',
    `password_file ${o.passwordFile}`,
    `acl_file ${o.aclFile}`,
    "# a client id is its username: no node can take over another node's session",
    'use_username_as_clientid true',
    '# the default (1000) drops QoS 1 messages already acknowledged to the publisher: no limit',
    '# (a client that stops reading is cut by its keepalive instead, within 1.5 x 30 s)',
    'max_queued_messages 0',
    '# small control messages: no 40 ms wait for a delayed ACK',
    'set_tcp_nodelay true',
    `max_packet_size ${MAX_MESSAGE_BYTES + 64 * 1024}`,
    'max_keepalive 300',
    "# the plane's store is the source of truth: the broker keeps nothing on disk",
    'persistence false',
  ]
  return lines.join('\n') + '\n'
}

/** the usernames of `planes` planes: PLANE_USER, then PLANE_USER-2, -3, … (several planes on
 * one etcd each log in with their own: Mosquitto takes the username as the client id) */
export function planeUsers(planes = 1): string[] {
  if (!Number.isInteger(planes) || planes < 1 || planes > 64)
    throw new RangeError(
      `broker-config: --planes must be a whole number from 1 to 64, not ${planes}`,
    )
  return Array.from({ length: planes }, (_, i) => (i === 0 ? PLANE_USER : `${PLANE_USER}-${i + 1}`))
}

/** the ACL file: the plane(s) everything under the nodes' root, each node only its own leaves */
export function mosquittoAcl(planes = 1): string {
  const nodes = `${TOPIC_ROOT}/nodes`
  return [
    ...planeUsers(planes).flatMap((user) => [`user ${user}`, `topic readwrite ${nodes}/#`]),
    '',
    '# every other user is a node: %u is its name',
    ...TO_NODE.map((leaf) => `pattern read ${nodes}/%u/${leaf}`),
    ...FROM_NODE.map((leaf) => `pattern write ${nodes}/%u/${leaf}`),
    '',
  ].join('\n')
}

/** a password-file line in Mosquitto 2.0's format: $7$ = PBKDF2-SHA512, 101 rounds, 12-byte salt */
export function passwordLine(user: string, password: string): string {
  const salt = randomBytes(12)
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512')
  return `${user}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}`
}

/** `text` (a password file) with `user`'s line set to `password` */
export function withPassword(text: string, user: string, password: string): string {
  const kept = text.split('\n').filter((l) => l && !l.startsWith(`${user}:`))
  return [...kept, passwordLine(user, password)].join('\n') + '\n'
}
