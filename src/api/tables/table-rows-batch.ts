// Table cells of batch/v1 CronJob, as kube-apiserver's printer (printCronJob) fills them.
import type { CronJob } from '../types/index.ts'
import { labelSelectorToString } from '../selectors/index.ts'
import { ageSince } from './age.ts'
import type { RowFn } from './table-rows-core.ts'

export const cronJobRow: RowFn<CronJob> = (cj, now) => {
  const template = cj.spec?.jobTemplate?.spec?.template
  const containers = template?.spec?.containers ?? []
  const selector = cj.spec?.jobTemplate?.spec?.selector
  const sel = selector ? labelSelectorToString(selector) : undefined
  const suspend = cj.spec?.suspend
  return [
    cj.metadata.name ?? '',
    cj.spec?.schedule ?? '',
    cj.spec?.timeZone ?? '<none>',
    suspend === undefined || suspend === null ? '<unset>' : suspend ? 'True' : 'False',
    cj.status?.active?.length ?? 0,
    cj.status?.lastScheduleTime ? ageSince(cj.status.lastScheduleTime, now) : '<none>',
    ageSince(cj.metadata.creationTimestamp, now),
    containers.map((c) => c.name).join(','),
    containers.map((c) => c.image).join(','),
    !sel ? '<none>' : sel.ok ? sel.value || '<none>' : '<invalid>',
  ]
}
