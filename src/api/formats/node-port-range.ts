// A Service node port range, as kube-apiserver's --service-node-port-range takes it: "MIN-MAX".

export interface NodePortRange {
  min: number
  max: number
}

export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { min: 30000, max: 32767 }

/** "30000-32767" → the range; undefined when it is not one */
export function parseNodePortRange(text: string): NodePortRange | undefined {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim())
  const [min, max] = m ? [Number(m[1]), Number(m[2])] : [0, 0]
  return m && min >= 1 && min <= max && max <= 65535 ? { min, max } : undefined
}
