// Table cells of discovery.k8s.io/v1 EndpointSlice, as kube-apiserver's printer
// (printEndpointSlice) fills them: the first three ports and addresses, then "+ N more...".
import type { EndpointSlice } from '../types/index.ts'
import { ageSince } from './age.ts'
import type { RowFn } from './table-rows-core.ts'

/** listWithMoreString: "a,b,c + 2 more...", "<unset>" when empty */
function firstThree(list: string[]): string {
  if (list.length > 3) return `${list.slice(0, 3).join(',')} + ${list.length - 3} more...`
  return list.length ? list.join(',') : '<unset>'
}

export const endpointSliceRow: RowFn<EndpointSlice> = (slice, now) => [
  slice.metadata.name ?? '',
  slice.addressType ?? '',
  firstThree(
    (slice.ports ?? []).map((p) =>
      typeof p?.port === 'number' ? String(p.port) : typeof p?.name === 'string' ? p.name : '*',
    ),
  ),
  firstThree((slice.endpoints ?? []).flatMap((e) => e?.addresses ?? [])),
  ageSince(slice.metadata.creationTimestamp, now),
]
