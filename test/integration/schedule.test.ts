// Scheduling through the calendar's services on the run's database, with the real pg-boss queue and the loopback
// TikTok: wall-clock times across DST changes (one-off and recurring, the gap and the overlap), moving and deleting
// (the waiting job follows), approvals (an unapproved post never reaches the platform), the late window, the sweep
// that sends due posts ahead of time, the render that cannot go while a post uses it, and the notifications.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { ScheduleInput } from '../../shared/calendar'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { createMailer } from '../../server/services/mail/mailer'
import { createNotifier, notifySettledPosts } from '../../server/services/notifications/notify'
import { listNotifications } from '../../server/services/notifications/inbox'
import { platformApp } from '../../server/services/platforms'
import { runCheck } from '../../server/services/posts/check'
import { runPublish, type PostWorkerDeps } from '../../server/services/posts/publish'
import { sweepPosts } from '../../server/services/posts/sweep'
import { postQueues } from '../../server/services/posts/worker'
import { schedulePost, type Actor, type ScheduleDeps } from '../../server/services/schedule/create'
import { calendarWindow } from '../../server/services/schedule/entries'
import { reviewByLink, reviewPost } from '../../server/services/schedule/review'
import { createEvergreen } from '../../server/services/schedule/evergreen'
import { extendSeries } from '../../server/services/schedule/series'
import { deleteScheduled, updateScheduled } from '../../server/services/schedule/update'
import { createSecretBox } from '../../server/services/security/secrets'
import { deleteRender } from '../../server/services/studio/renders'
import { startFakeTiktok, type FakeTiktok } from '../support/fake-tiktok'
import { generateClip } from '../support/media'
import { storedRender, tiktokAccountRow, tiktokAppFor } from '../support/publish-accounts'
import { createPrisma } from '../support/scratch'
import { startSignedMediaServer, type SignedMediaServer } from '../support/signed-media-server'
import { linkIn, startLoopbackSmtp, type LoopbackSmtp } from '../support/smtp'
import { postsTestQueues } from '../support/test-queues'

describe(`scheduling on ${inject('databaseKind')}`, () => {
  const box = createSecretBox([randomBytes(32).toString('hex')])
  const names = postsTestQueues(`test_schedule_${inject('databaseKind')}`)
  let dir: string
  let db: PrismaClient
  let engine: JobEngine
  let media: SignedMediaServer
  let tiktok: FakeTiktok
  let smtp: LoopbackSmtp
  let clipPath: string
  let notifier: ReturnType<typeof createNotifier>

  const app = (platform: Parameters<ScheduleDeps['app']>[0]) => platformApp({ youtube: undefined, instagram: undefined, facebook: undefined, tiktok: tiktokAppFor(tiktok) }, media.url, platform)
  const jobs = () => postQueues(engine, { publish: names.publish.name, check: names.check.name })
  const deps = (now?: Date): ScheduleDeps => ({ db, jobs: jobs(), appUrl: media.url, app, notify: notifier, now: now ? () => now : undefined })
  const worker = (now?: Date): PostWorkerDeps => ({ db, box, store: media.store, scratchDir: join(dir, 'tmp'), app, ...jobs(), now: now ? () => now : undefined })
  const waiting = async (postId: string) => engine.boss.findJobs(names.publish.name, { key: `post:${postId}`, queued: true })

  /** A workspace in `zone` with an owner, an editor, a finished render and a TikTok account. */
  async function workspace(zone = 'Europe/Berlin', settings: { postsNeedApproval?: boolean } = {}) {
    const row = await db.workspace.create({ data: { name: 'Calendar', slug: `calendar-${randomUUID()}`, timeZone: zone, ...settings } })
    const person = async (role: 'owner' | 'editor', name: string) => {
      const user = await db.user.create({ data: { email: `${name.toLowerCase()}-${randomUUID()}@calendar.test`, name } })
      await db.membership.create({ data: { workspaceId: row.id, userId: user.id, role } })
      return { workspaceId: row.id, userId: user.id, role, email: user.email } satisfies Actor & { email: string }
    }
    const owner = await person('owner', 'Olive')
    const editor = await person('editor', 'Eddie')
    const renderId = await storedRender(db, media.store, row.id, clipPath)
    const account = await tiktokAccountRow(db, box, row.id, tiktokAppFor(tiktok))
    return { id: row.id, zone, owner, editor, renderId, accountId: account.id }
  }
  type Space = Awaited<ReturnType<typeof workspace>>
  const input = (space: Space, when: ScheduleInput['when'], extra: Partial<ScheduleInput> = {}): ScheduleInput => ({
    renderId: space.renderId, when,
    targets: [{ accountId: space.accountId, caption: 'Three knife mistakes #cooking', title: null, tags: [], privacy: 'PUBLIC_TO_EVERYONE', options: {} }],
    ...extra,
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-schedule-'))
    db = createPrisma(inject('databaseUrl'))
    engine = await startJobEngine({ connectionString: inject('databaseUrl'), works: false, queues: [names.publish, names.check], handlers: {} })
    media = await startSignedMediaServer(join(dir, 'media'))
    tiktok = await startFakeTiktok({ redirectUri: `${media.url}/accounts/callback/tiktok`, processingPolls: 0, moderationPolls: 0 })
    smtp = await startLoopbackSmtp()
    notifier = createNotifier({ db, mailer: createMailer({ smtpUrl: smtp.url, from: 'Reelwise <calendar@reelwise.test>', devOutbox: false }), link: path => new URL(path, 'http://reelwise.test').toString() })
    clipPath = (await generateClip(join(dir, 'clip.mp4'), { width: 360, height: 640, fps: 30, shots: [2, 2], audio: [{ tone: -16, seconds: 4 }] })).path
  }, 60_000)

  afterAll(async () => {
    await engine?.stop()
    await tiktok?.close()
    await media?.close()
    await smtp?.close()
    await db?.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  describe('wall-clock times across DST', () => {
    const cases = [
      // Spring forward: 02:00 → 03:00. The same wall time a day apart is an hour closer in UTC.
      { zone: 'Europe/Berlin', now: '2027-03-20T12:00:00Z', before: ['2027-03-27T09:00', '2027-03-27T08:00:00.000Z'], after: ['2027-03-28T09:00', '2027-03-28T07:00:00.000Z'], gap: '2027-03-28T02:30', gapLater: '2027-03-28T01:30:00.000Z', overlap: '2027-10-31T02:30', overlapEarlier: '2027-10-31T00:30:00.000Z', overlapLater: '2027-10-31T01:30:00.000Z' },
      { zone: 'America/New_York', now: '2027-03-01T12:00:00Z', before: ['2027-03-13T09:00', '2027-03-13T14:00:00.000Z'], after: ['2027-03-14T09:00', '2027-03-14T13:00:00.000Z'], gap: '2027-03-14T02:30', gapLater: '2027-03-14T07:30:00.000Z', overlap: '2027-11-07T01:30', overlapEarlier: '2027-11-07T05:30:00.000Z', overlapLater: '2027-11-07T06:30:00.000Z' },
      // The southern hemisphere: summer time ends in April, starts in October.
      { zone: 'Australia/Sydney', now: '2027-03-20T00:00:00Z', before: ['2027-04-03T09:00', '2027-04-02T22:00:00.000Z'], after: ['2027-04-04T09:00', '2027-04-03T23:00:00.000Z'], gap: '2027-10-03T02:30', gapLater: '2027-10-02T16:30:00.000Z', overlap: '2027-04-04T02:30', overlapEarlier: '2027-04-03T15:30:00.000Z', overlapLater: '2027-04-03T16:30:00.000Z' },
    ]

    it.each(cases)('places one-off posts in $zone on the wall clock, and asks about the gap and the overlap', async (zone) => {
      const space = await workspace(zone.zone)
      const now = new Date(zone.now)
      for (const [wall, instant] of [zone.before, zone.after]) {
        const { entry } = await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: wall!, zone: zone.zone }))
        expect(entry).toMatchObject({ start: instant, wall, zone: zone.zone, state: 'scheduled' })
      }
      // The gap: refused without a choice, with both moments to choose from; nothing written.
      const before = await db.post.count({ where: { workspaceId: space.id } })
      const gap = await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: zone.gap, zone: zone.zone })).catch(error => error)
      expect(gap.statusCode).toBe(409)
      expect(gap.message).toMatch(/does not exist/)
      expect(gap.data.wallTimeChoice).toMatchObject({ kind: 'gap', wall: zone.gap, zone: zone.zone })
      expect(gap.data.wallTimeChoice.options.map((option: { choice: string }) => option.choice)).toEqual(['earlier', 'later'])
      expect(await db.post.count({ where: { workspaceId: space.id } })).toBe(before)
      const later = await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: zone.gap, zone: zone.zone, choice: 'later' }))
      expect(later.entry.start).toBe(zone.gapLater)
      // The overlap: both readings offered; each choice is the moment it names.
      const overlap = await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: zone.overlap, zone: zone.zone })).catch(error => error)
      expect(overlap.statusCode).toBe(409)
      expect(overlap.data.wallTimeChoice.options.map((option: { instant: string }) => option.instant)).toEqual([zone.overlapEarlier, zone.overlapLater])
      expect((await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: zone.overlap, zone: zone.zone, choice: 'earlier' }))).entry.start).toBe(zone.overlapEarlier)
      expect((await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: zone.overlap, zone: zone.zone, choice: 'later' }))).entry.start).toBe(zone.overlapLater)
    })

    it.each(cases)('repeats "09:00 every day" in $zone at 09:00 on both sides of the change', async (zone) => {
      const space = await workspace(zone.zone)
      const now = new Date(zone.now)
      const { groupIds } = await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: zone.before[0]!, zone: zone.zone }, { repeat: { rule: 'FREQ=DAILY;COUNT=3' } }))
      expect(groupIds).toHaveLength(3)
      const posts = await db.post.findMany({ where: { workspaceId: space.id }, orderBy: { scheduledAt: 'asc' } })
      expect(posts.map(post => post.scheduledWall!.slice(11))).toEqual(['09:00', '09:00', '09:00'])
      expect(posts[0]!.scheduledAt!.toISOString()).toBe(zone.before[1])
      expect(posts[1]!.scheduledAt!.toISOString()).toBe(zone.after[1])
      expect(new Set(posts.map(post => post.seriesId)).size).toBe(1)
      expect(new Set(posts.map(post => post.groupId)).size).toBe(3)
    })

    it('moves "this and following" of a weekly series to 10:00, and 10:00 holds across the change; earlier ones stay', async () => {
      const space = await workspace('Europe/Berlin')
      const now = new Date('2027-03-01T12:00:00Z')
      // Mondays 09:00 from 15 March: 15, 22, 29 March (after the change), 5 April.
      const { groupIds } = await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: '2027-03-15T09:00', zone: 'Europe/Berlin' }, { repeat: { rule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=4' } }))
      expect(groupIds).toHaveLength(4)
      await updateScheduled(deps(now), space.owner, groupIds[1]!, { when: { kind: 'at', wall: '2027-03-22T10:00', zone: 'Europe/Berlin' }, scope: 'following' })
      const posts = await db.post.findMany({ where: { workspaceId: space.id }, orderBy: { scheduledAt: 'asc' } })
      expect(posts.map(post => post.scheduledWall)).toEqual(['2027-03-15T09:00', '2027-03-22T10:00', '2027-03-29T10:00', '2027-04-05T10:00'])
      expect(posts.map(post => post.scheduledAt!.toISOString())).toEqual(['2027-03-15T08:00:00.000Z', '2027-03-22T09:00:00.000Z', '2027-03-29T08:00:00.000Z', '2027-04-05T08:00:00.000Z'])
      const series = await db.postSeries.findFirstOrThrow({ where: { workspaceId: space.id } })
      expect(series.startWall).toBe('2027-03-15T10:00')
      // "This one" moves one occurrence a day later; the others keep their place.
      await updateScheduled(deps(now), space.owner, groupIds[2]!, { when: { kind: 'at', wall: '2027-03-30T10:00', zone: 'Europe/Berlin' }, scope: 'this' })
      expect((await db.post.findMany({ where: { workspaceId: space.id }, orderBy: { scheduledAt: 'asc' } })).map(post => post.scheduledWall))
        .toEqual(['2027-03-15T09:00', '2027-03-22T10:00', '2027-03-30T10:00', '2027-04-05T10:00'])
      // Deleting "this and following" from the second leaves the first.
      expect(await deleteScheduled(deps(now), space.owner, groupIds[1]!, 'following')).toEqual({ deleted: 3, canceled: 0, kept: 0 })
      expect((await db.post.findMany({ where: { workspaceId: space.id } })).map(post => post.scheduledWall)).toEqual(['2027-03-15T09:00'])
      expect((await db.postSeries.findFirstOrThrow({ where: { workspaceId: space.id } })).endedAt).not.toBeNull()
    })

    it('makes a long series\' later occurrences as time moves on, keeping 09:00 and the approval, and ends it when the rule is used up', async () => {
      const space = await workspace('Europe/Berlin')
      const now = new Date('2027-01-04T06:00:00Z')
      // Mondays 09:00, 20 times: 13 fall within 90 days, the rest come later.
      const { groupIds } = await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: '2027-01-04T09:00', zone: 'Europe/Berlin' }, { repeat: { rule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=20' } }))
      expect(groupIds).toHaveLength(13)
      const series = await db.postSeries.findFirstOrThrow({ where: { workspaceId: space.id } })
      // A month later: five more Mondays come within the horizon (to 3 May), after the March change, at 09:00.
      const month = new Date(now.getTime() + 30 * 86_400_000)
      // (The sweep extends every workspace's series; this test counts its own.)
      await extendSeries(db, jobs(), month)
      const posts = await db.post.findMany({ where: { seriesId: series.id }, orderBy: { scheduledAt: 'asc' } })
      expect(posts).toHaveLength(18)
      expect(new Set(posts.map(post => post.scheduledWall!.slice(11)))).toEqual(new Set(['09:00']))
      expect(posts.at(-1)!.scheduledAt!.toISOString()).toBe('2027-05-03T07:00:00.000Z')
      expect(posts.at(-1)!.approvedAt).toBeNull()
      // Run again the same day: nothing new.
      await extendSeries(db, jobs(), month)
      expect(await db.post.count({ where: { seriesId: series.id } })).toBe(18)
      // Half a year later: the last two, then the series is over.
      const later = new Date(now.getTime() + 200 * 86_400_000)
      await extendSeries(db, jobs(), later)
      expect(await db.post.count({ where: { seriesId: series.id } })).toBe(20)
      await extendSeries(db, jobs(), later)
      expect(await db.post.count({ where: { seriesId: series.id } })).toBe(20)
      expect((await db.postSeries.findUniqueOrThrow({ where: { id: series.id } })).endedAt).not.toBeNull()
    })

    it('refuses a time that has passed, and a repeat without an end', async () => {
      const space = await workspace('Europe/Berlin')
      const now = new Date('2027-03-20T12:00:00Z')
      await expect(schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: '2027-03-19T09:00', zone: 'Europe/Berlin' }))).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/has passed/) })
      const { scheduleInput } = await import('../../shared/calendar')
      const parsed = scheduleInput.safeParse({ ...input(space, { kind: 'at', wall: '2027-03-21T09:00', zone: 'Europe/Berlin' }), repeat: { rule: 'FREQ=WEEKLY' } })
      expect(parsed.success).toBe(false)
      expect(parsed.error!.issues[0]!.message).toMatch(/Give the repeat an end/)
    })
  })

  describe('the publish job', () => {
    it('is queued ahead with startAfter only when due soon, moves with the post, and goes when it is deleted', async () => {
      const space = await workspace('UTC')
      const soon = new Date(Date.now() + 5 * 60_000)
      const wall = soon.toISOString().slice(0, 16)
      const { entry } = await schedulePost(deps(), space.owner, input(space, { kind: 'at', wall, zone: 'UTC' }))
      const postId = entry.targets[0]!.postId
      let queued = await waiting(postId)
      expect(queued).toHaveLength(1)
      expect(queued[0]!.startAfter.toISOString()).toBe(`${wall}:00.000Z`)

      // A day later: the waiting job is canceled; the sweep sends it again when it comes near.
      const tomorrow = new Date(soon.getTime() + 86_400_000).toISOString().slice(0, 16)
      await updateScheduled(deps(), space.owner, entry.groupId, { when: { kind: 'at', wall: tomorrow, zone: 'UTC' }, scope: 'this' })
      expect(await waiting(postId)).toHaveLength(0)
      await sweepPosts(db, jobs())
      expect(await waiting(postId)).toHaveLength(0)
      await sweepPosts(db, jobs(), new Date(Date.now() + 86_400_000 - 60_000))
      queued = await waiting(postId)
      expect(queued).toHaveLength(1)
      expect(queued[0]!.startAfter.toISOString()).toBe(`${tomorrow}:00.000Z`)
      // A second sweep sends nothing more: the job's singleton key holds.
      await sweepPosts(db, jobs(), new Date(Date.now() + 86_400_000 - 30_000))
      expect(await waiting(postId)).toHaveLength(1)

      expect(await deleteScheduled(deps(), space.owner, entry.groupId, 'this')).toEqual({ deleted: 1, canceled: 0, kept: 0 })
      expect(await waiting(postId)).toHaveLength(0)
      expect(await db.post.count({ where: { id: postId } })).toBe(0)
    })

    it('publishes a post up to the late limit, marked late; past it, fails with "missed its window" and sends nothing', async () => {
      const space = await workspace('UTC')
      await db.workspace.update({ where: { id: space.id }, data: { lateLimitMinutes: 30 } })
      const at = new Date(Date.now() + 60_000)
      const make = async () => (await schedulePost(deps(), space.owner, input(space, { kind: 'at', wall: at.toISOString().slice(0, 16), zone: 'UTC' }))).entry.targets[0]!.postId

      const late = await make()
      const lateNow = new Date(at.getTime() + 10 * 60_000)
      expect((await runPublish(worker(lateNow), { workspaceId: space.id, postId: late })).outcome).toBe('processing')
      expect(await runCheck(worker(lateNow), { workspaceId: space.id, postId: late })).toMatchObject({ outcome: 'published' })
      const published = await db.post.findUniqueOrThrow({ where: { id: late } })
      expect(published.status).toBe('published')
      expect(published.lateSeconds).toBeGreaterThanOrEqual(9 * 60)

      const missed = await make()
      const posted = tiktok.posts
      const inits = tiktok.server.count('init')
      expect(await runPublish(worker(new Date(at.getTime() + 45 * 60_000)), { workspaceId: space.id, postId: missed })).toEqual({ outcome: 'failed: missed its window' })
      const failed = await db.post.findUniqueOrThrow({ where: { id: missed }, include: { attempts: true } })
      expect(failed.status).toBe('failed')
      expect(failed.error).toMatch(/^It missed its window: publishing could not start until 4[4-6] minutes after its time, past this workspace's limit of 30 minutes/)
      expect(failed.attempts).toHaveLength(0)
      expect(tiktok.server.count('init')).toBe(inits)
      expect(tiktok.posts).toBe(posted)
    })

    it('never claims a post before its time (a job left from before it moved later)', async () => {
      const space = await workspace('UTC')
      const wall = new Date(Date.now() + 60 * 60_000).toISOString().slice(0, 16)
      const { entry } = await schedulePost(deps(), space.owner, input(space, { kind: 'at', wall, zone: 'UTC' }))
      const data = { workspaceId: space.id, postId: entry.targets[0]!.postId }
      expect((await runPublish(worker(), data)).outcome).toMatch(/^skipped/)
      expect((await db.post.findUniqueOrThrow({ where: { id: data.postId } })).status).toBe('scheduled')
    })
  })

  describe('approvals', () => {
    it('holds an editor\'s post until an admin approves it: never claimed, never sent, even past its time', async () => {
      const space = await workspace('Europe/Berlin', { postsNeedApproval: true })
      const wall = new Date(Date.now() + 2 * 60_000)
      const zoned = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' }).format(wall).replace(' ', 'T')
      const { entry } = await schedulePost(deps(), space.editor, input(space, { kind: 'at', wall: zoned, zone: 'Europe/Berlin' }))
      expect(entry).toMatchObject({ state: 'waiting_approval', needsApproval: true, approvedAt: null })
      const postId = entry.targets[0]!.postId
      // No job was queued, the sweep sends none, and a stray job's claim refuses it, past its time.
      expect(await waiting(postId)).toHaveLength(0)
      await sweepPosts(db, jobs(), new Date(Date.now() + 5 * 60_000))
      expect(await waiting(postId)).toHaveLength(0)
      const inits = tiktok.server.count('init')
      expect((await runPublish(worker(new Date(Date.now() + 5 * 60_000)), { workspaceId: space.id, postId })).outcome).toMatch(/^skipped/)
      expect(tiktok.server.count('init')).toBe(inits)
      // The admin was told, in the app and by mail with a link.
      const mail = await smtp.waitFor(space.owner.email)
      expect(mail.subject).toMatch(/Eddie asks you to approve a post/)
      expect(linkIn(mail, '/approve/').token.length).toBeGreaterThan(20)
      expect((await listNotifications(db, space.id, space.owner.userId)).notifications[0]).toMatchObject({ kind: 'post_needs_approval', groupId: entry.groupId, read: false })
      // The calendar's filter finds it as waiting.
      const window = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() }
      expect((await calendarWindow(db, space.id, { ...window, state: 'waiting_approval' })).entries.map(each => each.groupId)).toEqual([entry.groupId])
      expect((await calendarWindow(db, space.id, { ...window, state: 'scheduled' })).entries).toEqual([])
      // Unfiltered, the month's one joined read gives the same entry, its account, render and author included.
      const month = (await calendarWindow(db, space.id, window)).entries
      expect(month).toEqual([entry])
      expect(month[0]).toMatchObject({ author: { name: 'Eddie' }, renderName: expect.stringContaining('·'), targets: [{ account: { platform: 'tiktok' } }] })

      // Rejected: back to draft with the comment, and its author hears why.
      const rejected = await reviewPost(deps(), space.owner, entry.groupId, { decision: 'reject', comment: 'Say where the knives are from.' })
      expect(rejected).toMatchObject({ state: 'draft', reviewComment: 'Say where the knives are from.' })
      expect((await smtp.waitFor(space.editor.email)).text).toMatch(/Say where the knives are from\./)
      // Sent again by its author: waiting again. Approved through the mailed link: it goes.
      const again = await updateScheduled(deps(), space.editor, entry.groupId, { when: { kind: 'at', wall: zoned, zone: 'Europe/Berlin' }, scope: 'this' })
      expect(again.state).toBe('waiting_approval')
      const link = linkIn(await smtp.waitFor(space.owner.email, 2), '/approve/')
      const approved = await reviewByLink(deps(), link.token, { decision: 'approve', comment: '' })
      expect(approved.state).toBe('scheduled')
      expect(approved.approvedAt).not.toBeNull()
      await expect(reviewByLink(deps(), link.token, { decision: 'approve', comment: '' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/already been used/) })
      expect(await waiting(postId)).toHaveLength(1)
      // At its time, it publishes once; the author is told, once.
      const due = new Date(wall.getTime() + 1000)
      expect((await runPublish(worker(due), { workspaceId: space.id, postId })).outcome).toBe('processing')
      expect((await runCheck(worker(due), { workspaceId: space.id, postId })).outcome).toBe('published')
      expect(await notifySettledPosts(db, notifier)).toBeGreaterThanOrEqual(1)
      await notifySettledPosts(db, notifier)
      const told = (await listNotifications(db, space.id, space.editor.userId)).notifications.filter(each => each.kind === 'post_published')
      expect(told).toHaveLength(1)
      expect(told[0]!.title).toBe('Your post is live on TikTok')
    })

    it('approves a post whose time passed while it waited: it goes now instead of missing its window', async () => {
      const space = await workspace('UTC', { postsNeedApproval: true })
      const wall = new Date(Date.now() + 60_000).toISOString().slice(0, 16)
      const { entry } = await schedulePost(deps(), space.editor, input(space, { kind: 'at', wall, zone: 'UTC' }))
      const later = new Date(Date.now() + 3 * 3_600_000)
      const approved = await reviewPost(deps(later), space.owner, entry.groupId, { decision: 'approve', comment: 'Fine.' })
      expect(approved.start).toBe(later.toISOString())
      expect((await runPublish(worker(later), { workspaceId: space.id, postId: entry.targets[0]!.postId })).outcome).toBe('processing')
    })

    it('lets an expired or foreign link do nothing', async () => {
      const space = await workspace('UTC', { postsNeedApproval: true })
      const wall = new Date(Date.now() + 10 * 60_000).toISOString().slice(0, 16)
      await schedulePost(deps(), space.editor, input(space, { kind: 'at', wall, zone: 'UTC' }))
      const link = linkIn(await smtp.waitFor(space.owner.email), '/approve/')
      await expect(reviewByLink(deps(new Date(Date.now() + 73 * 3_600_000)), link.token, { decision: 'approve', comment: '' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/expired/) })
      await expect(reviewByLink(deps(), 'x'.repeat(43), { decision: 'approve', comment: '' })).rejects.toMatchObject({ statusCode: 404 })
      // The approver lost the role since: the link no longer approves.
      await db.membership.update({ where: { workspaceId_userId: { workspaceId: space.id, userId: space.owner.userId } }, data: { role: 'editor' } })
      await expect(reviewByLink(deps(), link.token, { decision: 'approve', comment: '' })).rejects.toMatchObject({ statusCode: 403 })
    })
  })

  it('rotates evergreen renders with their captions, keeps the gap, goes on as time moves, and stops when deleted', async () => {
    const space = await workspace('Europe/Berlin')
    const second = await storedRender(db, media.store, space.id, clipPath)
    const now = new Date('2027-01-04T06:00:00Z')
    // Tuesdays and Thursdays 18:00; two renders; the same render at most every 5 days.
    const { seriesId, groupIds } = await createEvergreen(deps(now), space.owner, {
      items: [{ renderId: space.renderId, caption: 'Knife skills #cooking', title: null }, { renderId: second, caption: 'Onion trick #cooking', title: null }],
      targets: [{ accountId: space.accountId, privacy: 'PUBLIC_TO_EVERYONE', options: {}, tags: [] }],
      rule: 'FREQ=WEEKLY;BYDAY=TU,TH', start: { wall: '2027-01-05T18:00', zone: 'Europe/Berlin' }, minGapDays: 5,
    })
    const posts = await db.post.findMany({ where: { seriesId }, orderBy: { scheduledAt: 'asc' } })
    expect(posts.length).toBe(groupIds.length)
    expect(posts.length).toBeGreaterThan(20)
    expect(posts.slice(0, 4).map(post => post.caption)).toEqual(['Knife skills #cooking', 'Onion trick #cooking', 'Knife skills #cooking', 'Onion trick #cooking'])
    expect(new Set(posts.map(post => post.scheduledWall!.slice(11)))).toEqual(new Set(['18:00']))
    // No render twice within 5 days.
    for (const renderId of [space.renderId, second]) {
      const times = posts.filter(post => post.renderId === renderId).map(post => post.scheduledAt!.getTime())
      for (let index = 1; index < times.length; index++) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(5 * 86_400_000)
    }
    // A month on, the rotation continues where it left off.
    const last = posts.at(-1)!
    await extendSeries(db, jobs(), new Date(now.getTime() + 30 * 86_400_000))
    const next = await db.post.findFirstOrThrow({ where: { seriesId, scheduledAt: { gt: last.scheduledAt! } }, orderBy: { scheduledAt: 'asc' } })
    expect(next.renderId).not.toBe(last.renderId)
    // Deleting "this and following" from a post ends the rotation: the sweep makes no more.
    const count = await db.post.count({ where: { seriesId } })
    await deleteScheduled(deps(now), space.owner, next.groupId!, 'following')
    await extendSeries(db, jobs(), new Date(now.getTime() + 60 * 86_400_000))
    expect(await db.post.count({ where: { seriesId } })).toBeLessThan(count)
    expect(await db.post.count({ where: { seriesId, scheduledAt: { gte: next.scheduledAt! } } })).toBe(0)
  })

  it('keeps a render that a post uses, and says which posts', async () => {
    const space = await workspace('Europe/Berlin')
    const now = new Date('2027-03-20T12:00:00Z')
    await schedulePost(deps(now), space.owner, input(space, { kind: 'at', wall: '2027-03-28T09:00', zone: 'Europe/Berlin' }))
    // The render is finished, so deleting it would cancel no job.
    const refused = await deleteRender({ db, store: media.store, jobs: { send: async () => null, cancel: async () => {} } }, space.id, space.renderId).catch(error => error)
    expect(refused.statusCode).toBe(409)
    expect(refused.message).toBe('This render is used by a post for 28 Mar 2027, 09:00 (TikTok). Delete those posts or pick another render for them in the Calendar first.')
    expect(await db.render.count({ where: { id: space.renderId } })).toBe(1)
  })
})
