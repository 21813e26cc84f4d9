// The agent's vocabulary beyond api and wasm-runtime: the channel to the plane (MQTT in
// channel.ts, in memory in fake-channel.ts) and the credentials a join leaves in the data dir.
import type { FromNodeLeaf, ToNodeLeaf } from '../api/index.ts'

export interface ChannelHandlers {
  /** connected (again) and subscribed to the node's topics */
  connected(): void
  /** the link dropped; the channel keeps trying */
  disconnected(): void
  /** a message arrived on one of the node's topics (bytes as they came) */
  message(leaf: ToNodeLeaf, payload: Uint8Array): void
}

/** The node's link to the plane: bytes on the node's own topics, reconnecting by itself. */
export interface Channel {
  open(handlers: ChannelHandlers): void
  /** publishes at QoS 1; false (and nothing sent) while not connected */
  send(leaf: FromNodeLeaf, payload: Uint8Array): boolean
  readonly connected: boolean
  /** marks the node offline (retained "0") and disconnects */
  close(): Promise<void>
}

/** what `shoal agent --join` obtains, kept in <dataDir>/credentials.json (0600) */
export interface Credentials {
  node: string
  /** the plane's API, e.g. https://plane:6443 */
  plane: string
  /** the broker, e.g. mqtts://plane:8883 */
  mqtt: string
  /** the node's bearer token (API and MQTT password) */
  token: string
  /** PEM of the CA the agent trusts for the plane and the broker */
  caCert: string
  /** PEM of the CA that signed an external broker's certificate when not caCert (the join
   * answer's, over the plane's verified TLS): trusted for the broker only */
  mqttCa?: string
}
