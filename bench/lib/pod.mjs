// The payload every peer stores: one Pod-like object encoded once with cbor-x (~1 KiB), handed
// out as a fresh copy per write so no store can profit from callers sharing one buffer.
import { encode } from 'cbor-x'

export function podObject(name, namespace) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: '6f1c2d3e-8a9b-4c5d-9e0f-1a2b3c4d5e6f',
      resourceVersion: '',
      creationTimestamp: '2026-11-29T04:00:00Z',
      labels: { app: 'sensor-reader', tier: 'edge', 'shoal.dev/fleet': 'greenhouse-a' },
      annotations: { 'shoal.dev/component-digest': 'sha256:' + 'ab12'.repeat(4) },
    },
    spec: {
      nodeName: 'edge-node-017',
      restartPolicy: 'Always',
      containers: [
        {
          name: 'reader',
          image: 'oci://registry.local/wasm/sensor-reader:1.4.2',
          args: ['--interval=5s', '--bus=i2c-1', '--topic=greenhouse/a/climate'],
          env: [{ name: 'LOG_LEVEL', value: 'info' }],
          resources: {
            requests: { cpu: '50m', memory: '16Mi' },
            limits: { cpu: '100m', memory: '32Mi' },
          },
          ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }],
        },
      ],
      tolerations: [{ key: 'shoal.dev/battery', operator: 'Exists', effect: 'NoSchedule' }],
    },
    status: {
      phase: 'Running',
      podIP: '10.42.3.17',
      startTime: '2026-11-29T04:00:02Z',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-29T04:00:00Z' },
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-11-29T04:00:01Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-29T04:00:03Z' },
      ],
    },
  }
}

// A plain Uint8Array (not a pooled Buffer), so .slice() below really copies.
const TEMPLATE = new Uint8Array(encode(podObject('name-0', 'default')))

export const VALUE_BYTES = TEMPLATE.length

/** A new copy of the same ~1 KiB CBOR bytes. */
export function podValue() {
  return TEMPLATE.slice()
}

/** the Pod a client sends to create one (bench/api.mjs, bench/http-floor.mjs; wrk-create.lua writes the same) */
export function podCreateBody(name) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'sensor-reader', tier: 'edge' } },
    spec: {
      containers: [
        {
          name: 'reader',
          image: 'sensor-reader:1.4.2',
          args: ['--interval=5s'],
          env: [{ name: 'LOG_LEVEL', value: 'info' }],
          resources: { limits: { cpu: '100m', memory: '32Mi' } },
          ports: [{ name: 'metrics', containerPort: 9100 }],
        },
      ],
    },
  }
}

export function podKey(namespace, i) {
  return `/registry/pods/${namespace}/name-${i}`
}
