// The seam for an external MQTT broker (`shoal plane --mqtt mqtts://broker:8883`): a Bus over
// an mqtt.js client, so the node channel runs unchanged against Mosquitto or a clustered broker.
// The scale-out issue builds it; what it must do is written here so it fits:
// - connect as the plane (its own credentials; the broker's ACL gives the plane
//   shoal/v1/nodes/# and nodes only their own subtree, as broker-rules.ts does here);
// - publish QoS 1, never retained; subscribe QoS 1; resubscribe after a reconnect;
// - Nagle off on the socket (research/mqtt.md), and Mosquitto's max_queued_messages set so it
//   drops nothing it acknowledged.
import { ShoalError } from '../../core/index.ts'
import type { Bus } from './bus.ts'

export function connectExternalBus(url: string): Promise<Bus> {
  return Promise.reject(
    new ShoalError(
      'Unsupported',
      `transport: an external MQTT broker (${url}) is not supported yet; the embedded broker is used without --mqtt`,
    ),
  )
}
