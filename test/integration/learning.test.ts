// The learning loop's rows on a real database: outcomes scored as snapshots land, posts linked to their patterns,
// pattern sums kept incrementally and equal to a rebuild from scratch, and the scores read back, scoped to the workspace.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { foldNewOutcomes, rebuildLearning } from '../../server/services/analytics/learning'
import { patternPosteriors, patternScores } from '../../server/services/analytics/scores'
import { createPrisma } from '../support/scratch'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe(`learning loop rows on ${inject('databaseKind')}`, () => {
  let db: PrismaClient

  beforeAll(() => {
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await db?.$disconnect()
  })

  async function workspace(timeZone = 'Europe/Berlin') {
    const space = await db.workspace.create({ data: { name: 'Learning', slug: `learning-${randomUUID()}`, timeZone } })
    const account = await db.socialAccount.create({
      data: { workspaceId: space.id, platform: 'youtube', externalId: `UC${randomUUID()}`, displayName: 'Knife Skills', accessTokenEnc: 'x', scopes: [] },
    })
    // A footage video an AI read as a tutorial, and a render of it with a hook line and bold captions.
    const video = await db.video.create({ data: { workspaceId: space.id, kind: 'footage', status: 'ready', title: 'Knife footage' } })
    const tutorial = await db.pattern.create({ data: { workspaceId: space.id, key: 'format=tutorial', kind: 'format', label: 'Tutorial' } })
    await db.patternEvidence.create({ data: { workspaceId: space.id, patternId: tutorial.id, source: 'semantic', videoId: video.id } })
    return { workspaceId: space.id, accountId: account.id, videoId: video.id }
  }

  async function render(workspaceId: string, videoId: string, captions: 'bold' | 'clean') {
    const recipe = { hook: { text: 'Stop dulling your knife' }, captions: { style: captions, cues: [] }, opening: null }
    return db.render.create({
      data: {
        workspaceId, sourceVideoId: videoId, status: 'succeeded', durationMs: 24_000, width: 1080, height: 1920,
        params: { keys: {}, recipe }, recipeSnapshot: { batchId: randomUUID(), name: 'Knife', version: 1, presetKey: null, patternKeys: [], recipe },
      },
    })
  }

  /** A published post with snapshots at the given ages (hours) and views. */
  async function post(space: { workspaceId: string, accountId: string }, publishedAt: Date, renderId: string | null, points: [number, number][]) {
    const row = await db.post.create({ data: { workspaceId: space.workspaceId, socialAccountId: space.accountId, renderId, status: 'published', publishedAt, externalId: randomUUID(), caption: 'Knife tip' } })
    await addSnapshots(space, row.id, publishedAt, points)
    return row
  }
  async function addSnapshots(space: { workspaceId: string, accountId: string }, postId: string, publishedAt: Date, points: [number, number][]) {
    for (const [ageHours, views] of points) {
      await db.metricSnapshot.create({ data: { workspaceId: space.workspaceId, socialAccountId: space.accountId, postId, ageHours, views: BigInt(views), capturedAt: new Date(publishedAt.getTime() + ageHours * HOUR) } })
    }
  }
  const sums = async (workspaceId: string) => Object.fromEntries((await db.pattern.findMany({ where: { workspaceId }, orderBy: { key: 'asc' } }))
    .map(row => [row.key, { posts: row.posts, weight: row.weight, sum: row.sum, sumSquares: row.sumSquares }]))

  function expectSameSums(actual: Record<string, Record<string, number>>, expected: Record<string, Record<string, number>>) {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort())
    for (const [key, value] of Object.entries(expected)) {
      expect(actual[key]!.posts, key).toBe(value.posts)
      for (const field of ['weight', 'sum', 'sumSquares']) expect(actual[key]![field], `${key} ${field}`).toBeCloseTo(value[field]!, 9)
    }
  }

  it('scores each post when its 48 h snapshot lands, links it to its patterns, and keeps sums equal to a rebuild', async () => {
    const space = await workspace()
    const bold = await render(space.workspaceId, space.videoId, 'bold')
    const clean = await render(space.workspaceId, space.videoId, 'clean')
    const start = new Date('2026-06-01T16:00:00Z')
    // Five posts a day apart, alternating caption styles; the bold ones do about three times better.
    const views = [1000, 2900, 1100, 3300, 950]
    const posts = []
    for (const [index, value] of views.entries()) {
      posts.push(await post(space, new Date(start.getTime() + index * DAY), (index % 2 ? bold : clean).id, [[1, value / 10], [24, value / 2]]))
    }
    // Nothing has reached 48 h: nothing is scored, nothing is linked.
    expect(await foldNewOutcomes(db, space.workspaceId, space.accountId)).toEqual({ scored: 0, folded: 0, rebuilt: false })
    expect(await db.patternEvidence.count({ where: { workspaceId: space.workspaceId, source: 'metrics' } })).toBe(0)

    // The 72 h snapshots land in publishing order, one pull at a time.
    for (const [index, row] of posts.entries()) {
      await addSnapshots(space, row.id, row.publishedAt!, [[72, views[index]! * 1.2]])
      expect(await foldNewOutcomes(db, space.workspaceId, space.accountId)).toMatchObject({ scored: 1, rebuilt: false })
    }
    const outcomes = await db.postOutcome.findMany({ where: { workspaceId: space.workspaceId }, orderBy: { publishedAt: 'asc' } })
    expect(outcomes).toHaveLength(5)
    // 48 h lies halfway between 24 h (half the views) and 72 h (1.2×): 0.5 + 0.7/2 = 0.85×.
    expect(outcomes[0]!.logValue).toBeCloseTo(Math.log1p(1000 * 0.85), 9)
    // The first three posts have fewer than three earlier posts: no baseline, no outcome, and the reason.
    expect(outcomes.slice(0, 3).map(row => row.outcome)).toEqual([null, null, null])
    expect(outcomes[0]!.reason).toMatch(/needs 3 earlier posts/)
    const median = [1000, 2900, 1100].map(value => Math.log1p(value * 0.85)).sort((a, b) => a - b)[1]!
    expect(outcomes[3]!.baseline).toBeCloseTo(median, 9)
    expect(outcomes[3]!.outcome).toBeCloseTo(Math.log1p(3300 * 0.85) - median, 9)

    // Every post is linked to its semantic pattern, its Studio choices, its length, its frame and its timing.
    const links = await db.patternEvidence.findMany({ where: { postId: posts[3]!.id }, select: { pattern: { select: { key: true } } } })
    expect(links.map(link => link.pattern.key).sort()).toEqual([
      'duration=15-30s', 'format.aspect=9:16', 'format=tutorial', 'post.day=weekday', 'post.hour=18-21', 'studio.captions=bold', 'studio.hook_text=on',
    ])
    const incremental = await sums(space.workspaceId)
    expect(incremental['studio.captions=bold']!.posts).toBe(1)
    expect(incremental['studio.captions=clean']!.posts).toBe(1)
    expect(incremental['format=tutorial']!.posts).toBe(2)

    // A rebuild from scratch gives the same sums and the same outcomes.
    expect(await rebuildLearning(db, space.workspaceId)).toEqual({ scored: 5, folded: 2 })
    expectSameSums(await sums(space.workspaceId), incremental)
    const rebuilt = await db.postOutcome.findMany({ where: { workspaceId: space.workspaceId }, orderBy: { publishedAt: 'asc' } })
    expect(rebuilt.map(row => [row.postId, row.outcome])).toEqual(outcomes.map(row => [row.postId, row.outcome]))
    // Folding again changes nothing: each outcome is folded once.
    expect(await foldNewOutcomes(db, space.workspaceId, space.accountId)).toEqual({ scored: 0, folded: 0, rebuilt: false })
    expectSameSums(await sums(space.workspaceId), incremental)
  })

  it('rebuilds when an earlier post reaches the horizon after later ones were scored, and when the metric changes', async () => {
    const space = await workspace('UTC')
    const start = new Date('2026-06-01T08:00:00Z')
    const rows = []
    for (let index = 0; index < 5; index++) rows.push(await post(space, new Date(start.getTime() + index * DAY), null, index === 1 ? [[24, 500]] : [[48, 1000 + index * 100]]))
    expect(await foldNewOutcomes(db, space.workspaceId, space.accountId)).toMatchObject({ scored: 4, rebuilt: false })
    // Post 2's 48 h number arrives late (a pull that waited out a quota): posts 3–5 now have a different baseline.
    await addSnapshots(space, rows[1]!.id, rows[1]!.publishedAt!, [[50, 800]])
    expect(await foldNewOutcomes(db, space.workspaceId, space.accountId)).toMatchObject({ scored: 5, rebuilt: true })
    const outcomes = await db.postOutcome.findMany({ where: { workspaceId: space.workspaceId }, orderBy: { publishedAt: 'asc' } })
    expect(outcomes.map(row => row.outcome === null)).toEqual([true, true, true, false, false])

    // Saves per view instead of views: the next fold sees the old rows and rebuilds them all for the new metric.
    await db.workspace.update({ where: { id: space.workspaceId }, data: { outcomeMetric: 'saves_per_view' } })
    expect(await foldNewOutcomes(db, space.workspaceId, space.accountId)).toMatchObject({ rebuilt: true, scored: 0 })
    // The snapshots carry no saves: nothing can be scored on that metric, and nothing old is left behind.
    expect(await db.postOutcome.count({ where: { workspaceId: space.workspaceId } })).toBe(0)
    expect((await db.pattern.findMany({ where: { workspaceId: space.workspaceId } })).every(row => row.posts === 0 && row.sum === 0)).toBe(true)
  })

  it('reads the scores from the stored sums, the same as from the rows, and never from another workspace', async () => {
    const space = await workspace('UTC')
    const other = await workspace('UTC')
    const bold = await render(space.workspaceId, space.videoId, 'bold')
    const start = new Date('2026-06-01T08:00:00Z')
    for (let index = 0; index < 8; index++) {
      await post(space, new Date(start.getTime() + index * DAY), index % 2 ? bold.id : null, [[48, index % 2 ? 3000 : 1000]])
      await post(other, new Date(start.getTime() + index * DAY), null, [[48, 50 + index]])
    }
    await foldNewOutcomes(db, space.workspaceId, space.accountId)
    await foldNewOutcomes(db, other.workspaceId, other.accountId)
    const stored = await patternPosteriors(db, space.workspaceId)
    // A filter that keeps every post sums the rows instead of reading the Pattern sums: the same numbers.
    const fromRows = await patternPosteriors(db, space.workspaceId, { from: new Date('2020-01-01T00:00:00Z') })
    for (const pattern of stored) {
      const twin = fromRows.find(row => row.key === pattern.key)!
      expect(twin.with.posts, pattern.key).toBe(pattern.with.posts)
      expect(twin.with.sum).toBeCloseTo(pattern.with.sum, 9)
      expect(twin.without.sumSquares).toBeCloseTo(pattern.without.sumSquares, 9)
    }
    const scores = await patternScores(db, space.workspaceId)
    const captions = scores.find(score => score.key === 'studio.captions=bold')!
    // Posts 4–8 are scored (3 earlier posts make a baseline); of those, 4, 6 and 8 (index 3, 5, 7) are bold.
    expect(captions.score.posts).toBe(3)
    expect(captions.effect.mean).toBeGreaterThan(0)
    expect(captions.enough).toBe(false)
    expect(captions.evidence.map(item => item.postId)).toHaveLength(3)
    // Nothing of the other workspace: its posts are not in the totals, its patterns are not listed.
    const total = stored.find(row => row.key === 'post.day=weekday' || row.key === 'post.day=weekend')!
    expect(total.with.posts + total.without.posts).toBe(5)
    expect(scores.flatMap(score => score.evidence).every(item => item.caption === 'Knife tip')).toBe(true)
    const otherIds = new Set((await db.post.findMany({ where: { workspaceId: other.workspaceId }, select: { id: true } })).map(row => row.id))
    expect(scores.flatMap(score => score.evidence).some(item => otherIds.has(item.postId))).toBe(false)
  })
})
