// The irreversible step of a post, in a posts.publish job. The post is claimed with a conditional update, so a
// second delivery finds it taken; a platform error is recorded and decided here, never thrown for pg-boss to retry.
// Only a worker that died mid-publish gets its job back (heartbeat), and then the connector resumes from what the
// platform handed out (`pending`: a YouTube session, a TikTok publish_id, an Instagram container), never from scratch.
import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import type { MediaStore } from '../media/storage/types'
import { connectors } from '../platforms'
import { PlatformError, type PlatformApp, type PlatformConnector } from '../platforms/connector'
import { limitUsage, recordUsage } from '../platforms/limits'
import { AccountNeedsReconnect, withAccountToken } from '../platforms/tokens'
import type { SecretBox } from '../security/secrets'
import { recordingFetch, type RecordedExchange } from './record'
import { settleAttempt, type PostJobData } from './settle'

export interface PostWorkerDeps {
  db: PrismaClient
  box: SecretBox
  store: MediaStore
  scratchDir: string
  app: (platform: PlatformKey) => PlatformApp
  sendPublish: (data: PostJobData, options?: { startAfter?: Date }) => Promise<unknown>
  sendCheck: (data: PostJobData, options?: { startAfter?: Date }) => Promise<unknown>
  /**
   * Bench only (bench/publish.ts): every wait these jobs schedule (a retry's or a limit's wait, the check backoff, the
   * processing deadline) is multiplied by this, so hours of platform time fit in a run. Unset in the app: 1.
   */
  timeScale?: number
  /** The clock the claim and the late window read (bench/schedule.ts measures lateness against it). */
  now?: () => Date
}

/** A job may start this much before its time (pg-boss polls; clocks differ by a little). */
const EARLY_TOLERANCE_MS = 5_000
/** Later than this past its time, a first attempt is marked late. */
const LATE_AFTER_MS = 60_000

/**
 * A first attempt that starts past its time (the worker was down): marked late, or past the workspace's limit, failed
 * with "missed its window" before anything is sent. Attempts after a wait (a platform limit) are not late.
 */
async function missedWindow(db: PrismaClient, post: { id: string, scheduledAt: Date | null, workspace: { lateLimitMinutes: number } }, now: Date): Promise<{ outcome: string } | null> {
  if (!post.scheduledAt) return null
  const lateMs = now.getTime() - post.scheduledAt.getTime()
  if (lateMs <= LATE_AFTER_MS || await db.postAttempt.count({ where: { postId: post.id } })) return null
  const limit = post.workspace.lateLimitMinutes
  if (lateMs > limit * 60_000) {
    await db.post.updateMany({
      where: { id: post.id, status: 'publishing' },
      data: { status: 'failed', lateSeconds: Math.round(lateMs / 1000), error: `It missed its window: publishing could not start until ${Math.round(lateMs / 60_000)} minutes after its time, past this workspace's limit of ${limit} minutes (Settings). Nothing was sent; schedule it again.` },
    })
    return { outcome: 'failed: missed its window' }
  }
  await db.post.update({ where: { id: post.id }, data: { lateSeconds: Math.round(lateMs / 1000) } })
  return null
}

/** Attempts a post gets for errors the platform calls temporary (429, 5xx), on top of a worker's crash recovery. */
export const MAX_PUBLISH_ATTEMPTS = 4
/** How long a platform may take to process an accepted video before the post fails with that reason. */
export const PROCESSING_LIMIT_HOURS: Record<PlatformKey, number> = { youtube: 6, instagram: 2, tiktok: 24, facebook: 6 }
const SIGNED_URL_SECONDS = 6 * 60 * 60

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue

export async function runPublish(deps: PostWorkerDeps, data: PostJobData): Promise<{ outcome: string }> {
  const { db } = deps
  // Claim it: scheduled → publishing. The queue's stately policy lets one job per post be active at a time, so a
  // post found `publishing` here was left by a worker that died or handed its job back: this delivery takes it over.
  // Never before its time (a job left over from a time that moved later), never without the approval it needs.
  const now = deps.now?.() ?? new Date()
  const claimed = await db.post.updateMany({
    where: {
      id: data.postId, workspaceId: data.workspaceId, status: { in: ['scheduled', 'publishing'] },
      AND: [
        // (A post waiting out a platform's limit says why, and its job was sent for its new time.)
        { OR: [{ dueAt: null }, { dueAt: { lte: new Date(now.getTime() + EARLY_TOLERANCE_MS) } }, { waitingReason: { not: null } }] },
        { OR: [{ needsApproval: false }, { approvedAt: { not: null } }] },
      ],
    },
    data: { status: 'publishing', waitingReason: null, error: null },
  })
  if (!claimed.count) return { outcome: 'skipped: not due, not approved, or not waiting to publish' }
  const post = await db.post.findUniqueOrThrow({ where: { id: data.postId }, include: { socialAccount: true, render: true, workspace: { select: { lateLimitMinutes: true } } } })
  const missed = await missedWindow(db, post, now)
  if (missed) return missed
  await db.postAttempt.updateMany({
    where: { postId: post.id, status: 'running' },
    data: { status: 'failed', retryable: true, finishedAt: new Date(), error: 'The worker stopped during this attempt; the next one resumed where the platform allows.' },
  })
  const number = await db.postAttempt.count({ where: { postId: post.id } }) + 1
  const attempt = await db.postAttempt.create({ data: { workspaceId: post.workspaceId, postId: post.id, number } })
  const account = post.socialAccount
  // Typed as the interface: the optional parts (readUsage) are asked of every platform alike.
  const connector: PlatformConnector = connectors[account.platform]
  const name = platformNames[account.platform]
  const settle = (outcome: Parameters<typeof settleAttempt>[2], responses: RecordedExchange[]) => settleAttempt(deps, { post, attempt, number }, outcome, responses)

  if (account.status !== 'active') return settle({ kind: 'failed', reason: `${name} needs reconnecting before this can be published: open Accounts and reconnect it, then publish again.` }, [])
  if (!post.render?.storageKey) return settle({ kind: 'failed', reason: 'The render was deleted before it could be published.' }, [])

  // A publish that would go over a platform limit waits for the window to move, and says why.
  const usage = await limitUsage(db, account.id, connector.limits)
  const full = connector.limits.find((limit, index) => usage[index]!.used + limit.perPublish > limit.max)
  if (full) {
    const waitMinutes = 'rollingSeconds' in full.window ? Math.max(1, Math.ceil(full.window.rollingSeconds / 60 / 4)) : 60
    return settle({ kind: 'wait', reason: `${full.label}: ${full.max} used. It goes out when the limit allows; checked again in ${waitMinutes} minutes.`, afterSeconds: waitMinutes * 60 }, [])
  }

  const responses: RecordedExchange[] = []
  const base = deps.app(account.platform)
  const app: PlatformApp = { ...base, fetch: recordingFetch(responses, base.fetch) }
  const storageKey = post.render.storageKey
  const file = await deps.store.openLocal(storageKey, deps.scratchDir)
  try {
    let pending = (post.pending ?? {}) as Record<string, unknown>
    // A limit the platform reports itself (Instagram's publishing limit) is read first, unless this resumes a publish
    // already under way (it was counted when it started).
    if (connector.readUsage && !Object.keys(pending).length) {
      const live = await withAccountToken(db, deps.box, connector, app, account.id, context => connector.readUsage!(context))
      const over = live.find(entry => entry.used >= entry.max)
      if (over) {
        const label = connector.limits.find(limit => limit.key === over.key)?.label ?? `${name}'s publishing limit`
        return await settle({ kind: 'wait', reason: `${label}: ${name} reports ${over.used} of ${over.max} used. It goes out when the limit allows; checked again in 60 minutes.`, afterSeconds: 60 * 60 }, responses)
      }
    }
    const outcome = await withAccountToken(db, deps.box, connector, app, account.id, context => connector.publish(context, {
      file: { path: file.path, sizeBytes: Number(post.render!.sizeBytes ?? 0), contentType: 'video/mp4' },
      publicUrl: () => deps.store.signedUrl(storageKey, { expiresInSeconds: SIGNED_URL_SECONDS }),
      caption: post.caption, title: post.title ?? undefined, tags: post.tags, privacy: post.privacy ?? undefined,
      options: (post.options ?? {}) as Record<string, unknown>, pending,
      // Stored before the upload goes on, so a worker that dies next resumes instead of posting twice.
      onPending: async (more) => {
        pending = { ...pending, ...more }
        await db.post.update({ where: { id: post.id }, data: { pending: toJson(pending) } })
      },
    }))
    for (const limit of connector.limits) await recordUsage(db, post.workspaceId, account.id, limit.key, limit.perPublish)
    return settle(outcome.state === 'published'
      ? { kind: 'published', externalId: outcome.externalId, permalink: outcome.permalink, notice: outcome.notice }
      : { kind: 'processing', pending: { ...pending, ...outcome.pending }, deadlineHours: PROCESSING_LIMIT_HOURS[account.platform], notice: outcome.notice }, responses)
  }
  catch (error) {
    const action = connector.classifyError(error)
    const reason = error instanceof PlatformError || error instanceof AccountNeedsReconnect ? error.message : `${name} could not be reached (${(error as Error).message.slice(0, 200)}).`
    // The token was refused even after a refresh, or the access is gone: only a reconnect helps.
    if (error instanceof AccountNeedsReconnect || action.action === 'disconnect' || action.action === 'refresh') {
      return settle({ kind: 'failed', reason: `${reason} Reconnect ${name} on the Accounts page, then publish again.` }, responses)
    }
    if (action.action === 'retry' && number < MAX_PUBLISH_ATTEMPTS) {
      return settle({ kind: 'wait', reason: `${name} asked to try later: ${reason}`, afterSeconds: Math.max(30, action.afterSeconds ?? 60 * 2 ** (number - 1)) }, responses)
    }
    return settle({ kind: 'failed', reason, code: error instanceof PlatformError ? error.details.code : undefined }, responses)
  }
  finally {
    await file.release()
  }
}
