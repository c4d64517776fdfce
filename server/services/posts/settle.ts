// Where an attempt leaves its post: published, processing (a check job follows), waiting (another publish job,
// later, with the reason said), or failed with a reason the creator can act on. One transaction for the post and
// its attempt, so the page never shows one without the other.
import type { Post, PostAttempt, Prisma, PrismaClient } from '../../generated/prisma/client'
import { firstMetricsPull } from '../metrics/schedule'
import type { RecordedExchange } from './record'

export interface PostJobData { workspaceId: string, postId: string }

export type AttemptOutcome
  = | { kind: 'published', externalId: string, permalink?: string, notice?: string }
    | { kind: 'processing', pending: Record<string, unknown>, deadlineHours: number, notice?: string }
    | { kind: 'wait', reason: string, afterSeconds: number }
    | { kind: 'failed', reason: string, code?: string }

interface SettleDeps {
  db: PrismaClient
  sendPublish: (data: PostJobData, options?: { startAfter?: Date }) => Promise<unknown>
  sendCheck: (data: PostJobData, options?: { startAfter?: Date }) => Promise<unknown>
  /** Bench only: scales every wait (see PostWorkerDeps.timeScale). */
  timeScale?: number
}

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue

/** The first check of a processing post comes soon; later ones back off (see nextCheckDelaySeconds). */
export const FIRST_CHECK_SECONDS = 10

export async function settleAttempt(
  deps: SettleDeps, at: { post: Post, attempt: PostAttempt, number: number }, outcome: AttemptOutcome, responses: RecordedExchange[],
): Promise<{ outcome: string }> {
  const { db } = deps
  const now = new Date()
  const scale = deps.timeScale ?? 1
  const data = { workspaceId: at.post.workspaceId, postId: at.post.id }
  const attemptDone = (status: 'succeeded' | 'processing' | 'failed', extra: Partial<Prisma.PostAttemptUpdateInput> = {}) =>
    db.postAttempt.update({ where: { id: at.attempt.id }, data: { status, responses: toJson(responses), finishedAt: status === 'processing' ? null : now, ...extra } })

  switch (outcome.kind) {
    case 'published':
      await db.$transaction([
        db.post.update({ where: { id: at.post.id }, data: { status: 'published', externalId: outcome.externalId, permalink: outcome.permalink ?? null, notice: outcome.notice ?? null, publishedAt: now, error: null, waitingReason: null, ...metricsScheduleFrom(now) } }),
        attemptDone('succeeded'),
      ])
      return { outcome: 'published' }
    case 'processing':
      await db.$transaction([
        db.post.update({ where: { id: at.post.id }, data: { status: 'processing', pending: toJson(outcome.pending), notice: outcome.notice ?? null, checks: 0, processingDeadline: new Date(now.getTime() + outcome.deadlineHours * 3_600_000 * scale) } }),
        attemptDone('processing'),
      ])
      await deps.sendCheck(data, { startAfter: new Date(now.getTime() + FIRST_CHECK_SECONDS * 1000 * scale) })
      return { outcome: 'processing' }
    case 'wait': {
      const at_ = new Date(now.getTime() + outcome.afterSeconds * 1000 * scale)
      await db.$transaction([
        db.post.update({ where: { id: at.post.id }, data: { status: 'scheduled', dueAt: at_, waitingReason: outcome.reason } }),
        attemptDone('failed', { error: outcome.reason, retryable: true }),
      ])
      await deps.sendPublish(data, { startAfter: at_ })
      return { outcome: 'waiting' }
    }
    case 'failed':
      await db.$transaction([
        db.post.update({ where: { id: at.post.id }, data: { status: 'failed', error: outcome.reason, waitingReason: null } }),
        attemptDone('failed', { error: outcome.reason, errorCode: outcome.code ?? null, retryable: false }),
      ])
      return { outcome: 'failed' }
  }
}

/** The columns that start a just-published post's metrics pulls (the first at +1 h). */
export function metricsScheduleFrom(publishedAt: Date): { metricsDueAt: Date, metricsStep: number } {
  const first = firstMetricsPull(publishedAt)
  return { metricsDueAt: first.dueAt, metricsStep: first.step }
}

/** Seconds before the next read-only check of a processing post: 10 s doubling to at most 10 minutes. */
export function nextCheckDelaySeconds(checks: number): number {
  return Math.min(600, FIRST_CHECK_SECONDS * 2 ** Math.max(0, checks))
}

/**
 * A post's job was given up on (pg-boss's retries ran out, or its worker vanished on the last attempt): a post still
 * publishing fails with the reason, so nothing stays "publishing" forever. Idempotent.
 */
export async function failStuckPost(db: PrismaClient, data: PostJobData, reason: string): Promise<void> {
  const message = `Publishing stopped before the platform answered (${reason}). Check the platform before publishing again: it may have the video.`
  await db.post.updateMany({ where: { id: data.postId, workspaceId: data.workspaceId, status: { in: ['scheduled', 'publishing'] } }, data: { status: 'failed', error: message } })
  await db.postAttempt.updateMany({ where: { postId: data.postId, status: 'running' }, data: { status: 'failed', error: message, finishedAt: new Date() } })
}
