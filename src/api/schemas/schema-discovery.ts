// Field schema of discovery.k8s.io/v1 EndpointSlice.
import { bool, fields, int, listOf, map, str, strs } from './field-schema.ts'
import { kindSchema, objectReference } from './schema-meta.ts'

export const endpointSlice = kindSchema({
  addressType: str,
  endpoints: listOf({
    addresses: strs,
    conditions: fields(bool, 'ready', 'serving', 'terminating'),
    ...fields(str, 'hostname', 'nodeName', 'zone'),
    targetRef: objectReference,
    deprecatedTopology: map,
    hints: { forZones: listOf({ name: str }) },
  }),
  ports: listOf({ ...fields(str, 'name', 'protocol', 'appProtocol'), port: int }),
})
