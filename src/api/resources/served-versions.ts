// Versions served besides the storage version, the way kube-apiserver serves an older version of
// a group: one stored form, and a conversion on the way in (a request body → storage version,
// before defaults and validation) and on the way out (every object a response or watch carries).
// A version's field schema (fieldValidation, OpenAPI) is filed under schemaName.
import { lookupTable } from '../json/index.ts'
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerV1,
  KubeObject,
} from '../types/index.ts'
import type { ParseResult } from '../selectors/index.ts'
import { hpaFromV1, hpaToV1 } from './hpa-conversion.ts'
import { apiVersionOf, type ResourceInfo } from './registry.ts'

interface Conversion {
  toStorage(obj: KubeObject): ParseResult<KubeObject>
  fromStorage(obj: KubeObject): KubeObject
}

/** "<apiVersion>/<kind>" of a served version → its conversion to and from the storage version */
const conversions = lookupTable<Conversion>({
  'autoscaling/v1/HorizontalPodAutoscaler': {
    toStorage: (o) => hpaFromV1(o as HorizontalPodAutoscalerV1),
    fromStorage: (o) => hpaToV1(o as HorizontalPodAutoscaler),
  },
})

const isStorage = (info: ResourceInfo) => info.version === info.storageVersion

function conversionOf(info: ResourceInfo): Conversion {
  const c = conversions[`${apiVersionOf(info)}/${info.kind}`]
  if (!c)
    throw new TypeError(
      `api: ${info.resource} are served at ${apiVersionOf(info)} with no conversion to ${info.storageVersion}`,
    )
  return c
}

/** a stored object as `info`'s version serves it (the object itself at the storage version) */
export function toServedVersion<T extends KubeObject>(info: ResourceInfo, obj: T): T {
  return isStorage(info) ? obj : (conversionOf(info).fromStorage(obj) as T)
}

/** an object of `info`'s version (a request body) as it is stored; an error for what cannot convert */
export function toStorageVersion(info: ResourceInfo, obj: KubeObject): ParseResult<KubeObject> {
  return isStorage(info) ? { ok: true, value: obj } : conversionOf(info).toStorage(obj)
}

/**
 * The name a kind's field schema is filed under at this version: the kind at its storage
 * version, "<apiVersion>/<kind>" at another ("autoscaling/v1/HorizontalPodAutoscaler").
 */
export function schemaName(t: {
  group?: string
  version: string
  kind: string
  storageVersion?: string
}): string {
  return !t.storageVersion || t.version === t.storageVersion
    ? t.kind
    : `${apiVersionOf({ group: t.group ?? '', version: t.version })}/${t.kind}`
}
