// The read-only follow-up of a post the platform accepted but still processes, in a posts.check job: bounded checks
// with backoff, until it is published, it fails, or its processing deadline passes (then it fails with that reason).
import { platformNames } from '#shared/platforms/keys'
import type { Prisma } from '../../generated/prisma/client'
import { connectors } from '../platforms'
import { PlatformError, type PlatformApp, type PlatformConnector } from '../platforms/connector'
import { AccountNeedsReconnect, withAccountToken } from '../platforms/tokens'
import type { PostWorkerDeps } from './publish'
import { recordingFetch, type RecordedExchange } from './record'
import { metricsScheduleFrom, nextCheckDelaySeconds, type PostJobData } from './settle'

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue

export async function runCheck(deps: PostWorkerDeps, data: PostJobData): Promise<{ outcome: string }> {
  const { db } = deps
  const post = await db.post.findFirst({ where: { id: data.postId, workspaceId: data.workspaceId, status: 'processing' }, include: { socialAccount: true } })
  if (!post) return { outcome: 'skipped: not processing' }
  const account = post.socialAccount
  const connector: PlatformConnector = connectors[account.platform]
  const name = platformNames[account.platform]
  const attempt = await db.postAttempt.findFirst({ where: { postId: post.id }, orderBy: { number: 'desc' } })
  const responses: RecordedExchange[] = (Array.isArray(attempt?.responses) ? attempt.responses : []) as unknown as RecordedExchange[]
  const now = new Date()

  const finish = async (status: 'published' | 'failed', fields: Prisma.PostUpdateManyMutationInput) => {
    // One transaction: a reader never sees the post published while its attempt still says processing.
    await db.$transaction(async (tx) => {
      const moved = await tx.post.updateMany({ where: { id: post.id, status: 'processing' }, data: { status, ...fields } })
      if (attempt && moved.count) {
        await tx.postAttempt.update({
          where: { id: attempt.id },
          data: { status: status === 'published' ? 'succeeded' : 'failed', finishedAt: now, responses: toJson(responses.slice(-40)), error: status === 'failed' ? String(fields.error) : null },
        })
      }
    })
    return { outcome: status }
  }
  const again = async (pending: Record<string, unknown>, detail?: string) => {
    await db.post.update({ where: { id: post.id }, data: { checks: { increment: 1 }, pending: toJson(pending), waitingReason: detail ?? null } })
    await deps.sendCheck(data, { startAfter: new Date(now.getTime() + nextCheckDelaySeconds(post.checks + 1) * 1000 * (deps.timeScale ?? 1)) })
    return { outcome: 'processing' }
  }

  if (post.processingDeadline && post.processingDeadline < now) {
    return finish('failed', { error: `${name} accepted the video but had not finished processing it by ${post.processingDeadline.toISOString().slice(0, 16).replace('T', ' ')} UTC. Look for it on ${name}; if it is not there, publish again.` })
  }
  const base = deps.app(account.platform)
  const app: PlatformApp = { ...base, fetch: recordingFetch(responses, base.fetch) }
  const pending = (post.pending ?? {}) as Record<string, unknown>
  try {
    const status = await withAccountToken(db, deps.box, connector, app, account.id, context => connector.checkStatus(context, pending))
    if (status.state === 'published') return finish('published', { externalId: status.externalId, permalink: status.permalink ?? null, ...(status.notice ? { notice: status.notice } : {}), publishedAt: now, waitingReason: null, error: null, ...metricsScheduleFrom(now) })
    if (status.state === 'failed') return finish('failed', { error: `${name} did not publish it: ${status.reason}`, waitingReason: null })
    return again({ ...pending, ...status.pending }, status.detail)
  }
  catch (error) {
    const action = connector.classifyError(error)
    const reason = error instanceof PlatformError || error instanceof AccountNeedsReconnect ? error.message : `${name} could not be reached.`
    // The token was refused even after a refresh, or the access is gone: only a reconnect helps.
    if (error instanceof AccountNeedsReconnect || action.action === 'disconnect' || action.action === 'refresh') {
      return finish('failed', { error: `${reason} Reconnect ${name} on the Accounts page; the video may already be there.` })
    }
    if (action.action === 'bad-input') return finish('failed', { error: reason })
    // Temporary: the next check comes later, within the deadline.
    return again(pending, `Checking again: ${reason}`)
  }
}
