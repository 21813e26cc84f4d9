// src/api/formats — the syntax of single field values, as Kubernetes checks it.
// Contract: name rules (DNS labels and subdomains, qualified keys, label values, env var names,
// IPs) return the list of problems as messages, empty when the value is fine; quantities parse
// exactly ("100m", "64Mi") and round up as Kubernetes does; image references name a WebAssembly
// component; base64 without Buffer. Pure functions, no throws. Imports only src/api/json.

export {
  configMapKey,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  envVarName,
  ianaServiceName,
  isIP,
  isIPv4,
  labelValue,
  pathSegmentName,
  qualifiedKey,
} from './name-rules.ts'
export {
  formatCpu,
  formatMemory,
  isQuantity,
  parseCpu,
  parseMemory,
  parseQuantity,
  quantityPattern,
} from './quantity.ts'
export { imageRefHelp, parseImageRef, type ImageRef } from './image-ref.ts'
export { fromBase64, toBase64 } from './base64.ts'
export {
  DEFAULT_NODE_PORT_RANGE,
  parseNodePortRange,
  type NodePortRange,
} from './node-port-range.ts'
export { parseCronSchedule, type CronSchedule } from './cron-schedule.ts'
