// The Analytics page's answer on a real database: each post's snapshots and outcome, each account's trend against the
// rolling median its outcomes used, the filters (platform, account, days read in the workspace's zone), the cap on
// posts, the CSV of it all, and the settings change that rebuilds every outcome; never a row of another workspace.
import { randomUUID } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ANALYTICS_POST_LIMIT } from '../../shared/analytics'
import { analyticsCsv } from '../../server/services/analytics/csv'
import { foldNewOutcomes } from '../../server/services/analytics/learning'
import { updateLearningSettings } from '../../server/services/analytics/settings'
import { analyticsView } from '../../server/services/analytics/view'
import { createPrisma } from '../support/scratch'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe(`analytics view on ${inject('databaseKind')}`, () => {
  let db: PrismaClient

  beforeAll(() => {
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await db?.$disconnect()
  })

  async function workspace(timeZone: string) {
    const space = await db.workspace.create({ data: { name: 'Analytics', slug: `analytics-${randomUUID()}`, timeZone } })
    const account = async (platform: 'youtube' | 'tiktok', displayName: string) => (await db.socialAccount.create({
      data: { workspaceId: space.id, platform, externalId: `${platform}-${randomUUID()}`, displayName, accessTokenEnc: 'x', scopes: [] },
    })).id
    return { workspaceId: space.id, youtube: await account('youtube', 'Knife Skills YT'), tiktok: await account('tiktok', 'Knife Skills TT') }
  }

  type Point = [ageHours: number, views: number, saves?: number]
  async function post(workspaceId: string, socialAccountId: string, publishedAt: Date, caption: string, points: Point[]) {
    const row = await db.post.create({ data: { workspaceId, socialAccountId, status: 'published', publishedAt, externalId: randomUUID(), caption } })
    for (const [ageHours, views, saves] of points) {
      await db.metricSnapshot.create({
        data: { workspaceId, socialAccountId, postId: row.id, ageHours, views: BigInt(views), saves: saves ?? null, capturedAt: new Date(publishedAt.getTime() + ageHours * HOUR) },
      })
    }
    return row
  }

  // Five YouTube posts a day apart at 03:00 UTC: in New York that is 23:00 the day before, so the workspace's days
  // (31 May … 4 June) differ from UTC's (1 … 5 June). Two TikTok posts, and a workspace next door with its own.
  const start = new Date('2026-06-01T03:00:00Z')
  const views = [1000, 2000, 1500, 4000, 800]
  async function seeded() {
    const space = await workspace('America/New_York')
    const youtube = []
    for (const [index, value] of views.entries()) {
      youtube.push(await post(space.workspaceId, space.youtube, new Date(start.getTime() + index * DAY), index === 2 ? '=HYPERLINK("http://evil.test","open")' : `Knife tip ${index}`, [[2, value / 10, value / 200], [48, value, value / 20]]))
    }
    const tiktok = [
      await post(space.workspaceId, space.tiktok, new Date(start.getTime() + 2 * HOUR), 'TikTok tip', [[48, 500]]),
      // Published an hour ago: no snapshot past the horizon yet.
      await post(space.workspaceId, space.tiktok, new Date(Date.now() - HOUR), 'Fresh TikTok', [[0.5, 20]]),
    ]
    await db.post.update({ where: { id: youtube[4]!.id }, data: { goneUpstreamAt: new Date() } })
    await db.accountSnapshot.create({ data: { workspaceId: space.workspaceId, socialAccountId: space.youtube, capturedAt: new Date('2026-06-02T06:00:00Z'), followers: 1200 } })
    await db.accountSnapshot.create({ data: { workspaceId: space.workspaceId, socialAccountId: space.youtube, capturedAt: new Date('2026-06-03T06:00:00Z'), followers: null } })
    await db.accountSnapshot.create({ data: { workspaceId: space.workspaceId, socialAccountId: space.youtube, capturedAt: new Date('2026-06-04T06:00:00Z'), followers: 1260 } })
    const other = await workspace('UTC')
    const otherPost = await post(other.workspaceId, other.youtube, new Date(start.getTime() + HOUR), 'Other workspace secret', [[48, 99]])
    for (const id of [space.youtube, space.tiktok]) await foldNewOutcomes(db, space.workspaceId, id)
    await foldNewOutcomes(db, other.workspaceId, other.youtube)
    return { space, youtube, tiktok, other, otherPost }
  }

  it('gives each post its snapshots and outcome, each account its trend and followers, filtered in the workspace\'s zone', async () => {
    const { space, youtube, tiktok, other, otherPost } = await seeded()
    const view = await analyticsView(db, space.workspaceId, {})
    expect(view.timeZone).toBe('America/New_York')
    expect(view.settings).toEqual({ outcomeMetric: 'views', outcomeHorizonHours: 48, exploration: 1 })
    expect(view.accounts.map(account => account.name).sort()).toEqual(['Knife Skills TT', 'Knife Skills YT'])
    expect(view.counts).toEqual({ published: 7, pastHorizon: 6, withValue: 6, scored: 2, shown: 7, capped: false })
    // Newest first; each post's snapshots by age, BigInt views as numbers.
    expect(view.posts[0]!.id).toBe(tiktok[1]!.id)
    const first = view.posts.find(item => item.id === youtube[0]!.id)!
    expect(first).toMatchObject({ platform: 'youtube', accountName: 'Knife Skills YT', caption: 'Knife tip 0', gone: false, publishedAt: start.toISOString() })
    expect(first.snapshots.map(point => [point.ageHours, point.views, point.saves])).toEqual([[2, 100, 5], [48, 1000, 50]])
    expect(first.outcome).toMatchObject({ metric: 'views', horizonHours: 48, baseline: null, outcome: null })
    expect(first.outcome!.logValue).toBeCloseTo(Math.log1p(1000), 9)
    expect(first.outcome!.reason).toMatch(/needs 3 earlier posts/)
    expect(view.posts.find(item => item.id === youtube[4]!.id)!.gone).toBe(true)
    // The fourth YouTube post is measured against the median of the three before it (log 1501 of 1001, 2001, 1501).
    const fourth = view.posts.find(item => item.id === youtube[3]!.id)!.outcome!
    expect(fourth.baseline).toBeCloseTo(Math.log1p(1500), 9)
    expect(fourth.outcome).toBeCloseTo(Math.log1p(4000) - Math.log1p(1500), 9)
    expect(view.posts.find(item => item.id === tiktok[1]!.id)!.outcome).toBeNull()
    // The first outcome still to come: the fresh TikTok post at 48 h.
    expect(Date.parse(view.nextOutcomeAt!)).toBeCloseTo(tiktok[1]!.publishedAt!.getTime() + 48 * HOUR, -3)

    const trend = view.trends.find(item => item.id === space.youtube)!
    expect(trend.points.map(point => point.postId)).toEqual(youtube.map(row => row.id))
    expect(trend.points[3]!.baseline).toBeCloseTo(Math.log1p(1500), 9)
    expect(trend.points[3]!.logValue).toBeCloseTo(Math.log1p(4000), 9)
    // A day the platform did not give the count is left out, not drawn as 0.
    expect(trend.followers).toEqual([{ capturedAt: '2026-06-02T06:00:00.000Z', followers: 1200 }, { capturedAt: '2026-06-04T06:00:00.000Z', followers: 1260 }])
    expect(view.model).toMatch(/views at 48 hours/)

    // Filters: platform, account, and days in New York (1–2 June there are the second and third posts, not the first two).
    expect((await analyticsView(db, space.workspaceId, { platform: 'tiktok' })).posts.map(item => item.id).sort()).toEqual(tiktok.map(row => row.id).sort())
    const byAccount = await analyticsView(db, space.workspaceId, { accountId: space.youtube })
    expect(byAccount.posts).toHaveLength(5)
    expect(byAccount.trends.map(item => item.id)).toEqual([space.youtube])
    const days = await analyticsView(db, space.workspaceId, { platform: 'youtube', from: '2026-06-01', to: '2026-06-02' })
    expect(days.posts.map(item => item.id).sort()).toEqual([youtube[1]!.id, youtube[2]!.id].sort())
    expect(days.trends.find(item => item.id === space.youtube)!.points.map(point => point.postId)).toEqual([youtube[1]!.id, youtube[2]!.id])
    expect(days.counts).toMatchObject({ published: 2, pastHorizon: 2, withValue: 2 })
    // 31 May in New York is the first post alone (published at 23:00 there).
    expect((await analyticsView(db, space.workspaceId, { platform: 'youtube', to: '2026-05-31' })).posts.map(item => item.id)).toEqual([youtube[0]!.id])

    // Another workspace's account id filters to nothing, and its posts never appear.
    const foreign = await analyticsView(db, space.workspaceId, { accountId: other.youtube })
    expect(foreign.posts).toEqual([])
    expect(foreign.trends).toEqual([])
    const everything = JSON.stringify(view)
    expect(everything).not.toContain(otherPost.id)
    expect(everything).not.toContain('Other workspace secret')
    expect(everything).not.toContain(other.youtube)
  })

  it('writes every snapshot as a row of the CSV, with formulas escaped, the outcomes and the patterns', async () => {
    const { space, youtube, tiktok } = await seeded()
    const csv = analyticsCsv(await analyticsView(db, space.workspaceId, {}))
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const blocks = csv.slice(1).split('\n\n').map(text => parse(text, { columns: true }) as Record<string, string>[])
    expect(blocks).toHaveLength(4)
    const [snapshots, outcomes, patterns] = blocks as [Record<string, string>[], Record<string, string>[], Record<string, string>[]]
    // 5 YouTube posts × 2 snapshots, and 1 + 1 TikTok.
    expect(snapshots).toHaveLength(12)
    expect(snapshots.filter(row => row.post_id === youtube[3]!.id).map(row => [row.age_hours, row.views])).toEqual([['2', '400'], ['48', '4000']])
    expect(snapshots.find(row => row.post_id === youtube[2]!.id)!.caption).toBe('\'=HYPERLINK("http://evil.test","open")')
    expect(snapshots.find(row => row.post_id === youtube[4]!.id)!.gone_upstream).toBe('true')
    expect(outcomes).toHaveLength(6)
    const fourth = outcomes.find(row => row.post_id === youtube[3]!.id)!
    expect(Number(fourth.outcome)).toBeCloseTo(Math.log1p(4000) - Math.log1p(1500), 9)
    expect(outcomes.find(row => row.post_id === tiktok[0]!.id)!.reason).toMatch(/needs 3 earlier posts/)
    // The patterns the scored posts were linked to (their timing at least), each with its intervals and n.
    expect(patterns.length).toBeGreaterThan(0)
    for (const row of patterns) {
      expect(Number(row.effect_95_lower)).toBeLessThanOrEqual(Number(row.effect_80_lower))
      expect(Number(row.effect_80_upper)).toBeLessThanOrEqual(Number(row.effect_95_upper))
      expect(row.enough_data).toBe('false')
      // Numbers stay numbers: a negative effect is not escaped as if it were a formula.
      expect(Number.isFinite(Number(row.effect_mean))).toBe(true)
    }
  })

  it('shows the newest posts up to the limit and says the rest are there', async () => {
    const space = await workspace('UTC')
    const total = ANALYTICS_POST_LIMIT + 5
    await db.post.createMany({
      data: Array.from({ length: total }, (_, index) => ({
        workspaceId: space.workspaceId, socialAccountId: space.youtube, status: 'published' as const, publishedAt: new Date(start.getTime() + index * HOUR), externalId: randomUUID(), caption: `Post ${index}`,
      })),
    })
    const view = await analyticsView(db, space.workspaceId, {})
    expect(view.counts).toMatchObject({ published: total, shown: ANALYTICS_POST_LIMIT, capped: true })
    expect(view.posts[0]!.caption).toBe(`Post ${total - 1}`)
    expect(view.posts.at(-1)!.caption).toBe(`Post ${total - ANALYTICS_POST_LIMIT}`)
    // Every one of them is long past the horizon: no number is still to come.
    expect(view.nextOutcomeAt).toBeNull()
  })

  it('rebuilds every outcome for a new metric, records who changed it, and leaves the sums alone for exploration', async () => {
    const { space, youtube } = await seeded()
    const user = await db.user.create({ data: { email: `analytics-${randomUUID()}@reelwise.test` } })
    const changed = await updateLearningSettings(db, space.workspaceId, user.id, { outcomeMetric: 'saves_per_view' })
    expect(changed).toEqual({ outcomeMetric: 'saves_per_view', outcomeHorizonHours: 48, exploration: 1, rebuilt: true })
    const outcomes = await db.postOutcome.findMany({ where: { workspaceId: space.workspaceId }, orderBy: { publishedAt: 'asc' } })
    // The YouTube posts carry saves (one per twenty views at 48 h); the TikTok ones do not, so they have no value now.
    expect(outcomes.map(row => row.postId)).toEqual(youtube.map(row => row.id))
    expect(outcomes.every(row => row.metric === 'saves_per_view')).toBe(true)
    expect(outcomes[0]!.logValue).toBeCloseTo(Math.log((50 + 1) / (1000 + 1)), 9)
    const view = await analyticsView(db, space.workspaceId, {})
    expect(view.settings.outcomeMetric).toBe('saves_per_view')
    expect(view.model).toMatch(/saves per view at 48 hours/)
    // The TikTok posts are past the horizon but have no saves: counted as such, not as waiting.
    expect(view.counts).toMatchObject({ published: 7, pastHorizon: 6, withValue: 5 })
    const audit = await db.auditEvent.findMany({ where: { workspaceId: space.workspaceId, action: 'workspace.updated' } })
    expect(audit.map(event => event.metadata)).toEqual([{ outcomeMetric: 'saves_per_view' }])

    // Exploration only steers the suggestions: no rebuild, the outcomes stay as they are.
    const computedAt = outcomes.map(row => row.computedAt.getTime())
    expect(await updateLearningSettings(db, space.workspaceId, user.id, { exploration: 2.5 })).toMatchObject({ exploration: 2.5, rebuilt: false })
    expect((await db.postOutcome.findMany({ where: { workspaceId: space.workspaceId }, orderBy: { publishedAt: 'asc' } })).map(row => row.computedAt.getTime())).toEqual(computedAt)
    // Saving what is already set changes nothing and records nothing.
    expect(await updateLearningSettings(db, space.workspaceId, user.id, { exploration: 2.5, outcomeHorizonHours: 48 })).toMatchObject({ rebuilt: false })
    expect(await db.auditEvent.count({ where: { workspaceId: space.workspaceId, action: 'workspace.updated' } })).toBe(2)
  })
})
