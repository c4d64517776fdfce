// Whether a connected account still works. One failure (a refused refresh, an auth error after a refresh) is
// temporary: the account stays active and the next sweep tries again. Only a repeat, or a platform saying the
// access is gone for good, turns it to `expired`, which the Accounts page shows as "reconnect needed" with the
// platform's reason. Trouble at the platform's end (a 5xx, a time-out) is noted but never counts: reconnecting
// would not fix it.
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { PlatformError, type ErrorAction } from './connector'

type Db = PrismaClient | Prisma.TransactionClient

/** Failures in a row that ask the creator to reconnect. */
export const FAILURES_BEFORE_RECONNECT = 2
const REASON_MAX_LENGTH = 500

/** A call on an account that needs reconnecting first; the message says why, in the platform's words. */
export class AccountNeedsReconnect extends Error {
  constructor(readonly accountId: string, reason: string | null) {
    super(`This account needs reconnecting${reason ? `: ${reason}` : '.'}`)
    this.name = 'AccountNeedsReconnect'
  }
}

/** Text with every token, secret, code and Authorization value taken out, and the plain `secrets` given. */
export function redactSecrets(text: string, secrets: (string | undefined)[] = []): string {
  let redacted = text
  for (const secret of secrets) {
    if (secret && secret.length >= 4) redacted = redacted.split(secret).join('[redacted]')
  }
  return redacted
    .replace(/\b(access_token|refresh_token|client_secret|code|code_verifier|fb_exchange_token|input_token)=[^&\s"']+/gi, '$1=[redacted]')
    .replace(/("(?:access_token|refresh_token|client_secret|code)"\s*:\s*")[^"]*"/gi, '$1[redacted]"')
    .replace(/\b(Bearer|OAuth)\s+[\w.~+/=-]+/g, '$1 [redacted]')
    .slice(0, REASON_MAX_LENGTH)
}

/** A failure in words fit to store and show: the platform's message (PlatformError says it plainly), redacted. */
export function failureReason(error: unknown, secrets: (string | undefined)[] = []): string {
  const text = error instanceof PlatformError || error instanceof AccountNeedsReconnect
    ? error.message
    : `The platform could not be reached (${error instanceof Error ? error.message : String(error)}).`
  return redactSecrets(text, secrets)
}

export interface AccountHealth { status: string, failureCount: number }

/**
 * Records a failed refresh or call. `retry` (the platform's own trouble) keeps the count; `disconnect` (access
 * revoked, the account gone) expires the account at once; anything else expires it when it repeats.
 */
export async function recordAccountFailure(db: Db, accountId: string, reason: string, action: ErrorAction['action'] = 'refresh'): Promise<AccountHealth> {
  const lastError = redactSecrets(reason)
  const lastErrorAt = new Date()
  if (action === 'retry' || action === 'bad-input') {
    return db.socialAccount.update({ where: { id: accountId }, data: { lastError, lastErrorAt }, select: { status: true, failureCount: true } })
  }
  const row = await db.socialAccount.update({
    where: { id: accountId },
    data: { failureCount: { increment: 1 }, lastError, lastErrorAt },
    select: { status: true, failureCount: true },
  })
  if (row.status === 'active' && (action === 'disconnect' || row.failureCount >= FAILURES_BEFORE_RECONNECT)) {
    // Conditional, so a reconnect that landed meanwhile (status active, count 0) is not undone.
    const { count } = await db.socialAccount.updateMany({ where: { id: accountId, status: 'active', failureCount: row.failureCount }, data: { status: 'expired' } })
    if (count === 1) return { status: 'expired', failureCount: row.failureCount }
  }
  return row
}

/** A call or refresh worked: the failures in a row start again from zero. Writes only when there were any. */
export async function recordAccountSuccess(db: Db, accountId: string): Promise<void> {
  await db.socialAccount.updateMany({
    where: { id: accountId, status: 'active', OR: [{ failureCount: { gt: 0 } }, { lastError: { not: null } }] },
    data: { failureCount: 0, lastError: null, lastErrorAt: null },
  })
}
