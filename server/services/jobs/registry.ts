// Every queue the product runs, in one place: payload, retries, backoff, expiry, heartbeats, fairness, concurrency,
// what happens to the domain row when a job is given up on, and dead letters.
// Issues that build a service register its queue here, with its handler in server/jobs/<queue>.ts.
import { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import { failAnalysis } from '../library/analysis'
import { failStuckPost } from '../posts/settle'
import { failRender } from '../studio/renders'

export interface QueueDefinition {
  name: string
  /** The job's data; `send()` and the handler share it. */
  payload?: z.ZodType
  /** Attempts after the first before the job fails and goes to the dead-letter queue. */
  retryLimit: number
  /** Seconds before the first retry; doubled each time when `retryBackoff`. */
  retryDelay: number
  retryBackoff: boolean
  /** Seconds a job may run at most; past it, it is failed (and retried) even while its worker is alive. */
  expireInSeconds: number
  /**
   * Seconds without a heartbeat after which a running job counts as lost (its worker died) and is retried.
   * Required for every queue whose jobs may run longer than a minute (see assertQueueRules); pg-boss wants 10 or more.
   */
  heartbeatSeconds?: number
  /** Jobs of this queue one worker process runs at once. */
  concurrency: number
  /**
   * Heavy work per workspace: jobs are grouped by the payload's workspaceId and at most this many of one
   * workspace run at once across every worker, so one workspace's backlog never starves the others.
   */
  perWorkspace?: number
  /**
   * pg-boss's queue policy. `stately`: per singletonKey, at most one job waits and one runs, so a second send for the
   * same thing while one waits is dropped (a post is never queued twice). Fixed when the queue is first created.
   */
  policy?: 'standard' | 'stately'
  /**
   * The job was given up on: its retries ran out, or its worker vanished on the last attempt. Moves the domain row
   * out of its running state, with a reason a person can act on. Called by jobs.reconcile; idempotent.
   */
  onFinalFailure?: (db: PrismaClient, data: unknown, reason: string) => Promise<void>
}

/** How often the engine looks for jobs whose heartbeat stopped or whose time ran out (pg-boss's supervise pass). */
export const SUPERVISE_SECONDS = 15

// A dead worker's job must be running again within about a minute: the heartbeat goes quiet, the next supervise
// pass notices, and the first retry waits out its delay (up to twice it with backoff).
export const LOST_JOB_RETURNS_WITHIN_SECONDS = 90

/** The worst case for a dead worker's job to run again: heartbeat, supervise pass, first retry delay. */
export function lostJobReturnsWithinSeconds(queue: QueueDefinition): number {
  const lostAfter = queue.heartbeatSeconds ?? queue.expireInSeconds
  return lostAfter + SUPERVISE_SECONDS + queue.retryDelay * (queue.retryBackoff ? 2 : 1)
}

/** The registry's rules; the engine refuses to start a queue that breaks one. */
export function assertQueueRules(queue: QueueDefinition): void {
  if (queue.expireInSeconds > 60 && !queue.heartbeatSeconds) {
    throw new Error(`Queue ${queue.name}: its jobs may run longer than a minute, so it needs heartbeatSeconds (a dead worker's job then comes back in about a minute)`)
  }
  if (queue.heartbeatSeconds !== undefined && (!Number.isInteger(queue.heartbeatSeconds) || queue.heartbeatSeconds < 10)) {
    throw new Error(`Queue ${queue.name}: heartbeatSeconds must be a whole number of 10 or more`)
  }
  if (queue.perWorkspace !== undefined && !(queue.perWorkspace >= 1)) throw new Error(`Queue ${queue.name}: perWorkspace must be 1 or more`)
}

const analysePayload = z.object({ workspaceId: z.uuid(), videoId: z.uuid(), analysisId: z.uuid() })
const renderPayload = z.object({ workspaceId: z.uuid(), renderId: z.uuid() })
const strategyPayload = z.object({ workspaceId: z.uuid(), userId: z.uuid().nullable(), useLocal: z.boolean() })
const scriptsPayload = z.object({
  workspaceId: z.uuid(), userId: z.uuid(), batchId: z.uuid(), count: z.number().int().min(1).max(10),
  platform: z.enum(['instagram', 'tiktok', 'youtube', 'facebook']).optional(), targetDurationSec: z.number().int().min(5).max(180).optional(), local: z.boolean(),
  // The batch's own exploration (0–3) and the day it was asked for (YYYY-MM-DD), which seeds its pattern draws.
  exploration: z.number().min(0).max(3).optional(), day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
})
const readingPayload = z.object({
  workspaceId: z.uuid(),
  videoId: z.uuid(),
  userId: z.uuid().nullable().optional(),
  local: z.boolean().optional(),
  trigger: z.enum(['analysis', 'request']).optional(),
})
const postPayload = z.object({ workspaceId: z.uuid(), postId: z.uuid() })
const metricsAccountPayload = z.object({ workspaceId: z.uuid(), socialAccountId: z.uuid(), retry: z.number().int().min(0).max(20).optional() })
const transcribePayload = z.object({
  workspaceId: z.uuid(), videoId: z.uuid(), userId: z.uuid().nullable().optional(), recipeId: z.uuid().nullable().optional(),
  method: z.enum(['auto', 'openai', 'gemini', 'offline', 'script']), text: z.string().max(20_000).nullable().optional(),
})

export const queues = {
  'maintenance.cleanup': { name: 'maintenance.cleanup', retryLimit: 3, retryDelay: 20, retryBackoff: true, expireInSeconds: 10 * 60, heartbeatSeconds: 30, concurrency: 1 },
  'storage.sweep': { name: 'storage.sweep', retryLimit: 2, retryDelay: 20, retryBackoff: true, expireInSeconds: 30 * 60, heartbeatSeconds: 30, concurrency: 1 },
  'jobs.reconcile': { name: 'jobs.reconcile', retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 60, concurrency: 1 },
  // One ffmpeg pass per video; ffmpeg already uses every core, so one at a time per worker. Two hours bounds long
  // 4K footage; the heartbeat brings a dead worker's job back in about a minute.
  'media.analyse': {
    name: 'media.analyse', payload: analysePayload, retryLimit: 2, retryDelay: 15, retryBackoff: true, expireInSeconds: 2 * 60 * 60,
    heartbeatSeconds: 30, concurrency: 1, perWorkspace: 1,
    onFinalFailure: (db, data, reason) => failAnalysis(db, analysePayload.parse(data), reason),
  },
  // A Studio render (preview, then full): libx264 takes both cores, so one at a time. An hour bounds a 15-minute
  // source at the slowest preset with room to spare; one retry, since a render that failed twice will fail again.
  'media.render': {
    name: 'media.render', payload: renderPayload, retryLimit: 1, retryDelay: 15, retryBackoff: false, expireInSeconds: 60 * 60,
    heartbeatSeconds: 30, concurrency: 1, perWorkspace: 1,
    onFinalFailure: (db, data, reason) => failRender(db, renderPayload.parse(data), reason),
  },
  // A strategy: one generate() call (which retries the provider itself) and a few queries. One retry covers a worker
  // that died; an AI refusal (budget, safety block) is thrown without retry. Five minutes bounds a slow model.
  'ai.strategy': {
    name: 'ai.strategy', payload: strategyPayload, retryLimit: 1, retryDelay: 5, retryBackoff: false, expireInSeconds: 5 * 60,
    heartbeatSeconds: 30, concurrency: 2, perWorkspace: 1,
  },
  // A batch of filming scripts (one AI call each, saved as written). Ten calls to a slow model fit in ten minutes;
  // a retry skips the scripts already saved.
  'ai.scripts': {
    name: 'ai.scripts', payload: scriptsPayload, retryLimit: 1, retryDelay: 5, retryBackoff: false, expireInSeconds: 10 * 60,
    heartbeatSeconds: 30, concurrency: 2, perWorkspace: 1,
  },
  // The AI's reading of one video: a model call (Gemini first uploads the video and waits for it). The providers
  // retry 429 and 5xx themselves, so one more attempt is enough; failures retrying cannot fix are not retried.
  // Nothing to settle on final failure: the last good reading stays, and the page reads the job's error.
  'ai.reading': {
    name: 'ai.reading', payload: readingPayload, retryLimit: 1, retryDelay: 20, retryBackoff: false, expireInSeconds: 15 * 60,
    heartbeatSeconds: 30, concurrency: 2, perWorkspace: 1,
  },
  // Captions from speech: an ffmpeg pass for the sound, then Whisper, Gemini or PocketSphinx (about a third of the
  // footage's length on one core). Half an hour bounds a long file; the heartbeat brings a dead worker's job back.
  'ai.transcribe': {
    name: 'ai.transcribe', payload: transcribePayload, retryLimit: 1, retryDelay: 10, retryBackoff: false, expireInSeconds: 30 * 60,
    heartbeatSeconds: 30, concurrency: 1, perWorkspace: 1,
  },
  // Re-encrypts stored secrets under the newest of ENCRYPTION_KEYS (server/services/security/rotate.ts). Queued at
  // worker start when any row needs it; idempotent (rows already under the newest key are not read), so a retry
  // after a dead worker picks up where it stopped.
  'secrets.rotate': {
    name: 'secrets.rotate', retryLimit: 2, retryDelay: 20, retryBackoff: true, expireInSeconds: 30 * 60,
    heartbeatSeconds: 30, concurrency: 1,
  },
  // The token refresh sweep (server/services/platforms/refresh-sweep.ts), queued every 5 minutes. Each refresh is
  // one HTTP call bounded at 20 s; a missed run is made up by the next, so one retry is plenty.
  'accounts.refresh': {
    name: 'accounts.refresh', retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 15 * 60,
    heartbeatSeconds: 30, concurrency: 1,
  },
  // The irreversible step of a post: upload to the platform and publish (server/services/posts/publish.ts). Platform
  // errors are decided in the job (wait, fail), never thrown, so pg-boss retries only a worker that died; the
  // connector then resumes from what it stored (`pending`). A large upload on a slow link fits in an hour.
  'posts.publish': {
    name: 'posts.publish', payload: postPayload, retryLimit: 3, retryDelay: 15, retryBackoff: true, expireInSeconds: 60 * 60,
    heartbeatSeconds: 30, concurrency: 8, policy: 'stately',
    onFinalFailure: (db, data, reason) => failStuckPost(db, postPayload.parse(data), reason),
  },
  // One read-only status check of a post the platform is processing; the next check is its own job, later.
  'posts.check': {
    name: 'posts.check', payload: postPayload, retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 60,
    concurrency: 4, policy: 'stately',
  },
  // Every minute: sends the jobs posts are owed (ahead of their time), fails posts whose publish went silent
  // (services/posts/sweep.ts), and tells authors how their finished posts went (services/notifications/notify.ts).
  'posts.sweep': {
    name: 'posts.sweep', retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 60, concurrency: 1,
  },
  // One account's due metrics pulls, up to the platform's batch (services/metrics/pull.ts). Platform trouble (a full
  // quota, a 429, a 5xx) is decided in the job: the posts wait and the account's next job is sent for later, so only
  // a dead worker's or a database failure's job is retried here. Keyed per account (stately): one waits, one runs.
  // Ten Instagram insights calls of up to 30 s each fit in five minutes.
  'metrics.pull': {
    name: 'metrics.pull', payload: metricsAccountPayload, retryLimit: 2, retryDelay: 15, retryBackoff: true, expireInSeconds: 5 * 60,
    heartbeatSeconds: 30, concurrency: 4, perWorkspace: 2, policy: 'stately',
  },
  // One account's own numbers (followers), daily (services/metrics/followers.ts); one call.
  'metrics.followers': {
    name: 'metrics.followers', payload: metricsAccountPayload, retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 60,
    concurrency: 2, perWorkspace: 1, policy: 'stately',
  },
  // Every 5 minutes: sends the pulls and follower reads that are due (services/metrics/sweep.ts).
  'metrics.sweep': {
    name: 'metrics.sweep', retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 60, concurrency: 1,
  },
  // Daily: every workspace's outcomes, pattern links and pattern sums recomputed from the snapshots
  // (services/analytics/learning.ts), which heals a fold that failed after its pull landed.
  'analytics.rebuild': {
    name: 'analytics.rebuild', retryLimit: 1, retryDelay: 20, retryBackoff: false, expireInSeconds: 30 * 60, heartbeatSeconds: 30, concurrency: 1,
  },
} as const satisfies Record<string, QueueDefinition>

export type QueueName = keyof typeof queues

/** The data a queue's jobs carry, from its payload schema. */
export type QueuePayload<Name extends QueueName> = (typeof queues)[Name] extends { payload: z.ZodType<infer Data> } ? Data : Record<string, never>

/** The queue a job lands in when its attempts are used up, kept for a person to read and retry. */
export function deadLetterOf(name: string): string {
  return `${name}.dead`
}
