import type { PrismaClient } from '../../generated/prisma/client'
import { recordAudit } from '../audit'
import { conflict, unauthorized } from '../errors'
import { joinOnSignUp } from '../workspaces/invites'
import { createWorkspace } from '../workspaces/workspaces'
import { decoyHash, hashPassword, verifyPassword } from './password'
import type { RequestMeta } from './sessions'

export interface SignUpInput { name: string, email: string, password: string, inviteToken?: string, timeZone?: string }

/**
 * Creates an account. Through an invite it joins that workspace (an invite bound to an address waits until the
 * address is verified); otherwise it gets a workspace of its own (on an empty database this is the first run: the
 * first user owns the first workspace). The caller mails the verification link.
 */
export async function signUp(db: PrismaClient, input: SignUpInput, meta: RequestMeta) {
  if (await db.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw conflict('An account with this e-mail already exists. Sign in instead.')
  }
  const passwordHash = await hashPassword(input.password)
  return db.$transaction(async (tx) => {
    const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash, lastSignInAt: new Date() } })
    const workspaceId = input.inviteToken
      ? await joinOnSignUp(tx, input.inviteToken, user)
      : (await createWorkspace(tx, user.id, { name: `${input.name.split(' ')[0]}'s workspace`, timeZone: input.timeZone })).id
    await recordAudit(tx, { action: 'auth.sign_up', workspaceId, actorId: user.id, targetType: 'user', targetId: user.id, ip: meta.ip, userAgent: meta.userAgent })
    return { user: { id: user.id, email: user.email, name: user.name }, workspaceId }
  }).catch((error: { code?: string }) => {
    // Two sign-ups racing with one e-mail: the unique index decides.
    if (error.code === 'P2002') throw conflict('An account with this e-mail already exists. Sign in instead.')
    throw error
  })
}

/** Checks an e-mail and password. The same answer, and the same time, whether the e-mail exists or not. */
export async function verifyCredentials(db: PrismaClient, email: string, password: string, meta: RequestMeta) {
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, passwordHash: true } })
  const valid = await verifyPassword(user?.passwordHash ?? await decoyHash(), password)
  if (!user || !user.passwordHash || !valid) {
    await recordAudit(db, { action: 'auth.sign_in_failed', actorId: user?.id, ip: meta.ip, userAgent: meta.userAgent, metadata: { email } })
    throw unauthorized('Wrong e-mail or password.')
  }
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } })
  await recordAudit(db, { action: 'auth.sign_in', actorId: user.id, ip: meta.ip, userAgent: meta.userAgent })
  return { id: user.id, email: user.email, name: user.name }
}

export async function isFirstRun(db: PrismaClient): Promise<boolean> {
  return (await db.user.count()) === 0
}
