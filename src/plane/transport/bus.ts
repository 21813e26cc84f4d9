// The one seam between the plane and an MQTT broker: publish, subscribe, close. The embedded
// aedes broker implements it in-process (broker.ts); an external broker reached with mqtt.js
// (`--mqtt URL`, the scale-out issue) implements it as a network client (external-bus.ts).
// Everything published here is QoS 1 and never retained: the only retained messages are the
// nodes' own "online" flags.

/** called once per message; must not throw (a handler's error is logged by the bus) */
export type BusHandler = (topic: string, payload: Uint8Array) => void

export interface Bus {
  /** QoS 1, not retained; resolves once the broker took the message */
  publish(topic: string, payload: Uint8Array): Promise<void>
  /** an MQTT topic filter ("+" and "#" wildcards); resolves once subscribed */
  subscribe(pattern: string, handler: BusHandler): Promise<void>
  close(): Promise<void>
}
