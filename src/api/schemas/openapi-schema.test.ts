// The field schemas as OpenAPI v3: what `kubectl explain` reads.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { allResources } from '../resources/index.ts'
import { kindOpenApiSchema, openApiSchema, sharedOpenApiSchemas } from './openapi-schema.ts'

type Node = {
  type?: string
  properties?: Record<string, Node>
  items?: Node
  additionalProperties?: Node
  allOf?: { $ref: string }[]
}

test('every kind served has a schema tagged with its group-version-kind', () => {
  for (const r of allResources()) {
    const s = kindOpenApiSchema(r) as Node & { 'x-kubernetes-group-version-kind': unknown }
    assert.equal(
      s['x-kubernetes-group-version-kind'],
      [{ group: r.group, kind: r.kind, version: r.version }],
      r.kind,
    )
    assert.is(s.type, 'object')
    assert.ok(s.properties?.metadata?.properties?.labels, r.kind)
  }
})

test('types: scalars, lists, string maps, opaque objects, int-or-string and quantities by reference', () => {
  const d = kindOpenApiSchema({ group: 'apps', version: 'v1', kind: 'Deployment' }) as Node
  const spec = d.properties!.spec.properties!
  assert.is(spec.replicas.type, 'integer')
  assert.is(spec.paused.type, 'boolean')
  const container = spec.template.properties!.spec.properties!.containers.items!.properties!
  assert.equal(container.args, { type: 'array', items: { type: 'string' } })
  assert.equal(d.properties!.metadata.properties!.labels, {
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  assert.is(container.securityContext.type, 'object')
  const refs = [
    spec.strategy.properties!.rollingUpdate.properties!.maxSurge,
    container.resources.properties!.limits.additionalProperties!,
  ]
  for (const r of refs)
    assert.ok(
      sharedOpenApiSchemas[r.allOf![0].$ref.replace('#/components/schemas/', '')],
      JSON.stringify(r),
    )
  assert.equal(openApiSchema('date-time'), { type: 'string', format: 'date-time' })
})

test.run()
