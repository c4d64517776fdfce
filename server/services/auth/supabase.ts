// Supabase Auth (GoTrue) mode: Supabase checks the password or sends the magic link; we verify the access token it
// issues (JWKS from the project, or the project's JWT secret), map it to a local user, and start our own session.
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose'
import type { PrismaClient } from '../../generated/prisma/client'
import { recordAudit } from '../audit'
import { badRequest, conflict, ServiceError, unauthorized } from '../errors'
import { acceptInvite } from '../workspaces/invites'
import { createWorkspace } from '../workspaces/workspaces'
import type { RequestMeta } from './sessions'

export interface SupabaseSettings { url: string, anonKey: string, jwtSecret?: string }

export interface SupabaseClaims {
  supabaseUserId: string
  email: string
  name?: string
  /** Asks Supabase whether the address is confirmed. The token does not say: its user_metadata is the user's to write. */
  emailConfirmed: () => Promise<boolean>
}

const CONFIRM_FIRST = 'Confirm your e-mail address first: open the link Supabase e-mailed you, then sign in again.'

const keySets = new Map<string, JWTVerifyGetKey>()

function issuer(settings: SupabaseSettings): string {
  return `${settings.url.replace(/\/$/, '')}/auth/v1`
}

/** Verifies a Supabase access token: signature, issuer, audience and expiry. Undefined when any of them fails. */
export async function verifySupabaseToken(settings: SupabaseSettings, token: string): Promise<SupabaseClaims | undefined> {
  try {
    const options = { issuer: issuer(settings), audience: 'authenticated' }
    const { payload } = settings.jwtSecret
      ? await jwtVerify(token, new TextEncoder().encode(settings.jwtSecret), { ...options, algorithms: ['HS256'] })
      : await jwtVerify(token, jwks(settings), { ...options, algorithms: ['ES256', 'RS256'] })
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !payload.email) return undefined
    const metadata = payload.user_metadata as { name?: unknown, full_name?: unknown } | undefined
    const name = typeof metadata?.name === 'string' ? metadata.name : typeof metadata?.full_name === 'string' ? metadata.full_name : undefined
    return { supabaseUserId: payload.sub, email: payload.email.toLowerCase(), name, emailConfirmed: () => supabaseEmailConfirmed(settings, token) }
  }
  catch {
    return undefined
  }
}

function jwks(settings: SupabaseSettings): JWTVerifyGetKey {
  const url = `${issuer(settings)}/.well-known/jwks.json`
  let keySet = keySets.get(url)
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
    keySets.set(url, keySet)
  }
  return keySet
}

interface GoTrueSession { access_token?: string, user?: { id: string, email?: string } }

async function goTrue<T>(settings: SupabaseSettings, path: string, body: unknown, accessToken?: string): Promise<{ status: number, body: T }> {
  let response: Response
  try {
    response = await fetch(`${issuer(settings)}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { apikey: settings.anonKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
  }
  catch {
    throw new ServiceError(503, 'Sign-in is unavailable: Supabase Auth did not answer. Try again in a minute.')
  }
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text ? JSON.parse(text) : {}
  }
  catch {
    throw new ServiceError(502, 'Supabase Auth sent a reply we could not read. Try again in a minute.')
  }
  if (response.status === 429) throw new ServiceError(429, 'Supabase Auth is limiting requests. Try again in a minute.', { retryAfterSeconds: 60 })
  if (response.status >= 500) throw new ServiceError(503, 'Supabase Auth is having trouble. Try again in a minute.')
  return { status: response.status, body: parsed as T }
}

/** Whether Supabase has seen the user confirm their e-mail address (GET /user with their own token). */
async function supabaseEmailConfirmed(settings: SupabaseSettings, accessToken: string): Promise<boolean> {
  const reply = await goTrue<{ email_confirmed_at?: string | null }>(settings, '/user', undefined, accessToken)
  return reply.status === 200 && Boolean(reply.body.email_confirmed_at)
}

/** Checks an e-mail and password with Supabase and returns the verified identity. */
export async function supabasePasswordSignIn(settings: SupabaseSettings, email: string, password: string): Promise<SupabaseClaims> {
  const reply = await goTrue<GoTrueSession & { error_code?: string }>(settings, '/token?grant_type=password', { email, password })
  if (reply.body.error_code === 'email_not_confirmed') throw new ServiceError(403, CONFIRM_FIRST)
  const claims = reply.status === 200 && reply.body.access_token ? await verifySupabaseToken(settings, reply.body.access_token) : undefined
  if (!claims) throw unauthorized('Wrong e-mail or password.')
  return claims
}

/** Creates the Supabase user. Returns the identity when the project signs users in at once, or undefined when it sends a confirmation e-mail first. */
export async function supabaseSignUp(settings: SupabaseSettings, input: { email: string, password: string, name: string }): Promise<SupabaseClaims | undefined> {
  const reply = await goTrue<GoTrueSession & { msg?: string, error_code?: string }>(settings, '/signup', { email: input.email, password: input.password, data: { name: input.name } })
  if (reply.status === 422 || reply.body.error_code === 'user_already_exists') throw conflict('An account with this e-mail already exists. Sign in instead.')
  if (reply.status >= 400) throw badRequest(reply.body.msg ?? 'Supabase Auth refused the sign-up.')
  return reply.body.access_token ? verifySupabaseToken(settings, reply.body.access_token) : undefined
}

/** Asks Supabase to e-mail a sign-in link that returns to `redirectTo` with an access token. */
export async function supabaseSendMagicLink(settings: SupabaseSettings, email: string, redirectTo: string): Promise<void> {
  const reply = await goTrue(settings, `/otp?redirect_to=${encodeURIComponent(redirectTo)}`, { email, create_user: true })
  if (reply.status >= 400) throw badRequest('Supabase Auth could not send the link. Check the address and try again.')
}

/**
 * The local user for a verified Supabase identity: found by Supabase id, else linked by e-mail, else created,
 * with a workspace of its own unless an invite brings it into one. Linking and creating need an address Supabase
 * saw confirmed: anyone can sign up at Supabase with someone else's e-mail, and some projects let them sign in unconfirmed.
 */
export async function userForSupabaseIdentity(db: PrismaClient, claims: SupabaseClaims, meta: RequestMeta, inviteToken?: string) {
  const select = { id: true, email: true, name: true } as const
  const known = await db.user.findUnique({ where: { supabaseUserId: claims.supabaseUserId }, select })
  // Supabase confirmed this address (GET /user says so): it counts as verified here too.
  const verified = { emailVerifiedAt: new Date() }
  if (known) {
    if (await claims.emailConfirmed()) await db.user.updateMany({ where: { id: known.id, emailVerifiedAt: null }, data: verified })
    return known
  }
  if (!await claims.emailConfirmed()) throw new ServiceError(403, CONFIRM_FIRST)
  const byEmail = await db.user.findUnique({ where: { email: claims.email }, select: { ...select, supabaseUserId: true } })
  if (byEmail) {
    if (byEmail.supabaseUserId) throw conflict('This e-mail belongs to another sign-in. Contact your workspace owner.')
    await db.user.update({ where: { id: byEmail.id }, data: { supabaseUserId: claims.supabaseUserId, ...verified } })
    return { id: byEmail.id, email: byEmail.email, name: byEmail.name }
  }
  const name = claims.name ?? claims.email.split('@')[0]!
  return db.$transaction(async (tx) => {
    const user = await tx.user.create({ data: { email: claims.email, name, supabaseUserId: claims.supabaseUserId, ...verified }, select })
    const workspaceId = inviteToken
      ? (await acceptInvite(tx, inviteToken, user)).workspaceId
      : (await createWorkspace(tx, user.id, { name: `${name.split(' ')[0]}'s workspace` })).id
    await recordAudit(tx, { action: 'auth.sign_up', workspaceId, actorId: user.id, targetType: 'user', targetId: user.id, ip: meta.ip, userAgent: meta.userAgent, metadata: { via: 'supabase' } })
    return user
  })
}

/** Sign-in in Supabase mode: the password is checked by Supabase, the session is ours. Audited like local sign-in. */
export async function signInWithSupabase(db: PrismaClient, settings: SupabaseSettings, email: string, password: string, meta: RequestMeta) {
  let claims: SupabaseClaims
  try {
    claims = await supabasePasswordSignIn(settings, email, password)
  }
  catch (error) {
    if ((error as ServiceError).statusCode === 401) {
      const known = await db.user.findUnique({ where: { email }, select: { id: true } })
      await recordAudit(db, { action: 'auth.sign_in_failed', actorId: known?.id, ip: meta.ip, userAgent: meta.userAgent, metadata: { email, via: 'supabase' } })
    }
    throw error
  }
  const user = await userForSupabaseIdentity(db, claims, meta)
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } })
  await recordAudit(db, { action: 'auth.sign_in', actorId: user.id, ip: meta.ip, userAgent: meta.userAgent, metadata: { via: 'supabase' } })
  return user
}
