// A/B experiments on a real database: the variants of one Studio batch published as separate posts, each variant's
// outcome and chance of being best, the verdict in words, the filters, and nothing from another workspace.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import type { VariantKeys } from '#shared/recipe'
import { listExperiments } from '../../server/services/analytics/experiments'
import { createPrisma } from '../support/scratch'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const START = new Date('2026-06-01T09:00:00Z')

interface Space { workspaceId: string, youtube: string, tiktok: string, videoId: string, horizonHours: number }

describe(`experiments on ${inject('databaseKind')}`, () => {
  let db: PrismaClient

  beforeAll(() => {
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await db?.$disconnect()
  })

  async function workspace(horizonHours = 48): Promise<Space> {
    const space = await db.workspace.create({ data: { name: 'Experiments', slug: `experiments-${randomUUID()}`, outcomeHorizonHours: horizonHours } })
    const account = (platform: 'youtube' | 'tiktok') => db.socialAccount.create({
      data: { workspaceId: space.id, platform, externalId: randomUUID(), displayName: `Knife Skills on ${platform}`, accessTokenEnc: 'x', scopes: [] },
    })
    const video = await db.video.create({ data: { workspaceId: space.id, kind: 'footage', status: 'ready', title: 'Knife footage' } })
    return { workspaceId: space.id, youtube: (await account('youtube')).id, tiktok: (await account('tiktok')).id, videoId: video.id, horizonHours }
  }

  /** The renders of one Studio batch, labelled A, B… in order, each with the keys that set it apart. */
  async function batch(space: Space, variants: VariantKeys[], name = 'Knife tip') {
    const batchId = randomUUID()
    const recipe = { hook: { text: 'Stop dulling your knife' }, captions: { style: 'bold', cues: [] }, opening: null }
    const renders = []
    for (const [index, keys] of variants.entries()) {
      renders.push(await db.render.create({
        data: {
          workspaceId: space.workspaceId, sourceVideoId: space.videoId, status: 'succeeded', variantLabel: String.fromCharCode(65 + index),
          params: { keys: { ...keys }, recipe }, recipeSnapshot: { batchId, name, version: 1, presetKey: null, patternKeys: [], recipe },
        },
      }))
    }
    return { batchId, renders }
  }

  /**
   * A published post of a render. `outcome`: a number (scored), null (measured, but the account had no baseline yet),
   * or 'waiting' (not at the horizon yet: no PostOutcome row). `horizonHours` defaults to the workspace's.
   */
  async function post(space: Space, renderId: string, publishedAt: Date, outcome: number | null | 'waiting', options: { accountId?: string, horizonHours?: number } = {}) {
    const socialAccountId = options.accountId ?? space.youtube
    const row = await db.post.create({
      data: { workspaceId: space.workspaceId, socialAccountId, renderId, status: 'published', publishedAt, externalId: randomUUID(), caption: 'Knife tip' },
    })
    if (outcome !== 'waiting') {
      const horizonHours = options.horizonHours ?? space.horizonHours
      await db.postOutcome.create({
        data: {
          postId: row.id, workspaceId: space.workspaceId, socialAccountId, publishedAt, metric: 'views', horizonHours, logValue: 7,
          baseline: outcome === null ? null : 7 - outcome, baselinePosts: outcome === null ? 1 : 3, outcome,
          reason: outcome === null ? 'The account needs 3 earlier posts with numbers for a baseline.' : null,
        },
      })
    }
    return row
  }

  const at = (days: number) => new Date(START.getTime() + days * DAY)
  const sum = (values: (number | null)[]) => values.reduce<number>((total, value) => total + (value ?? 0), 0)

  it('names the clear winner of a two-variant batch with many posts, and gives the same numbers every time', async () => {
    const space = await workspace()
    const { batchId, renders: [a, b, unpublished] } = await batch(space, [
      { hookText: 'Stop dulling your knife' }, { hookText: 'Your knife is lying to you' }, { hookText: 'Three cuts every cook needs' },
    ])
    // A does about four times better than the account's usual post, B about half as well; eight scored posts each.
    const aOutcomes = [1.4, 1.6, 1.5, 1.3, 1.7, 1.45, 1.55, 1.5]
    const bOutcomes = [-0.6, -0.4, -0.5, -0.7, -0.3, -0.55, -0.45, -0.5]
    for (let index = 0; index < 8; index++) {
      await post(space, a!.id, at(index * 2), aOutcomes[index]!)
      await post(space, b!.id, at(index * 2 + 1), bOutcomes[index]!, { accountId: space.tiktok })
    }
    // Posts that count as posts but not as scored: one still short of 48 h, one measured without a baseline.
    await post(space, a!.id, at(20), 'waiting')
    await post(space, b!.id, at(19), null)

    const experiments = await listExperiments(db, space.workspaceId)
    expect(experiments).toHaveLength(1)
    const [experiment] = experiments
    expect(experiment).toMatchObject({ id: batchId, name: 'Knife tip', sourceVideoId: space.videoId, status: 'leader', leader: 'A' })
    // The unpublished variant C is no arm.
    expect(experiment!.arms.map(arm => [arm.renderId, arm.label, arm.description, arm.posts, arm.scored])).toEqual([
      [a!.id, 'A', '“Stop dulling your knife”', 9, 8],
      [b!.id, 'B', '“Your knife is lying to you”', 9, 8],
    ])
    expect(experiment!.arms.some(arm => arm.renderId === unpublished!.id)).toBe(false)
    const [armA, armB] = experiment!.arms
    expect(armA!.probabilityBest).toBeGreaterThan(0.9)
    expect(sum(experiment!.arms.map(arm => arm.probabilityBest))).toBeCloseTo(1, 9)
    expect(armA!.outcome.posts).toBe(8)
    expect(armA!.outcome.references).toBe(0)
    // The posterior is shrunk towards 0 (the usual post) but keeps the sign and the order.
    expect(armA!.outcome.mean).toBeGreaterThan(0.5)
    expect(armB!.outcome.mean).toBeLessThan(0)
    expect(armA!.outcome.interval80.lower).toBeGreaterThan(armB!.outcome.interval80.upper)
    expect(armA!.outcome.interval95.lower).toBeLessThan(armA!.outcome.interval80.lower)
    expect(experiment!.verdict).toMatch(/^A is best with a (better than 99%|9\d%) chance \(8 posts each\)\.$/)

    // Reproducible: the draws are seeded from the batch, so the same rows give the same numbers.
    expect(await listExperiments(db, space.workspaceId)).toEqual(experiments)
  })

  it('says the data is too thin and what is missing, in the workspace\'s horizon', async () => {
    const space = await workspace(72)
    // Batch 1: A has 2 posts with 72 h numbers, B has 1 (and one scored at 48 h, before the horizon changed).
    const first = await batch(space, [{ captionStyle: 'bold' }, { captionStyle: 'clean' }], 'Onion dice')
    await post(space, first.renders[0]!.id, at(0), 0.4)
    await post(space, first.renders[0]!.id, at(1), 0.2)
    await post(space, first.renders[1]!.id, at(2), -0.1)
    await post(space, first.renders[1]!.id, at(3), 0.9, { horizonHours: 48 })
    // Batch 2: A has enough, B none with numbers yet (one still waiting): no chances at all.
    const second = await batch(space, [{ maxSeconds: 30 }, { maxSeconds: null }], 'Sharpening')
    for (let index = 0; index < 3; index++) await post(space, second.renders[0]!.id, at(4 + index), 0.3)
    await post(space, second.renders[1]!.id, at(8), 'waiting')
    // Batch 3: enough posts on both sides, but the variants do alike: no clear winner.
    const third = await batch(space, [{ opening: { start: 4, end: 6 } }, { opening: null }], 'Knife care')
    const alike = [0.3, -0.2, 0.1, 0.05, -0.1]
    for (const [index, value] of alike.entries()) {
      await post(space, third.renders[0]!.id, at(10 + index), value)
      await post(space, third.renders[1]!.id, at(10 + index), -value + 0.02)
    }

    const experiments = await listExperiments(db, space.workspaceId)
    // Newest first, by each experiment's latest post.
    expect(experiments.map(experiment => experiment.name)).toEqual(['Knife care', 'Sharpening', 'Onion dice'])
    const [alikeOne, waiting, thin] = experiments

    expect(thin).toMatchObject({ status: 'too-thin', leader: null, verdict: 'Too early to say: A has 2 posts with numbers at 72 h and B has 1; each variant needs 3.' })
    expect(thin!.arms.map(arm => [arm.description, arm.posts, arm.scored])).toEqual([['bold captions', 2, 2], ['clean captions', 2, 1]])
    expect(sum(thin!.arms.map(arm => arm.probabilityBest))).toBeCloseTo(1, 9)

    expect(waiting).toMatchObject({ status: 'too-thin', leader: null, verdict: 'Too early to say: B has no posts with numbers at 72 h; each variant needs 3.' })
    expect(waiting!.arms.map(arm => arm.probabilityBest)).toEqual([null, null])
    expect(waiting!.arms.map(arm => arm.description)).toEqual(['at most 30 s', 'full length'])

    expect(alikeOne!.status).toBe('too-thin')
    expect(alikeOne!.leader).toBeNull()
    expect(alikeOne!.verdict).toMatch(/^No clear winner yet: [AB] is ahead with an? [5-8]\d% chance of being best; more posts will tell\.$/)
    expect(Math.max(...alikeOne!.arms.map(arm => arm.probabilityBest!))).toBeLessThan(0.9)
  })

  it('leaves out a batch with one variant published, and renders with no batch', async () => {
    const space = await workspace()
    const { renders: [a] } = await batch(space, [{ hookText: 'One' }, { hookText: 'Two' }])
    // The same variant on two platforms, many times: still one variant.
    for (let index = 0; index < 4; index++) {
      await post(space, a!.id, at(index), 0.5)
      await post(space, a!.id, at(index), -0.5, { accountId: space.tiktok })
    }
    // Two renders of the same footage made before renders kept their batch: nothing ties them together.
    for (const label of ['A', 'B']) {
      const old = await db.render.create({ data: { workspaceId: space.workspaceId, sourceVideoId: space.videoId, status: 'succeeded', variantLabel: label } })
      await post(space, old.id, at(6), 0.1)
    }
    expect(await listExperiments(db, space.workspaceId)).toEqual([])
  })

  it('counts only the posts the filters keep: platform, account, and publishing dates', async () => {
    const space = await workspace()
    const { renders: [a, b] } = await batch(space, [{ captionStyle: 'highlight' }, {}])
    // A goes to both platforms; B to TikTok only. Days 0–3 and 10–13.
    for (const day of [0, 1, 2, 3, 10, 11, 12, 13]) {
      await post(space, a!.id, at(day), 0.2, { accountId: day % 2 ? space.tiktok : space.youtube })
      await post(space, b!.id, at(day), 0.1, { accountId: space.tiktok })
    }
    const unfiltered = await listExperiments(db, space.workspaceId)
    expect(unfiltered[0]!.arms.map(arm => [arm.description, arm.posts])).toEqual([['word by word captions', 8], ['As rendered', 8]])

    // YouTube (by platform or by account) has only A's posts: no experiment there.
    expect(await listExperiments(db, space.workspaceId, { platform: 'youtube' })).toEqual([])
    expect(await listExperiments(db, space.workspaceId, { socialAccountId: space.youtube })).toEqual([])
    // TikTok has A's odd days and every B.
    for (const filter of [{ platform: 'tiktok' as const }, { socialAccountId: space.tiktok }]) {
      const [experiment] = await listExperiments(db, space.workspaceId, filter)
      expect(experiment!.arms.map(arm => [arm.label, arm.posts, arm.scored])).toEqual([['A', 4, 4], ['B', 8, 8]])
    }
    // From day 10 (included) to day 12 (excluded): two posts each.
    const [window] = await listExperiments(db, space.workspaceId, { from: at(10), to: at(12) })
    expect(window!.arms.map(arm => arm.posts)).toEqual([2, 2])
    expect(await listExperiments(db, space.workspaceId, { from: at(4), to: at(10) })).toEqual([])
  })

  it('never counts another workspace\'s posts', async () => {
    const space = await workspace()
    const other = await workspace()
    const { batchId, renders: [a, b] } = await batch(space, [{ hookText: 'Ours' }, { hookText: 'Also ours' }])
    for (let index = 0; index < 3; index++) {
      await post(space, a!.id, at(index), 0.5)
      await post(space, b!.id, at(index), 0.1)
    }
    const before = await listExperiments(db, space.workspaceId)
    // Another workspace's posts that name our renders (a row no route makes, but the keys allow it), and its own batch.
    for (let index = 0; index < 5; index++) {
      await post(other, a!.id, at(index), -2)
      await post(other, b!.id, at(index), 3)
    }
    const theirs = await batch(other, [{ hookText: 'Theirs' }, { hookText: 'Also theirs' }])
    await post(other, theirs.renders[0]!.id, at(1), 0.2)
    await post(other, theirs.renders[1]!.id, at(1), 0.2)

    expect(await listExperiments(db, space.workspaceId)).toEqual(before)
    expect(before.map(experiment => experiment.id)).toEqual([batchId])
    expect(before[0]!.arms.map(arm => arm.posts)).toEqual([3, 3])
    // Theirs lists only its own batch, without the posts of our renders.
    const listed = await listExperiments(db, other.workspaceId)
    expect(listed.map(experiment => experiment.id)).toEqual([theirs.batchId])
    expect(listed[0]!.arms.map(arm => arm.posts)).toEqual([1, 1])
    // Their account as a filter on our workspace matches none of our posts.
    expect(await listExperiments(db, space.workspaceId, { socialAccountId: other.tiktok })).toEqual([])
  })
})
