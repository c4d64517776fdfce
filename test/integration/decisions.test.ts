// Decisions by Thompson sampling on a real database: a batch of scripts draws each family's pattern from the
// patterns' posteriors (Pattern rows' outcome sums), exploits a clear winner on every slot when exploration is 0, draws
// the same patterns again from the same request and day, behaves as before without outcomes, and the local generator's
// script cites the winning pattern's results. The Studio's suggestions read the caption styles' posteriors.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { batchBalance } from '#shared/scripts'
import type { AiContext } from '../../server/services/ai/generate'
import { planBatch } from '../../server/services/scripts/inputs'
import { batchScripts, runBatch } from '../../server/services/scripts/scripts'
import { createSecretBox } from '../../server/services/security/secrets'
import { studioSuggestions } from '../../server/services/studio/suggestions'
import { generateStrategy } from '../../server/services/strategy/strategies'
import { createPrisma } from '../support/scratch'

const env = { provider: 'local' as const, openai: { apiKey: undefined, baseUrl: undefined }, geminiApiKey: undefined, grokApiKey: undefined }
const SECRETS = createSecretBox([Buffer.alloc(32, 9).toString('base64')])

/** The outcomes of `posts` posts around `mean` (log units), spread ±`spread`. */
function sums(posts: number, mean: number, spread = 0.3) {
  return Array.from({ length: posts }, (_, index) => mean + (index % 2 ? spread : -spread))
}

describe(`decisions by Thompson sampling on ${inject('databaseKind')}`, () => {
  let db: PrismaClient
  const workspaces: string[] = []
  let userId: string

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    userId = (await db.user.create({ data: { email: `decide-${randomUUID().slice(0, 8)}@decisions.test`, name: 'Dee' } })).id
  })
  afterAll(async () => {
    await db?.workspace.deleteMany({ where: { id: { in: workspaces } } })
    await db?.user.deleteMany({ where: { id: userId } })
    await db?.$disconnect()
  })

  /**
   * A workspace whose analysed footage shows a fast first cut twice and slower ones once each; `outcomes` gives each
   * pattern's published posts (their normalised outcomes), scored and linked as the learning loop leaves them.
   */
  async function workspace(outcomes: Record<string, number[]> = {}, exploration = 1) {
    const space = await db.workspace.create({ data: { name: 'Decide', slug: `decide-${randomUUID()}`, exploration } })
    workspaces.push(space.id)
    const account = await db.socialAccount.create({ data: { workspaceId: space.id, platform: 'tiktok', externalId: randomUUID(), displayName: 'Knife Club', accessTokenEnc: 'x', scopes: [] } })
    await db.brandProfile.create({ data: { workspaceId: space.id, name: 'Knife Club', niche: 'home cooking', pillars: ['Knife skills'], defaultCta: 'Follow for more', platforms: ['tiktok'] } })
    const videos = await Promise.all([1, 2, 3].map(index => db.video.create({ data: { workspaceId: space.id, kind: 'footage', status: 'ready', title: `Take ${index}` } })))
    const patterns: { key: string, label: string, kind: 'hook' | 'captions', videos: number[], value: Record<string, number> }[] = [
      { key: 'hook.first_cut<=1s', label: 'First cut within 1 s', kind: 'hook', videos: [0, 1], value: { firstCutSeconds: 0.8 } },
      { key: 'hook.first_cut=1-3s', label: 'First cut at 1–3 s', kind: 'hook', videos: [2], value: { firstCutSeconds: 2 } },
      { key: 'hook.first_cut>3s', label: 'First cut after 3 s', kind: 'hook', videos: [2], value: { firstCutSeconds: 4 } },
      // Studio choices, linked to posts only (their renders), never to an analysed video.
      ...Object.keys(outcomes).filter(key => key.startsWith('studio.')).map(key => ({ key, label: key, kind: key.startsWith('studio.captions') ? 'captions' as const : 'hook' as const, videos: [] as number[], value: {} })),
    ]
    for (const pattern of patterns) {
      const values = outcomes[pattern.key] ?? []
      const row = await db.pattern.create({
        data: {
          workspaceId: space.id, key: pattern.key, kind: pattern.kind, label: pattern.label,
          posts: values.length, weight: values.length, sum: values.reduce((a, b) => a + b, 0), sumSquares: values.reduce((a, b) => a + b * b, 0),
        },
      })
      for (const index of pattern.videos) await db.patternEvidence.create({ data: { workspaceId: space.id, patternId: row.id, source: 'analysis', videoId: videos[index]!.id, value: pattern.value } })
      for (const outcome of values) {
        const publishedAt = new Date('2026-11-01T12:00:00Z')
        const post = await db.post.create({ data: { workspaceId: space.id, socialAccountId: account.id, status: 'published', publishedAt, externalId: randomUUID(), caption: 'Knife tip' } })
        await db.postOutcome.create({ data: { postId: post.id, workspaceId: space.id, socialAccountId: account.id, publishedAt, metric: 'views', horizonHours: 48, logValue: 5 + outcome, baseline: 5, baselinePosts: 5, outcome } })
        await db.patternEvidence.create({ data: { workspaceId: space.id, patternId: row.id, source: 'metrics', postId: post.id, outcome } })
      }
    }
    return space.id
  }

  const firstCuts = (plan: Awaited<ReturnType<typeof planBatch>>) => plan.inputs.map(input => input.patterns.find(pattern => pattern.key.startsWith('hook.first_cut'))?.key)
  const summaries = (plan: Awaited<ReturnType<typeof planBatch>>) => plan.decisions.map(decisions => ({ decisions }))

  it('exploits a clear winner on every slot at exploration 0, and says so', async () => {
    // The slow first cut is common in the footage, but its posts did far worse than the fast one's.
    const workspaceId = await workspace({ 'hook.first_cut<=1s': sums(8, 1), 'hook.first_cut=1-3s': sums(8, -0.5), 'hook.first_cut>3s': sums(6, -1) }, 0)
    const plan = await planBatch(db, workspaceId, { count: 5, day: '2026-12-01' })
    expect(firstCuts(plan)).toEqual(Array(5).fill('hook.first_cut<=1s'))
    expect(plan.decisions.every(slot => slot[0]?.role === 'exploit')).toBe(true)
    const evidence = plan.inputs[0]!.patterns.find(pattern => pattern.key === 'hook.first_cut<=1s')!.evidence!
    // 8 posts at a mean of 1 with the prior (mean 0, weight 4) → 8/12 = 0.67 in log views, ×1.9.
    expect(evidence).toMatchObject({ role: 'exploit', posts: 8, references: 0, metric: 'views' })
    expect(evidence.mean).toBeCloseTo(8 / 12, 2)
    expect(evidence.lower80).toBeLessThan(evidence.mean)
    expect(evidence.upper80).toBeGreaterThan(evidence.mean)
    const balance = batchBalance(summaries(plan))!
    expect(balance.sentence).toBe('5 of 5 scripts exploit your best first cut (First cut within 1 s, ×1.9 views (80 %: '
      + `×${Math.exp(evidence.lower80).toFixed(1)}–×${Math.exp(evidence.upper80).toFixed(1)}, n 8)).`)
    expect(balance.patternKey).toBe('hook.first_cut<=1s')
  })

  it('draws the same patterns again from the same request and day, and mixes them at exploration 1', async () => {
    // Close and thin evidence: sampling explores.
    const workspaceId = await workspace({ 'hook.first_cut<=1s': sums(2, 0.3, 1), 'hook.first_cut=1-3s': sums(2, 0.1, 1), 'hook.first_cut>3s': sums(1, 0, 1) })
    const request = { count: 8, day: '2026-12-01' }
    const first = firstCuts(await planBatch(db, workspaceId, request))
    expect(firstCuts(await planBatch(db, workspaceId, request))).toEqual(first)
    // The exact draws for this seed (workspace id, day, count…) differ by workspace; their mix is what sampling makes.
    expect(new Set(first).size).toBeGreaterThan(1)
    // The per-batch override wins over the workspace's setting: at 0, the leader on every slot.
    expect(firstCuts(await planBatch(db, workspaceId, { ...request, exploration: 0 }))).toEqual(Array(8).fill('hook.first_cut<=1s'))
    // Another day draws again.
    const days = await Promise.all(['2026-12-02', '2026-12-03', '2026-12-04'].map(async day => firstCuts(await planBatch(db, workspaceId, { ...request, day }))))
    expect(days.some(choices => JSON.stringify(choices) !== JSON.stringify(first))).toBe(true)
  })

  it('keeps the pattern the strategy cites unless a rival\'s whole 80 % interval lies above it', async () => {
    const cite = (workspaceId: string) => db.strategy.create({
      data: { workspaceId, title: 'Version 1', status: 'active', content: { pillars: [{ name: 'Knife skills', description: '', patternKeys: ['hook.first_cut=1-3s'] }], hooks: [] } },
    })
    // A little behind the fast cut, within the noise: the strategy's choice stands, and is counted as a test.
    const close = await workspace({ 'hook.first_cut<=1s': sums(6, 0.7), 'hook.first_cut=1-3s': sums(6, 0.5) }, 1)
    await cite(close)
    const kept = await planBatch(db, close, { count: 4, day: '2026-12-01' })
    expect(firstCuts(kept)).toEqual(Array(4).fill('hook.first_cut=1-3s'))
    expect(kept.decisions.map(slot => slot[0]!.role)).toEqual(Array(4).fill('explore'))
    expect(batchBalance(summaries(kept))!.sentence).toMatch(/^0 of 4 scripts exploit your best first cut \(First cut within 1 s, .*\); 4 test new ones\.$/)
    // Far behind: the family is sampled, and at exploration 0 every slot takes the leader.
    const beaten = await workspace({ 'hook.first_cut<=1s': sums(8, 1), 'hook.first_cut=1-3s': sums(8, -0.5) }, 0)
    await cite(beaten)
    expect(firstCuts(await planBatch(db, beaten, { count: 4, day: '2026-12-01' }))).toEqual(Array(4).fill('hook.first_cut<=1s'))
  })

  it('without outcomes, follows the most common pattern on every slot, with no evidence in the input', async () => {
    const workspaceId = await workspace()
    const plan = await planBatch(db, workspaceId, { count: 3, day: '2026-12-01' })
    expect(firstCuts(plan)).toEqual(Array(3).fill('hook.first_cut<=1s'))
    expect(plan.inputs.every(input => input.patterns.every(pattern => !('evidence' in pattern)))).toBe(true)
    expect(plan.decisions).toEqual([[], [], []])
    expect(batchBalance(summaries(plan))).toBeNull()
  })

  it('the local generator\'s script cites the winning pattern and its results', async () => {
    const workspaceId = await workspace({ 'hook.first_cut<=1s': sums(8, 1), 'hook.first_cut=1-3s': sums(8, -0.5) }, 0)
    const context: AiContext = { db, ai: env, secrets: SECRETS }
    const batchId = randomUUID()
    expect(await runBatch(context, { workspaceId, userId, batchId, count: 2, local: true, day: '2026-12-01' })).toEqual({ written: 2 })
    const scripts = await batchScripts(db, workspaceId, batchId)
    for (const script of scripts) {
      const fast = script.patterns.find(pattern => pattern.key === 'hook.first_cut<=1s')!
      expect(fast.how).toMatch(/^Your posts with it: ×1\.9 views \(80 %: ×\d\.\d–×\d\.\d, n 8\); the best so far\. First shot lasts 0\.8 s/)
      expect(script.shots[0]!.durationSec).toBeLessThanOrEqual(1)
      expect(script.decisions).toMatchObject([{ family: 'first cut', key: 'hook.first_cut<=1s', role: 'exploit', best: { key: 'hook.first_cut<=1s' } }])
    }
    expect(batchBalance(scripts)!.sentence).toMatch(/^2 of 2 scripts exploit your best first cut \(First cut within 1 s, ×1\.9 views/)
  })

  it('suggests caption styles from the workspace\'s own results only, and says when there are none', async () => {
    const known = await workspace({ 'studio.captions=highlight': sums(6, 0.9), 'studio.captions=clean': sums(6, -0.4), 'studio.hook_text=off': sums(4, -0.6), 'studio.hook_text=on': sums(6, 0.3) }, 0)
    const unknown = await workspace()
    const fromResults = await studioSuggestions(db, known, '2026-12-01')
    const suggested = fromResults.captions.options.filter(option => option.suggested)
    // At exploration 0 the leader first, then the next best mean: a style without posts (mean 0) beats clean (−0.4).
    expect(suggested.map(option => option.value)).toContain('highlight')
    expect(suggested).toHaveLength(2)
    expect(suggested.map(option => option.value)).not.toContain('clean')
    expect(fromResults.captions.options.find(option => option.value === 'highlight')!.figures).toMatchObject({ role: 'exploit', posts: 6, metric: 'views' })
    expect(fromResults.captions.message).toMatch(/^Word by word is ahead so far\. Render .*Word by word \(×1\.\d views \(80 %: .*, n 6\)\)/)
    expect(fromResults.hook.message).toMatch(/^Keep the hook line on screen \(×\d\.\d views .*n 6\)\): the best so far\.$/)
    expect(fromResults.exploration).toBe(0)
    // The other workspace's results are not this one's.
    const none = await studioSuggestions(db, unknown, '2026-12-01')
    expect(none.captions.message).toBe('No caption style has results yet: try two (Bold and Clean), and publish both.')
    expect(none.captions.options.filter(option => option.suggested).map(option => option.value)).toEqual(['clean', 'bold'])
    expect(none.captions.options.every(option => option.figures === null)).toBe(true)
    expect(none.hook.message).toMatch(/^No hook choice has results yet/)
  })

  it('a strategy leans its pillars on the best pattern by the posts\' results, and says which it exploits', async () => {
    const workspaceId = await workspace({ 'hook.first_cut<=1s': sums(8, 1), 'hook.first_cut=1-3s': sums(8, -0.5) }, 0)
    const strategy = await generateStrategy({ db, ai: env, secrets: SECRETS }, { workspaceId, userId, useLocal: true }, { now: () => new Date('2026-12-01T09:00:00Z') })
    expect(strategy.content.pillars).toMatchObject([{ name: 'Knife skills', patternKeys: ['hook.first_cut<=1s'] }])
    expect(strategy.basis.decisions).toEqual({ exploration: 0, sentence: '1 of 1 pillar pattern exploits the best of its family so far.', patterns: [{ key: 'hook.first_cut<=1s', role: 'exploit' }] })
    const fast = strategy.basis.patterns.find(pattern => pattern.key === 'hook.first_cut<=1s')!
    // The existing figures stay (no reference numbers here: none), and the posterior's are added.
    expect(fast).toMatchObject({ videoCount: 2, with: null, posterior: { role: 'exploit', posts: 8, metric: 'views' } })
    expect(fast.posterior!.mean).toBeCloseTo(8 / 12, 3)
    expect(strategy.basis.rankedBy).toMatch(/Thompson sampling, exploration 0\)$/)
  })

  it('a strategy without posts\' results keeps the Patterns ranking and draws nothing', async () => {
    const workspaceId = await workspace()
    const strategy = await generateStrategy({ db, ai: env, secrets: SECRETS }, { workspaceId, userId, useLocal: true }, { now: () => new Date('2026-12-01T09:00:00Z') })
    expect(strategy.basis.decisions).toBeUndefined()
    expect(strategy.basis.patterns.every(pattern => pattern.posterior === undefined)).toBe(true)
    expect(strategy.basis.rankedBy).not.toMatch(/Thompson/)
  })
})
