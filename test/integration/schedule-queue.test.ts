import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { wallTimeToInstant } from '#shared/schedule-time'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { nextQueueTimes } from '../../server/services/schedule/queue'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

// An account's queue ("add to queue" fills its weekly slots in the workspace's zone) and its best times to post,
// through the built app and straight through the service, on a real database: taken slots are skipped, Monday 09:00
// stays 09:00 in Berlin across DST, another workspace's account is not found, a viewer reads but cannot change it.
describe(`queue and best times on ${inject('databaseKind')}`, () => {
  const databaseUrl = inject('databaseUrl')
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  const run = Math.random().toString(36).slice(2, 8)
  const owner = { client: undefined as unknown as ApiClient, workspaceId: '' }
  const other = { client: undefined as unknown as ApiClient, workspaceId: '', accountId: '' }
  let viewer: ApiClient
  let tiktokId = ''
  let youtubeId = ''

  const account = (workspaceId: string, platform: 'tiktok' | 'youtube', displayName: string) => db.socialAccount.create({
    data: { workspaceId, platform, externalId: `${platform}-${run}-${displayName}`, displayName, accessTokenEnc: 'not-a-real-token' },
  })
  const queuePath = (accountId: string, workspaceId = owner.workspaceId) => `/api/workspaces/${workspaceId}/accounts/${accountId}/queue`
  const bestPath = (accountId: string, workspaceId = owner.workspaceId) => `/api/workspaces/${workspaceId}/accounts/${accountId}/best-times`
  const berlin = (wall: string) => new Date(wallTimeToInstant(wall, 'Europe/Berlin'))

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-queue-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl })
    db = createPrisma(databaseUrl)
    owner.client = new ApiClient(app.url)
    expect((await owner.client.signUp({ name: 'Quinn', email: `quinn-${run}@queue.test` })).status).toBe(201)
    owner.workspaceId = (await owner.client.session()).workspaces[0]!.id
    expect((await owner.client.patch(`/api/workspaces/${owner.workspaceId}`, { timeZone: 'Europe/Berlin' })).status).toBe(200)
    const invite = await owner.client.post(`/api/workspaces/${owner.workspaceId}/invites`, { role: 'viewer' })
    viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vic', email: `vic-${run}@queue.test`, inviteToken: invite.body.token })).status).toBe(201)
    tiktokId = (await account(owner.workspaceId, 'tiktok', 'Knife Skills')).id
    youtubeId = (await account(owner.workspaceId, 'youtube', 'Pastry Lab')).id

    other.client = new ApiClient(app.url)
    expect((await other.client.signUp({ name: 'Otto', email: `otto-${run}@queue.test` })).status).toBe(201)
    other.workspaceId = (await other.client.session()).workspaces[0]!.id
    other.accountId = (await account(other.workspaceId, 'tiktok', 'Other Brand')).id
    await db.socialAccount.update({ where: { id: other.accountId }, data: { queueSlots: [{ day: 1, time: '09:00' }] } })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await db?.$disconnect()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('stores the slots sorted and each once, and lists the next free ones in the workspace\'s zone', async () => {
    expect((await owner.client.get(queuePath(tiktokId))).body).toEqual({ slots: [], next: [] })
    const slots = [{ day: 5, time: '18:00' }, { day: 1, time: '09:00' }, { day: 3, time: '12:30' }, { day: 1, time: '09:00' }]
    const saved = await owner.client.request('PUT', queuePath(tiktokId), { slots })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    expect(saved.body.slots).toEqual([{ day: 1, time: '09:00' }, { day: 3, time: '12:30' }, { day: 5, time: '18:00' }])
    expect(saved.body.next).toHaveLength(5)
    const stored = await db.socialAccount.findUniqueOrThrow({ where: { id: tiktokId } })
    expect(stored.queueSlots).toEqual(saved.body.slots)
    // Each one a slot's day and time on Berlin's wall clock, soonest first.
    const walls = (saved.body.next as string[]).map(instant => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(instant)))
    for (const wall of walls) expect(['Mon 09:00', 'Wed 12:30', 'Fri 18:00']).toContain(wall)
    expect([...saved.body.next].sort()).toEqual(saved.body.next)
    expect(Date.parse(saved.body.next[0])).toBeGreaterThan(Date.now())
  })

  it('skips a slot a post of the account holds, and not one a failed post or another account\'s post is at', async () => {
    const before = (await owner.client.get(queuePath(tiktokId))).body.next as string[]
    const [first, second, third] = before.map(instant => new Date(instant))
    await db.post.createMany({
      data: [
        { workspaceId: owner.workspaceId, socialAccountId: tiktokId, status: 'scheduled', scheduledAt: first, fromQueue: true },
        { workspaceId: owner.workspaceId, socialAccountId: tiktokId, status: 'draft', scheduledAt: third },
        { workspaceId: owner.workspaceId, socialAccountId: tiktokId, status: 'failed', scheduledAt: second },
        { workspaceId: owner.workspaceId, socialAccountId: youtubeId, status: 'scheduled', scheduledAt: second },
      ],
    })
    const after = (await owner.client.get(queuePath(tiktokId))).body.next as string[]
    expect(after).toHaveLength(5)
    expect(after).not.toContain(before[0])
    expect(after).not.toContain(before[2])
    expect(after.slice(0, 3)).toEqual([before[1], before[3], before[4]])
    // A viewer reads the queue too.
    const seen = await viewer.get(queuePath(tiktokId))
    expect(seen.status).toBe(200)
    expect(seen.body.next).toEqual(after)
  })

  it('keeps Monday 09:00 at 09:00 in Berlin across the March change, past a taken slot', async () => {
    const monday = await account(owner.workspaceId, 'tiktok', 'Monday Club')
    await db.socialAccount.update({ where: { id: monday.id }, data: { queueSlots: [{ day: 1, time: '09:00' }] } })
    // 28 March 2027: Berlin moves from UTC+1 to UTC+2. The first Monday after is taken.
    await db.post.create({ data: { workspaceId: owner.workspaceId, socialAccountId: monday.id, status: 'scheduled', scheduledAt: new Date('2027-03-29T07:00:00Z') } })
    const next = await nextQueueTimes(db, { workspaceId: owner.workspaceId, accountId: monday.id, zone: 'Europe/Berlin', from: new Date('2027-03-19T12:00:00Z'), count: 3 })
    expect(next).toEqual(['2027-03-22T08:00:00.000Z', '2027-04-05T07:00:00.000Z', '2027-04-12T07:00:00.000Z'])
    // Eight weeks of one slot a week, one of them taken: seven left.
    expect(await nextQueueTimes(db, { workspaceId: owner.workspaceId, accountId: monday.id, zone: 'Europe/Berlin', from: new Date('2027-03-19T12:00:00Z'), count: 20 })).toHaveLength(7)
  })

  it('asks for queue times first when an account has none', async () => {
    const call = nextQueueTimes(db, { workspaceId: owner.workspaceId, accountId: youtubeId, zone: 'Europe/Berlin', from: new Date(), count: 1 })
    await expect(call).rejects.toMatchObject({ statusCode: 400, message: 'Set queue times for Pastry Lab first (Calendar → Queue).' })
  })

  it('refuses bad slots with a message that names the field', async () => {
    const bad = await owner.client.request('PUT', queuePath(tiktokId), { slots: [{ day: 1, time: '9am' }] })
    expect(bad.status).toBe(400)
    expect(bad.body.statusMessage).toBe('Queue slot time: give a time like 09:00.')
    const day = await owner.client.request('PUT', queuePath(tiktokId), { slots: [{ day: 8, time: '09:00' }] })
    expect(day.status).toBe(400)
    expect(day.body.statusMessage).toMatch(/^Queue slot day: at most 7/)
    expect((await owner.client.request('PUT', queuePath(tiktokId), {})).status).toBe(400)
  })

  it('lets a viewer read but not change the queue', async () => {
    const refused = await viewer.request('PUT', queuePath(tiktokId), { slots: [] })
    expect(refused.status).toBe(403)
    expect(refused.body.statusMessage).toMatch(/editor role or higher/)
    const stored = await db.socialAccount.findUniqueOrThrow({ where: { id: tiktokId } })
    expect(stored.queueSlots).toHaveLength(3)
    expect((await viewer.get(bestPath(tiktokId))).status).toBe(200)
  })

  it('does not find another workspace\'s account, on every route, and leaves it as it was', async () => {
    for (const workspaceId of [owner.workspaceId, other.workspaceId]) {
      for (const [method, path, body] of [['GET', queuePath(other.accountId, workspaceId), undefined], ['PUT', queuePath(other.accountId, workspaceId), { slots: [{ day: 2, time: '10:00' }] }], ['GET', bestPath(other.accountId, workspaceId), undefined]] as const) {
        const response = await owner.client.request(method, path, body)
        expect(response.status, `${method} ${path}`).toBe(404)
        expect(JSON.stringify(response.body)).not.toContain('Other Brand')
      }
    }
    expect((await db.socialAccount.findUniqueOrThrow({ where: { id: other.accountId } })).queueSlots).toEqual([{ day: 1, time: '09:00' }])
  })

  it('suggests the platform default until the account has ten measured posts, then its own best hours', async () => {
    const fresh = await owner.client.get(bestPath(tiktokId))
    expect(fresh.status).toBe(200)
    expect(fresh.body).toMatchObject({ basis: 'default', label: 'platform default (Sprout Social, 2025)', posts: 0, zone: 'Europe/Berlin' })
    expect(fresh.body.slots[0]).toEqual({ day: 3, time: '14:00', score: 0 })
    expect(fresh.body.note).toMatch(/Europe\/Berlin/)

    // Nine posts with numbers two days old: still the default. Six ordinary ones on Thursdays at 10:00 (Berlin),
    // three strong ones on Tuesdays at 18:00.
    const measured = async (wall: string, views: number, ageHours = 48) => {
      const publishedAt = berlin(wall)
      const post = await db.post.create({ data: { workspaceId: owner.workspaceId, socialAccountId: tiktokId, status: 'published', publishedAt, scheduledAt: publishedAt } })
      await db.metricSnapshot.create({ data: { workspaceId: owner.workspaceId, postId: post.id, socialAccountId: tiktokId, ageHours, views: BigInt(views), capturedAt: new Date(publishedAt.getTime() + ageHours * 3_600_000) } })
      return post.id
    }
    for (const day of ['2026-10-01', '2026-10-08', '2026-10-15', '2026-10-22', '2026-10-29', '2026-11-05']) await measured(`${day}T10:00`, 500)
    for (const day of ['2026-10-20', '2026-10-27', '2026-11-03']) await measured(`${day}T18:00`, 50_000)
    // Numbers only 6 hours old, or only after 4 days, do not count.
    await measured('2026-11-10T18:00', 1_000_000, 6)
    await measured('2026-11-12T07:00', 1_000_000, 100)
    const nine = (await owner.client.get(bestPath(tiktokId))).body
    expect(nine).toMatchObject({ basis: 'default', posts: 9 })
    expect(nine.note).toMatch(/1 more published post /)

    // The tenth, whose latest snapshot within 72 h is the one that counts (the 100 h one is past the window).
    const tenth = await measured('2026-11-10T18:00', 100, 24)
    await db.metricSnapshot.create({ data: { workspaceId: owner.workspaceId, postId: tenth, socialAccountId: tiktokId, ageHours: 70, views: 40_000n } })
    await db.metricSnapshot.create({ data: { workspaceId: owner.workspaceId, postId: tenth, socialAccountId: tiktokId, ageHours: 100, views: 1n } })
    const own = (await owner.client.get(bestPath(tiktokId))).body
    expect(own).toMatchObject({ basis: 'own', label: 'from your 10 posts', posts: 10, note: null, zone: 'Europe/Berlin' })
    // Tuesday 18:00 on Berlin's wall clock, on both sides of the October change; Thursday 10:00 is the median.
    expect(own.slots).toHaveLength(1)
    expect(own.slots[0]).toMatchObject({ day: 2, time: '18:00' })
    expect(own.slots[0].score).toBeGreaterThan(0)
  })
})
