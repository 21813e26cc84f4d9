// src/api/selectors — label and field selectors, as kubectl sends them and specs hold them.
// Contract: parsing the string forms with Kubernetes' grammar and escapes returns a ParseResult
// (an error message, never a throw); matching is exact; a LabelSelector object converts to and
// from requirements and back to the string kubectl prints. Each kind's selectable fields are
// Kubernetes' own.

export {
  formatRequirements,
  labelSelectorRequirements,
  labelSelectorToString,
  matchesLabels,
  matchesLabelSelector,
  parseLabelSelector,
  type ParseResult,
  type Requirement,
  type SelectorOperator,
} from './label-selector.ts'
export {
  fieldValue,
  matchesFields,
  parseFieldSelector,
  selectableFields,
  type FieldRequirement,
} from './field-selector.ts'
