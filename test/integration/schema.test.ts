import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { createPrisma } from '../support/scratch'

// The data model as the pages will use it: a workspace owns everything, ids are scoped, instants keep their zone.
describe(`data model on ${inject('databaseKind')}`, () => {
  let db: PrismaClient
  const suffix = Math.random().toString(36).slice(2, 8)

  beforeAll(() => {
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(() => db.$disconnect())

  async function workspaceWithOwner(name: string) {
    const user = await db.user.create({ data: { email: `${name}-${suffix}@example.com`, name } })
    const workspace = await db.workspace.create({
      data: { name, slug: `${name}-${suffix}`, memberships: { create: { userId: user.id, role: 'owner' } } },
    })
    return { user, workspace }
  }

  it('builds the whole loop for one workspace: video → analysis → pattern → script → render → post → metrics', async () => {
    const { user, workspace } = await workspaceWithOwner('loop')
    const workspaceId = workspace.id
    const video = await db.video.create({ data: { workspaceId, uploadedById: user.id, kind: 'footage', title: 'Morning routine', sizeBytes: 5_000_000_000n, durationMs: 27_500, status: 'ready' } })
    const analysis = await db.videoAnalysis.create({ data: { workspaceId, videoId: video.id, status: 'succeeded', features: { firstCutSec: 1.2 } } })
    const pattern = await db.pattern.create({ data: { workspaceId, key: 'hook.first_cut<=1.5s', kind: 'hook', label: 'Cut within 1.5 s' } })
    await db.patternEvidence.create({ data: { workspaceId, patternId: pattern.id, source: 'analysis', videoId: video.id, analysisId: analysis.id, value: { firstCutSec: 1.2 } } })
    const strategy = await db.strategy.create({ data: { workspaceId, createdById: user.id, title: 'Q1', content: { pillars: ['routines'] } } })
    const script = await db.script.create({ data: { workspaceId, strategyId: strategy.id, title: 'Routine in 20 s', hook: 'Stop scrolling', shots: [], patternKeys: [pattern.key] } })
    const recipe = await db.editRecipe.create({ data: { workspaceId, scriptId: script.id, name: 'Fast hook', steps: [{ type: 'silence_cut' }] } })
    const render = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, recipeId: recipe.id, variantLabel: 'B' } })
    const account = await db.socialAccount.create({ data: { workspaceId, platform: 'tiktok', externalId: `open-${suffix}`, accessTokenEnc: 'v1:ciphertext' } })
    const post = await db.post.create({ data: { workspaceId, socialAccountId: account.id, renderId: render.id, status: 'scheduled', scheduledAt: new Date('2026-12-01T18:30:00Z') } })
    await db.postAttempt.create({ data: { workspaceId, postId: post.id, number: 1, status: 'succeeded' } })
    await db.metricSnapshot.create({ data: { workspaceId, postId: post.id, socialAccountId: account.id, ageHours: 48, views: 12_345n } })
    await db.aiCall.create({ data: { workspaceId, provider: 'local', model: 'templates-v1', purpose: 'script.generate', promptVersion: '1', status: 'succeeded', costUsd: '0.000123' } })
    await db.aiCacheEntry.create({ data: { workspaceId, key: 'abc', provider: 'local', model: 'templates-v1', promptVersion: '1', response: { ok: true } } })
    await db.auditEvent.create({ data: { workspaceId, actorId: user.id, action: 'workspace.created' } })

    const loaded = await db.post.findFirstOrThrow({
      where: { id: post.id, workspaceId },
      include: { render: { include: { recipe: { include: { script: true } }, sourceVideo: true } }, metricSnapshots: true, attempts: true },
    })
    expect(loaded.render?.recipe?.script?.patternKeys).toEqual(['hook.first_cut<=1.5s'])
    expect(loaded.render?.sourceVideo.sizeBytes).toBe(5_000_000_000n)
    expect(loaded.metricSnapshots[0]?.views).toBe(12_345n)
    expect(loaded.attempts).toHaveLength(1)
  })

  it('keeps instants exact across time zones (timestamptz)', async () => {
    const { workspace } = await workspaceWithOwner('tz')
    const account = await db.socialAccount.create({ data: { workspaceId: workspace.id, platform: 'youtube', externalId: `ch-${suffix}`, accessTokenEnc: 'x' } })
    const at = new Date('2026-03-29T01:30:00.123+01:00')
    const post = await db.post.create({ data: { workspaceId: workspace.id, socialAccountId: account.id, scheduledAt: at } })
    const [row] = await db.$queryRaw<{ type: string }[]>`SELECT pg_typeof("scheduledAt")::text AS type FROM "Post" WHERE id = ${post.id}::uuid`
    expect(row?.type).toBe('timestamp with time zone')
    expect((await db.post.findUniqueOrThrow({ where: { id: post.id } })).scheduledAt?.toISOString()).toBe('2026-03-29T00:30:00.123Z')
  })

  it('rejects duplicates that would confuse a workspace, and allows the same names across workspaces', async () => {
    const a = await workspaceWithOwner('dupa')
    const b = await workspaceWithOwner('dupb')
    await expect(db.membership.create({ data: { workspaceId: a.workspace.id, userId: a.user.id, role: 'viewer' } })).rejects.toMatchObject({ code: 'P2002' })
    await expect(db.user.create({ data: { email: a.user.email } })).rejects.toMatchObject({ code: 'P2002' })
    await db.pattern.create({ data: { workspaceId: a.workspace.id, key: 'captions.burned=true', kind: 'captions', label: 'Burned captions' } })
    await expect(db.pattern.create({ data: { workspaceId: a.workspace.id, key: 'captions.burned=true', kind: 'captions', label: 'Again' } })).rejects.toMatchObject({ code: 'P2002' })
    await expect(db.pattern.create({ data: { workspaceId: b.workspace.id, key: 'captions.burned=true', kind: 'captions', label: 'Burned captions' } })).resolves.toBeTruthy()
  })

  it('refuses a state outside the enums, and a row pointing at a workspace that does not exist', async () => {
    const { workspace } = await workspaceWithOwner('enum')
    await expect(db.$executeRawUnsafe(`INSERT INTO "Membership" (id, "workspaceId", "userId", role, "updatedAt") VALUES (gen_random_uuid(), $1::uuid, gen_random_uuid(), 'superuser', now())`, workspace.id))
      .rejects.toThrow(/invalid input value for enum|MemberRole/)
    await expect(db.video.create({ data: { workspaceId: '01900000-0000-7000-8000-000000000000', kind: 'reference', title: 'orphan' } })).rejects.toMatchObject({ code: 'P2003' })
  })

  it('deleting a workspace removes everything it owns and leaves its people and other workspaces alone', async () => {
    const doomed = await workspaceWithOwner('doomed')
    const other = await workspaceWithOwner('other')
    await db.membership.create({ data: { workspaceId: other.workspace.id, userId: doomed.user.id, role: 'editor' } })
    const video = await db.video.create({ data: { workspaceId: doomed.workspace.id, kind: 'reference', title: 'gone' } })
    await db.videoAnalysis.create({ data: { workspaceId: doomed.workspace.id, videoId: video.id } })
    const kept = await db.video.create({ data: { workspaceId: other.workspace.id, kind: 'reference', title: 'kept' } })

    await db.workspace.delete({ where: { id: doomed.workspace.id } })

    expect(await db.video.count({ where: { workspaceId: doomed.workspace.id } })).toBe(0)
    expect(await db.videoAnalysis.count({ where: { workspaceId: doomed.workspace.id } })).toBe(0)
    expect(await db.membership.count({ where: { workspaceId: doomed.workspace.id } })).toBe(0)
    expect(await db.user.findUnique({ where: { id: doomed.user.id } })).not.toBeNull()
    expect(await db.membership.count({ where: { userId: doomed.user.id } })).toBe(1)
    expect(await db.video.findUnique({ where: { id: kept.id } })).not.toBeNull()
  })

  it('has an index behind each query the pages and sweeps will run', async () => {
    const indexes = await db.$queryRaw<{ indexdef: string }[]>`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()`
    const definitions = indexes.map(index => index.indexdef)
    for (const expected of [
      /"Post".*\("workspaceId", "scheduledAt"\)/,
      /"Post".*\(status, "dueAt"\)/,
      /"SocialAccount".*\(status, "tokenExpiresAt"\)/,
      /"Video".*\("workspaceId", "createdAt" DESC\)/,
      /"MetricSnapshot".*\("workspaceId", "postId", "capturedAt" DESC\)/,
      /"AuditEvent".*\("workspaceId", "createdAt" DESC\)/,
    ]) expect(definitions.some(definition => expected.test(definition)), String(expected)).toBe(true)
  })
})
