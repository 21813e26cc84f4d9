// src/api/tables — server-side printing: a meta.k8s.io/v1 Table of objects of one kind, with
// the columns and cells kubectl's own printers show (priority 1 columns only with -o wide).
// Contract: a row for any object, malformed ones included, never a throw; each row carries the
// object's metadata so `kubectl get -A` can fill NAMESPACE; ages print as kubectl prints them.

export { ageSince, humanDuration } from './age.ts'
export { tableColumns } from './table-columns.ts'
export { tableRow, toTable } from './table.ts'
