// src/api/validation — what makes an object valid, and what may not change on an update.
// Contract: validate(obj) and validateUpdate(old, new) return every problem as a FieldCause
// { field, message } with Kubernetes' field paths ("spec.template.spec.containers[1].name") and
// wording ("Required value", "Invalid value: ..."), empty when the object is fine; never throw.
// Run validate after applyDefaults. statusCauses and invalidMessage render the causes as a
// metav1 Status does. The one declaration of FieldCause (src/core re-exports it).

export { validate } from './validate.ts'
export { validateUpdate } from './validate-update.ts'
export { invalidMessage, notSupported, statusCauses, type FieldCause } from './field-errors.ts'
