// Limits on the job progress streams (server-sent events): each holds a connection and polls the database.
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { PrismaClient } from '../../generated/prisma/client'
import { findActiveSessionUser } from '../auth/sessions'

/** Open streams one user may hold across the web instances. Below a browser's six connections per host, so the page itself still loads. */
export const JOB_STREAMS_PER_USER = 5

/** How long a stream's slot in Redis outlives its last renewal: a web instance that dies gives its slots back after this. */
export const JOB_STREAM_LEASE_MS = 30_000

// Renewed well inside the lease, so a busy event loop or a slow Redis round trip never lets a live slot lapse.
const RENEW_EVERY_MS = JOB_STREAM_LEASE_MS / 3

/** How often an open stream checks that its viewer is still signed in and still a member of the workspace. */
export const JOB_STREAM_RECHECK_MS = 2000

/** A user's stream slots: taken when a stream opens, given back when it closes. */
export interface JobStreamSlots {
  /** Takes one of the user's slots; returns its release, or undefined when all are taken. */
  claim: (userId: string) => Promise<(() => void) | undefined>
  /** Gives back this process's slots and stops renewing them (at shutdown). */
  close: () => Promise<void>
}

// One sorted set per user, a member per open stream scored by when its lease ends. Expired members are dropped before
// counting, so a slot whose instance died stops counting once its lease ends. TIME is Redis's clock: the instances'
// own clocks may disagree.
const CLAIM_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`

// A renewal puts the slot back even if it lapsed (a long pause): the stream is open, so it counts.
const RENEW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`

/** Counts in this process only: right for one web instance, and the fallback when Redis does not answer. */
function localSlots(perUser: number) {
  const open = new Map<string, number>()
  return (userId: string): (() => void) | undefined => {
    const count = open.get(userId) ?? 0
    if (count >= perUser) return undefined
    open.set(userId, count + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (open.get(userId) ?? 1) - 1
      if (left > 0) open.set(userId, left)
      else open.delete(userId)
    }
  }
}

/**
 * Stream slots counted in Redis when the app has it (shared by every web instance, each slot leased and renewed by the
 * instance holding it), else in this process.
 */
export function createJobStreamSlots(options: { redis?: Redis, perUser?: number, leaseMs?: number, warn?: (message: string) => void } = {}): JobStreamSlots {
  const perUser = options.perUser ?? JOB_STREAMS_PER_USER
  const leaseMs = options.leaseMs ?? JOB_STREAM_LEASE_MS
  const local = localSlots(perUser)
  const redis = options.redis
  if (!redis) return { claim: async userId => local(userId), close: async () => {} }

  const keyOf = (userId: string) => `reelwise:job-streams:${userId}`
  // This process's slots in Redis: member → user.
  const held = new Map<string, string>()
  // Said once per outage, not once per stream.
  let warned = false
  let renewer: NodeJS.Timeout | undefined
  const renew = async () => {
    const pipeline = redis.pipeline()
    for (const [member, userId] of held) pipeline.eval(RENEW_SCRIPT, 1, keyOf(userId), member, leaseMs)
    await pipeline.exec()
  }
  const schedule = () => {
    if (renewer || held.size === 0) return
    renewer = setInterval(() => {
      if (held.size === 0) {
        clearInterval(renewer)
        renewer = undefined
        return
      }
      void renew().catch(() => {})
    }, RENEW_EVERY_MS)
    renewer.unref()
  }

  return {
    async claim(userId) {
      const member = randomUUID()
      let taken: unknown
      try {
        taken = await redis.eval(CLAIM_SCRIPT, 1, keyOf(userId), member, perUser, leaseMs)
        warned = false
      }
      catch (error) {
        // Redis is away: this process's own count still bounds the streams, rather than refusing every one.
        if (!warned) options.warn?.(`[jobs] job stream slots: Redis did not answer (${(error as Error).message}); counting this instance's streams only`)
        warned = true
        return local(userId)
      }
      if (Number(taken) !== 1) return undefined
      held.set(member, userId)
      schedule()
      let released = false
      return () => {
        if (released) return
        released = true
        held.delete(member)
        // Not given back (Redis away): the lease ends it.
        void redis.zrem(keyOf(userId), member).catch(() => {})
      }
    },
    async close() {
      clearInterval(renewer)
      renewer = undefined
      const pipeline = redis.pipeline()
      for (const [member, userId] of held) pipeline.zrem(keyOf(userId), member)
      held.clear()
      await pipeline.exec().catch(() => {})
    },
  }
}

/** Whether the viewer may still watch: their session is live and they are still a member of the workspace. */
export async function mayStillWatch(db: PrismaClient, viewer: { userId: string, sessionId: string, workspaceId: string }): Promise<boolean> {
  const [user, membership] = await Promise.all([
    findActiveSessionUser(db, viewer.sessionId, viewer.userId),
    db.membership.findUnique({ where: { workspaceId_userId: { workspaceId: viewer.workspaceId, userId: viewer.userId } }, select: { id: true } }),
  ])
  return Boolean(user && membership)
}
