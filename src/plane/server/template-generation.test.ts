import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { DaemonSet } from '../../api/index.ts'
import {
  TEMPLATE_GENERATION,
  templateGenerationOnCreate,
  templateGenerationOnUpdate,
} from './template-generation.ts'

const ds = (image: string, generation?: string): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: {
    name: 'agent',
    namespace: 'default',
    annotations: generation ? { [TEMPLATE_GENERATION]: generation, note: 'x' } : { note: 'x' },
  },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [{ name: 'agent', image }] },
    },
  },
})

const gen = (o: { metadata: DaemonSet['metadata'] }) =>
  o.metadata.annotations?.[TEMPLATE_GENERATION]

test('created: 1, or the larger one the client set; other kinds untouched', () => {
  assert.is(gen(templateGenerationOnCreate(ds('a:1'))), '1')
  assert.is(gen(templateGenerationOnCreate(ds('a:1', '4'))), '4')
  assert.is(gen(templateGenerationOnCreate(ds('a:1', 'x'))), '1')
  assert.is(templateGenerationOnCreate(ds('a:1')).metadata.annotations?.note, 'x')
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }
  assert.is(templateGenerationOnCreate(cm), cm)
})

test('updated: the stored one, one more when the template changed; a client cannot set it', () => {
  const cur = ds('a:1', '2')
  assert.is(gen(templateGenerationOnUpdate(cur, ds('a:1'))), '2')
  assert.is(gen(templateGenerationOnUpdate(cur, ds('a:1', '9'))), '2')
  assert.is(gen(templateGenerationOnUpdate(cur, ds('a:2', '9'))), '3')
  assert.is(gen(templateGenerationOnUpdate(ds('a:1'), ds('a:1'))), '1')
})

test.run()
