// Label selectors: the string form kubectl sends (`app in (nginx,x),!foo,tier=web,env!=prod,key`),
// the LabelSelector object form of specs, matching, and conversion between the two.
import { lookupTable } from '../json/index.ts'
import type { LabelSelector } from '../types/index.ts'
import { labelValue, qualifiedKey } from '../formats/index.ts'
import { tokenize, type Token } from './selector-tokens.ts'

export type SelectorOperator =
  'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'GreaterThan' | 'LessThan'

export interface Requirement {
  key: string
  operator: SelectorOperator
  values: string[]
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string }

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error })

/** Parses a selector string; the empty string selects everything. Errors name the bad part. */
export function parseLabelSelector(text: string): ParseResult<Requirement[]> {
  const tokens = tokenize(text)
  const out: Requirement[] = []
  let i = 0
  while (i < tokens.length) {
    const r = parseRequirement(tokens, i, text)
    if (!r.ok) return r
    out.push(r.value.requirement)
    i = r.value.next
    if (i < tokens.length) {
      if (tokens[i].kind !== ',') return fail(near(text, tokens[i], "expected ','"))
      if (++i === tokens.length)
        return fail(`unable to parse requirement: ${JSON.stringify(text)} ends with ','`)
    }
  }
  for (const r of out) {
    const problem = checkRequirement(r)
    if (problem) return fail(problem)
  }
  return { ok: true, value: out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) }
}

function near(text: string, t: Token, expected: string): string {
  return `unable to parse requirement: found '${t.text}' at position ${t.pos} of ${JSON.stringify(text)}, ${expected}`
}

/** "in" and "notin" are keywords only where an operator may stand. */
const isValue = (t: Token) => t.kind === 'word' || t.kind === 'in' || t.kind === 'notin'

type Step = ParseResult<{ requirement: Requirement; next: number }>

function parseRequirement(tokens: Token[], start: number, text: string): Step {
  let i = start
  const bang = tokens[i].kind === '!'
  if (bang) i++
  const key = tokens[i]
  if (!key || key.kind !== 'word')
    return fail(
      key
        ? near(text, key, 'expected a label key')
        : `unable to parse requirement: ${JSON.stringify(text)} ends without a key`,
    )
  i++
  const op = tokens[i]
  if (bang || !op || op.kind === ',') {
    return {
      ok: true,
      value: {
        requirement: { key: key.text, operator: bang ? 'DoesNotExist' : 'Exists', values: [] },
        next: i,
      },
    }
  }
  if (op.kind === 'in' || op.kind === 'notin')
    return parseSet(tokens, i + 1, text, {
      key: key.text,
      operator: op.kind === 'in' ? 'In' : 'NotIn',
      values: [],
    })
  const operators = lookupTable<SelectorOperator>({
    '=': 'Equals',
    '==': 'Equals',
    '!=': 'NotEquals',
    '>': 'GreaterThan',
    '<': 'LessThan',
  })
  const operator = operators[op.kind]
  if (!operator)
    return fail(near(text, op, "expected one of '=', '==', '!=', 'in', 'notin', '>', '<' or ','"))
  const value = tokens[i + 1]
  if (!value || value.kind === ',')
    return {
      ok: true,
      value: { requirement: { key: key.text, operator, values: [''] }, next: i + 1 },
    }
  if (!isValue(value)) return fail(near(text, value, 'expected a value'))
  return {
    ok: true,
    value: { requirement: { key: key.text, operator, values: [value.text] }, next: i + 2 },
  }
}

function parseSet(tokens: Token[], start: number, text: string, r: Requirement): Step {
  let i = start
  if (tokens[i]?.kind !== '(')
    return fail(
      tokens[i]
        ? near(text, tokens[i], "expected '('")
        : `unable to parse requirement: ${JSON.stringify(text)} ends before '('`,
    )
  i++
  for (;;) {
    const t = tokens[i]
    if (!t) return fail(`unable to parse requirement: ${JSON.stringify(text)} ends before ')'`)
    if (isValue(t)) {
      r.values.push(t.text)
      i++
    } else if (t.kind === ',' || t.kind === ')') r.values.push('')
    else return fail(near(text, t, 'expected a value'))
    const sep = tokens[i]
    if (sep?.kind === ')') return { ok: true, value: { requirement: r, next: i + 1 } }
    if (sep?.kind !== ',')
      return fail(
        sep
          ? near(text, sep, "expected ',' or ')'")
          : `unable to parse requirement: ${JSON.stringify(text)} ends before ')'`,
      )
    i++
  }
}

function checkRequirement(r: Requirement): string | undefined {
  const keyProblems = qualifiedKey(r.key)
  if (keyProblems.length)
    return `invalid label key ${JSON.stringify(r.key)}: ${keyProblems.join('; ')}`
  for (const v of r.values) {
    if ((r.operator === 'GreaterThan' || r.operator === 'LessThan') && !/^-?\d+$/.test(v))
      return `invalid value ${JSON.stringify(v)} for ${r.key}: for 'Gt', 'Lt' operators, the value must be an integer`
    const problems = labelValue(v)
    if (problems.length)
      return `invalid label value ${JSON.stringify(v)} for ${r.key}: ${problems.join('; ')}`
  }
  return undefined
}

/** True when every requirement holds for the labels. No requirements select everything. */
export function matchesLabels(
  requirements: readonly Requirement[],
  labels: Record<string, string> = {},
): boolean {
  return requirements.every((r) => matchesOne(r, labels))
}

function matchesOne(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key)
  const value = labels[r.key]
  switch (r.operator) {
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Equals':
    case 'In':
      return has && r.values.includes(value)
    case 'NotEquals':
    case 'NotIn':
      return !has || !r.values.includes(value)
    case 'GreaterThan':
      return has && /^-?\d+$/.test(value) && Number(value) > Number(r.values[0])
    case 'LessThan':
      return has && /^-?\d+$/.test(value) && Number(value) < Number(r.values[0])
  }
}

/** The requirements of a spec's LabelSelector. An empty selector ({}) selects everything. */
export function labelSelectorRequirements(selector: LabelSelector): ParseResult<Requirement[]> {
  if (!isRecord(selector)) return fail('a label selector must be an object')
  const { matchLabels = {}, matchExpressions = [] } = selector
  if (!isRecord(matchLabels)) return fail('matchLabels must be a map of strings')
  if (!Array.isArray(matchExpressions)) return fail('matchExpressions must be a list')
  const out: Requirement[] = Object.entries(matchLabels).map(([key, v]) => ({
    key,
    operator: 'Equals',
    values: [v],
  }))
  const ops = lookupTable<SelectorOperator>({
    In: 'In',
    NotIn: 'NotIn',
    Exists: 'Exists',
    DoesNotExist: 'DoesNotExist',
  })
  for (const e of matchExpressions) {
    const operator = isRecord(e) ? ops[String(e.operator)] : undefined
    if (!operator)
      return fail(
        `${JSON.stringify(isRecord(e) ? e.operator : e)} is not a valid label selector operator`,
      )
    const values = Array.isArray(e.values) ? e.values : []
    if ((operator === 'In' || operator === 'NotIn') === (values.length === 0))
      return fail(
        `values for ${JSON.stringify(e.key)} ${values.length ? 'must be empty' : 'must be set'} with operator ${e.operator}`,
      )
    out.push({ key: e.key, operator, values: [...values] })
  }
  for (const r of out) {
    const problem = checkRequirement(r)
    if (problem) return fail(problem)
  }
  return { ok: true, value: out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a selector from a body, checked field by field
const isRecord = (v: unknown): v is Record<string, any> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** Matches labels against a spec's selector. A missing (null) selector selects nothing, as in Kubernetes. */
export function matchesLabelSelector(
  selector: LabelSelector | undefined | null,
  labels?: Record<string, string>,
): boolean {
  if (!selector) return false
  const r = labelSelectorRequirements(selector)
  return r.ok && matchesLabels(r.value, labels)
}

/** The string form, as Kubernetes prints it: sorted by key, "app=x,tier in (a,b),!old". */
export function formatRequirements(requirements: readonly Requirement[]): string {
  return requirements.map(formatOne).join(',')
}

function formatOne(r: Requirement): string {
  const set = () => `(${[...r.values].sort().join(',')})`
  switch (r.operator) {
    case 'Exists':
      return r.key
    case 'DoesNotExist':
      return `!${r.key}`
    case 'Equals':
      return `${r.key}=${r.values[0]}`
    case 'NotEquals':
      return `${r.key}!=${r.values[0]}`
    case 'In':
      return `${r.key} in ${set()}`
    case 'NotIn':
      return `${r.key} notin ${set()}`
    case 'GreaterThan':
      return `${r.key}>${r.values[0]}`
    case 'LessThan':
      return `${r.key}<${r.values[0]}`
  }
}

/** A spec's LabelSelector as a selector string (Scale status.selector, `kubectl logs deploy/x`). */
export function labelSelectorToString(selector: LabelSelector): ParseResult<string> {
  const r = labelSelectorRequirements(selector)
  return r.ok ? { ok: true, value: formatRequirements(r.value) } : r
}
