// The self-reviews, served as kube-apiserver serves them: POST only, 201 with the object sent plus
// its status, nothing stored. SelfSubjectAccessReview (`kubectl auth can-i`) is answered by the
// same Access.decide / decideNonResource a real request goes through, node facts included;
// SelfSubjectRulesReview (`can-i --list`) lists the caller's role rules; SelfSubjectReview
// (`kubectl auth whoami`) echoes the authenticated user. Creating them is itself authorized: the
// authorizer lets every role do it, as system:basic-user does in Kubernetes.
import { Hono, type Context } from 'hono'
import { servedResources } from '../../api/index.ts'
import { userOf, type Access } from './access.ts'
import { readBody } from './body.ts'
import { parseRequestInfo, type RequestInfo } from './request-info.ts'
import type { Caller } from './resource-handler.ts'
import { encode, negotiate } from './respond.ts'
import {
  ACCESS_REVIEW,
  RULES_REVIEW,
  SELF_REVIEW,
  accessQuestion,
  reviewObject,
  rulesNamespace,
  type Json,
  type ReviewKind,
} from './review-kinds.ts'
import { rulesFor, type Decision } from './security/index.ts'

type Env = { Variables: { caller: Caller; requestInfo: RequestInfo | undefined } }

/** routes under /apis: POST /apis/<group>/<version>/<resource> for each review kind */
export function reviewRoutes(access: Access): Hono<Env> {
  const app = new Hono<Env>()
  app.post(pathOf(ACCESS_REVIEW), (c) =>
    review(c, access, ACCESS_REVIEW, (body) => accessReviewStatus(access, c.get('caller'), body)),
  )
  app.post(pathOf(RULES_REVIEW), (c) =>
    review(c, access, RULES_REVIEW, (body) => rulesReviewStatus(c.get('caller'), body)),
  )
  app.post(pathOf(SELF_REVIEW), (c) =>
    review(c, access, SELF_REVIEW, async () => ({ userInfo: userInfo(c.get('caller')) })),
  )
  return app
}

const pathOf = (k: ReviewKind) => `/${k.group}/${k.version}/${k.resource}`

/** authorizes the create, reads the body, answers 201 with the review and its status */
async function review(
  c: Context<Env>,
  access: Access,
  k: ReviewKind,
  statusOf: (body: Json) => Promise<Json>,
): Promise<Response> {
  const url = new URL(c.req.url)
  const ri = c.get('requestInfo') ?? parseRequestInfo('POST', url.pathname)! // parsed by the app already
  await access.authorize(c.get('caller'), ri, url.searchParams)
  const body = reviewObject(k, await readBody(c.req.raw))
  const status = await statusOf(body)
  const answer = {
    kind: k.kind,
    apiVersion: `${k.group}/${k.version}`,
    metadata: body.metadata ?? {},
    ...(body.spec !== undefined ? { spec: body.spec } : {}),
    status,
  }
  return encode(negotiate(c.req.header('accept')) === 'cbor' ? 'cbor' : 'json', answer, 201)
}

async function accessReviewStatus(access: Access, caller: Caller, body: Json): Promise<Json> {
  const q = accessQuestion(body)
  let d: Decision
  if ('nonResource' in q) d = access.decideNonResource(caller, q.nonResource)
  else
    d = await access.decide(
      caller,
      q.resource,
      new URLSearchParams(q.fieldSelector ? { fieldSelector: q.fieldSelector } : {}),
    )
  if (d.allowed) return { allowed: true, reason: `allowed by the role "${userOf(caller).role}"` }
  return { allowed: false, denied: true, reason: d.reason }
}

async function rulesReviewStatus(caller: Caller, body: Json): Promise<Json> {
  const namespace = rulesNamespace(body) // the same rules in every namespace, but a node's Lease
  return { ...rulesFor(userOf(caller), servedResources(), { namespace }) }
}

function userInfo(caller: Caller) {
  return { username: caller.name, groups: [...caller.groups] }
}
