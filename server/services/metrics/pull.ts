// One metrics.pull job: the due posts of one account (up to the platform's batch), read through the connector's
// `metrics` with the account's token (withAccountToken: decrypt, refresh once, a revoked grant marks the account),
// one MetricSnapshot per post the platform returned, and each post's schedule moved on. A post the platform left out
// is gone upstream (deleted there) and is not pulled again. Platform trouble is decided here, never thrown: a full
// quota or a 429/5xx moves the posts' due time and sends this account's next job for then (startAfter), so other
// accounts' jobs run meanwhile.
import type { Prisma } from '../../generated/prisma/client'
import { foldNewOutcomes } from '../analytics/learning'
import { connectors } from '../platforms'
import type { MetricsReads, PlatformConnector, PostMetrics } from '../platforms/connector'
import { AccountNeedsReconnect, withAccountToken } from '../platforms/tokens'
import { redact } from '../posts/record'
import { quotaWait, recordReads } from './quota'
import { ageHours, nextMetricsPull } from './schedule'
import { configuredApp, type AccountJobData, type MetricsWorkerDeps } from './worker'

/** Waits after a 429 or 5xx before the posts wait for the next sweep instead (an hour later). */
export const MAX_PULL_RETRIES = 4
const GIVE_UP_SECONDS = 60 * 60
/** A platform this server has no app for (its accounts came from elsewhere): looked at again a day later. */
const NOT_SET_UP_SECONDS = 24 * 60 * 60
/** For a connector that does not say how it reads: one id a call, ten a job, nothing counted. */
const DEFAULT_READS: MetricsReads = { idsPerCall: 1, idsPerPull: 10, limits: [] }

/** Seconds before retry `retry` (from 0) after a 429 or 5xx: the platform's Retry-After, else 30 s doubling to 30 min. */
export function pullRetrySeconds(retry: number, afterSeconds?: number): number {
  return Math.max(1, Math.ceil(afterSeconds ?? Math.min(30 * 60, 30 * 2 ** retry)))
}

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? {})) as Prisma.InputJsonValue
const int = (value: number | undefined) => value === undefined || !Number.isFinite(value) ? null : Math.round(value)

type DuePost = { id: string, externalId: string | null, publishedAt: Date | null }

export async function runMetricsPull(deps: MetricsWorkerDeps, data: AccountJobData): Promise<{ outcome: string }> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const account = await db.socialAccount.findFirst({ where: { id: data.socialAccountId, workspaceId: data.workspaceId } })
  if (!account) return { outcome: 'skipped: no such account' }
  if (account.status !== 'active') return { outcome: 'skipped: the account needs reconnecting' }
  const connector: PlatformConnector = connectors[account.platform]
  const reads = connector.metricsReads ?? DEFAULT_READS
  const scope = { workspaceId: data.workspaceId, socialAccountId: account.id }
  const posts: DuePost[] = await db.post.findMany({
    where: { ...scope, status: 'published', goneUpstreamAt: null, externalId: { not: null }, publishedAt: { not: null }, metricsDueAt: { lte: now } },
    select: { id: true, externalId: true, publishedAt: true }, orderBy: { metricsDueAt: 'asc' }, take: reads.idsPerPull,
  })
  if (!posts.length) return { outcome: 'nothing due' }
  const postIds = posts.map(post => post.id)

  // Moves these posts' pulls `seconds` on and sends this account's job for then; the sweep skips them until then.
  // (pg-boss waits in real time; the schedule's clock is `now`, which tests move ahead.)
  const waitUntil = async (seconds: number, retry: number) => {
    const at = new Date(now.getTime() + seconds * 1000)
    await db.post.updateMany({ where: { ...scope, id: { in: postIds } }, data: { metricsDueAt: at } })
    await deps.sendPull({ ...scope, retry }, { startAfter: new Date(Date.now() + seconds * 1000) })
    return at
  }

  const calls = Math.ceil(posts.length / reads.idsPerCall)
  const full = await quotaWait(db, account.id, reads, calls, now)
  if (full) {
    const at = await waitUntil(full.seconds, data.retry ?? 0)
    return { outcome: `waiting until ${at.toISOString()}: ${full.reason}` }
  }

  const app = configuredApp(deps, account.platform)
  if (!app) {
    const at = new Date(now.getTime() + NOT_SET_UP_SECONDS * 1000)
    await db.post.updateMany({ where: { ...scope, id: { in: postIds } }, data: { metricsDueAt: at } })
    return { outcome: `skipped: ${account.platform} is not set up on this server` }
  }
  const externalIds = posts.map(post => post.externalId!)
  try {
    const results = await withAccountToken(db, deps.box, connector, app, account.id, context => connector.metrics(context, externalIds))
    await recordReads(db, data.workspaceId, account.id, reads, calls)
    const { pulled, gone } = await landSnapshots(deps, data, posts, results, now)
    // The snapshots are in; scoring them is the learning loop's part. If it fails, the daily rebuild scores them.
    const learned = pulled ? await scoreOutcomes(db, data.workspaceId, account.id) : null
    // More due than one job reads: the next batch goes at once (the queue holds one waiting job per account).
    const more = await db.post.count({ where: { ...scope, status: 'published', goneUpstreamAt: null, externalId: { not: null }, metricsDueAt: { lte: now } } })
    if (more) await deps.sendPull(scope)
    const scoredWords = learned?.scored ? `, ${learned.scored} outcome${learned.scored === 1 ? '' : 's'} scored${learned.rebuilt ? ' (pattern scores rebuilt)' : ''}` : ''
    return { outcome: `pulled ${pulled}, gone ${gone}${scoredWords}${more ? `, ${more} more due` : ''}` }
  }
  catch (error) {
    const { action, ...rest } = connector.classifyError(error)
    // The token was refused even after a refresh, or the access is gone: withAccountToken has marked the account,
    // and the sweep sends no pulls for it until it is reconnected (its posts keep their due time).
    if (error instanceof AccountNeedsReconnect || action === 'disconnect' || action === 'refresh') {
      return { outcome: 'stopped: the account needs reconnecting' }
    }
    if (action === 'retry') {
      const retry = data.retry ?? 0
      if (retry >= MAX_PULL_RETRIES) {
        const at = new Date(now.getTime() + GIVE_UP_SECONDS * 1000)
        await db.post.updateMany({ where: { ...scope, id: { in: postIds } }, data: { metricsDueAt: at } })
        return { outcome: `gave up after ${retry} retries; due again at ${at.toISOString()}` }
      }
      const at = await waitUntil(pullRetrySeconds(retry, 'afterSeconds' in rest ? rest.afterSeconds : undefined), retry + 1)
      return { outcome: `retrying at ${at.toISOString()}` }
    }
    // A refusal no retry can fix (a malformed request, a permission missing for these posts): this step is skipped.
    await advance(deps, data, posts, now)
    return { outcome: `skipped this step: ${(error as Error).message.slice(0, 200)}` }
  }
}

/** One snapshot per returned post, each post's next pull, and the posts left out marked gone: one transaction. */
async function landSnapshots(deps: MetricsWorkerDeps, data: AccountJobData, posts: DuePost[], results: PostMetrics[], now: Date) {
  const byId = new Map(results.map(result => [result.externalId, result]))
  const writes: Prisma.PrismaPromise<unknown>[] = []
  let pulled = 0
  let gone = 0
  for (const post of posts) {
    const where = { id: post.id, workspaceId: data.workspaceId }
    const result = byId.get(post.externalId!)
    if (!result) {
      gone++
      writes.push(deps.db.post.updateMany({ where, data: { goneUpstreamAt: now, metricsDueAt: null, metricsStep: null } }))
      continue
    }
    pulled++
    writes.push(deps.db.metricSnapshot.create({
      data: {
        workspaceId: data.workspaceId, postId: post.id, socialAccountId: data.socialAccountId, capturedAt: now,
        ageHours: ageHours(post.publishedAt!, now),
        views: result.views === undefined ? null : BigInt(Math.round(result.views)),
        likes: int(result.likes), comments: int(result.comments), shares: int(result.shares), saves: int(result.saves), reach: int(result.reach),
        avgViewDurationSec: result.avgViewDurationSec ?? null, watchTimeSec: result.watchTimeSec ?? null,
        raw: toJson(redact(result.raw)),
      },
    }))
    const next = nextMetricsPull(post.publishedAt!, now)
    writes.push(deps.db.post.updateMany({ where, data: { metricsDueAt: next?.dueAt ?? null, metricsStep: next?.step ?? null } }))
  }
  await deps.db.$transaction(writes)
  return { pulled, gone }
}

/** Moves each post to its next step without a snapshot. */
async function advance(deps: MetricsWorkerDeps, data: AccountJobData, posts: DuePost[], now: Date): Promise<void> {
  await deps.db.$transaction(posts.map((post) => {
    const next = nextMetricsPull(post.publishedAt!, now)
    return deps.db.post.updateMany({ where: { id: post.id, workspaceId: data.workspaceId }, data: { metricsDueAt: next?.dueAt ?? null, metricsStep: next?.step ?? null } })
  }))
}

/** The learning loop's fold after a pull; its failure is logged, and the daily rebuild scores what it left. */
async function scoreOutcomes(db: MetricsWorkerDeps['db'], workspaceId: string, socialAccountId: string) {
  try {
    return await foldNewOutcomes(db, workspaceId, socialAccountId)
  }
  catch (error) {
    console.error(`[metrics] scoring the outcomes of account ${socialAccountId} failed: ${(error as Error).message}`)
    return null
  }
}
