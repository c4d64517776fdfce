import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import type pg from 'pg'
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { tooManyRequests } from '../errors'

export interface Limit {
  name: string
  max: number
  windowSeconds: number
  /** Shown to the user when the limit is reached; "{minutes}" is replaced by the wait. */
  message: string
}

// Sign-in counts failures per account and every attempt per address, so a wrong password 20 times is stopped
// at 10 without locking out a shared office address. Values chosen to never bother a person, only a script.
export const limits = {
  signInAccount: { name: 'sign-in-account', max: 10, windowSeconds: 15 * 60, message: 'Too many failed sign-ins for this account. Try again in {minutes} minutes, or reset your password.' },
  signInAddress: { name: 'sign-in-ip', max: 60, windowSeconds: 15 * 60, message: 'Too many sign-in attempts from your network. Try again in {minutes} minutes.' },
  signUpAddress: { name: 'sign-up-ip', max: 10, windowSeconds: 60 * 60, message: 'Too many accounts created from your network. Try again in {minutes} minutes.' },
  inviteAddress: { name: 'invite-ip', max: 30, windowSeconds: 15 * 60, message: 'Too many invite attempts from your network. Try again in {minutes} minutes.' },
  inviteAccount: { name: 'invite-account', max: 10, windowSeconds: 15 * 60, message: 'Too many invite attempts from your account. Try again in {minutes} minutes.' },
  // An analysis is a full ffmpeg pass over the video: a person re-runs it a few times with other thresholds, a script hundreds.
  analyseMember: { name: 'analyse-member', max: 20, windowSeconds: 60 * 60, message: 'You have asked for many analyses in a short time. Try again in {minutes} minutes.' },
  analyseWorkspace: { name: 'analyse-workspace', max: 60, windowSeconds: 60 * 60, message: 'This workspace has asked for many analyses in a short time. Try again in {minutes} minutes.' },
  transcribeMember: { name: 'transcribe-member', max: 30, windowSeconds: 60 * 60, message: 'You have asked for many transcriptions in a short time. Try again in {minutes} minutes.' },
} satisfies Record<string, Limit>

/** Where the counters live: Redis when the app has it, else the database's RateLimit table (made by a migration). */
export type RateLimitStore = { redis: Redis } | { pool: pg.Pool }

// The table prisma/schema.prisma models as RateLimit, with the columns rate-limiter-flexible writes (key, points, expire).
const TABLE = 'RateLimit'

// Keys never hold an e-mail or an address in clear.
function subjectKey(subject: string): string {
  return createHash('sha256').update(subject).digest('hex').slice(0, 32)
}

function refuse(limit: Limit, msBeforeNext: number): never {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000))
  throw tooManyRequests(limit.message.replace('{minutes}', String(Math.ceil(seconds / 60))), seconds)
}

/**
 * Counters shared by every instance, each `consume` one atomic increment in the store (rate-limiter-flexible),
 * so parallel requests cannot all pass a check made before their writes.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>()

  /** `namespace` keeps the counters of deployments that share a store apart. */
  constructor(private readonly store: RateLimitStore, private readonly namespace = 'reelwise') {}

  private limiter(limit: Limit): RateLimiterAbstract {
    let limiter = this.limiters.get(limit.name)
    if (limiter) return limiter
    const options = { keyPrefix: `${this.namespace}:rl:${limit.name}`, points: limit.max, duration: limit.windowSeconds }
    // A store that fails for a moment falls back to this process's own count rather than refusing every sign-in.
    const insuranceLimiter = new RateLimiterMemory(options)
    if ('redis' in this.store) {
      limiter = new RateLimiterRedis({ ...options, storeClient: this.store.redis, insuranceLimiter })
    }
    else {
      const pool = this.store.pool
      // Unnamed statements: the embedded database serves every connection from one session, where
      // rate-limiter-flexible's named prepared statements would collide ("prepared statement already exists").
      const storeClient = { query: (query: { text: string, values?: unknown[] }) => pool.query({ text: query.text, values: query.values }) }
      limiter = new RateLimiterPostgres({ ...options, storeClient, storeType: 'pool', tableName: TABLE, tableCreated: true, insuranceLimiter })
    }
    this.limiters.set(limit.name, limiter)
    return limiter
  }

  /** Counts one event against `limit`, and throws 429 (with the wait) when that goes over it. */
  async consume(limit: Limit, subject: string): Promise<void> {
    try {
      await this.limiter(limit).consume(subjectKey(subject))
    }
    catch (error) {
      if (error instanceof RateLimiterRes) refuse(limit, error.msBeforeNext)
      throw error
    }
  }

  /** Throws 429 when `subject` has used up `limit` in the current window. Counts nothing. */
  async assertUnder(limit: Limit, subject: string): Promise<void> {
    const current = await this.limiter(limit).get(subjectKey(subject))
    if (current && current.consumedPoints >= limit.max) refuse(limit, current.msBeforeNext)
  }

  /** Forgets what `subject` used of `limit`: a password reset lifts the lock that failed sign-ins put on the account. */
  async clear(limit: Limit, subject: string): Promise<void> {
    await this.limiter(limit).delete(subjectKey(subject))
  }

  /** Gives back one event counted by `consume`. */
  async reward(limit: Limit, subject: string): Promise<void> {
    await this.limiter(limit).reward(subjectKey(subject), 1)
  }
}

/**
 * A password check guarded by the per-account limit. The attempt is counted before `verify` runs, so however many
 * arrive at once, at most `limits.signInAccount.max` passwords are ever checked in a window. Only a wrong password
 * (401) keeps its count: a success or an outage gives it back.
 */
export async function limitPasswordAttempts<T>(rateLimits: RateLimits, email: string, verify: () => Promise<T>): Promise<T> {
  await rateLimits.consume(limits.signInAccount, email)
  let result: T
  try {
    result = await verify()
  }
  catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 401) await rateLimits.reward(limits.signInAccount, email).catch(() => {})
    throw error
  }
  await rateLimits.reward(limits.signInAccount, email).catch(() => {})
  return result
}
