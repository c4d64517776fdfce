// Scheduled posts from a CSV and back, on the run's database: a 1,000-row file with five bad rows shows exactly those
// five; the import then writes 995 posts (two accounts per date and time make one post) or none, also when the
// database refuses a row halfway; the DST gap asks for a choice naming both moments; the export reads back in and
// escapes spreadsheet formulas.
import { randomUUID } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { createMailer } from '../../server/services/mail/mailer'
import { createNotifier } from '../../server/services/notifications/notify'
import { postQueues } from '../../server/services/posts/worker'
import type { Actor, ScheduleDeps } from '../../server/services/schedule/create'
import { commitImport, exportCsv, previewImport } from '../../server/services/schedule/csv'
import { placeWallTime } from '../../server/services/schedule/when'
import { createPrisma } from '../support/scratch'
import { postsTestQueues } from '../support/test-queues'

describe(`scheduled posts by CSV on ${inject('databaseKind')}`, () => {
  const names = postsTestQueues(`test_schedule_csv_${inject('databaseKind')}`)
  const now = new Date('2027-01-10T12:00:00Z')
  let db: PrismaClient
  let engine: JobEngine

  const deps = (at = now): ScheduleDeps => ({
    db, jobs: postQueues(engine, { publish: names.publish.name, check: names.check.name }),
    // A public address: the platforms that fetch the video from us could reach it.
    appUrl: 'https://reelwise.example.com',
    app: () => ({ clientId: 'client', clientSecret: 'secret', redirectUri: 'https://reelwise.example.com/accounts/callback' }),
    notify: createNotifier({ db, mailer: createMailer({ smtpUrl: undefined, from: 'Reelwise <csv@reelwise.test>', devOutbox: false }), link: path => new URL(path, 'https://reelwise.example.com').toString() }),
    now: () => at,
  })

  /** A workspace in Berlin with an owner and an editor, a finished render, and a TikTok and an Instagram account. */
  async function workspace(settings: { postsNeedApproval?: boolean } = {}) {
    const row = await db.workspace.create({ data: { name: 'CSV', slug: `csv-${randomUUID()}`, timeZone: 'Europe/Berlin', ...settings } })
    const person = async (role: 'owner' | 'editor') => {
      const user = await db.user.create({ data: { email: `${role}-${randomUUID()}@csv.test`, name: role === 'owner' ? 'Olive' : 'Eddie' } })
      await db.membership.create({ data: { workspaceId: row.id, userId: user.id, role } })
      return { workspaceId: row.id, userId: user.id, role } satisfies Actor
    }
    const video = await db.video.create({ data: { workspaceId: row.id, kind: 'footage', status: 'ready', title: 'Source', storageKey: `ws/${row.id}/videos/${randomUUID()}/source.mp4` } })
    const render = await db.render.create({ data: { workspaceId: row.id, sourceVideoId: video.id, status: 'succeeded', storageKey: `ws/${row.id}/renders/${randomUUID()}/output.mp4`, finishedAt: now } })
    const account = (platform: 'tiktok' | 'instagram', handle: string, displayName: string) => db.socialAccount.create({
      data: { workspaceId: row.id, platform, externalId: `${platform}-${handle}`, handle, displayName, accessTokenEnc: 'v2.test.unused' },
    })
    return {
      id: row.id, owner: await person('owner'), editor: await person('editor'), renderId: render.id,
      tiktok: await account('tiktok', 'chef', 'Chef on TikTok'), instagram: await account('instagram', 'chef.gram', 'Chef on Instagram'),
    }
  }
  type Space = Awaited<ReturnType<typeof workspace>>

  const header = ['date', 'time', 'zone', 'account', 'render', 'caption', 'title', 'tags', 'privacy', 'choice']
  const csvOf = (rows: string[][]) => stringify([header, ...rows])
  const day = (offset: number) => new Date(Date.UTC(2027, 1, 1 + offset)).toISOString().slice(0, 10)

  /**
   * 500 times, each to both accounts (a post of two), spread over 50 days from 1 February 2027. Lines 12, 203, 404,
   * 605 and 806 (the header is line 1) go wrong in five ways.
   */
  function thousandRows(space: Space): { rows: string[][], bad: Record<number, RegExp> } {
    const rows: string[][] = []
    for (let index = 0; index < 1000; index++) {
      const slot = Math.floor(index / 2)
      const tiktok = index % 2 === 0
      rows.push([day(Math.floor(slot / 10)), `${String(8 + (slot % 10)).padStart(2, '0')}:00`, '', tiktok ? 'chef' : 'instagram:@chef.gram', space.renderId, `Post ${slot} #cooking`, '', 'kitchen, knife skills', tiktok ? 'PUBLIC_TO_EVERYONE' : '', ''])
    }
    const line = (number: number) => rows[number - 2]!
    line(12)[1] = '25:00'
    line(203)[3] = 'nobody-we-know'
    line(404)[5] = 'x'.repeat(2201)
    line(605)[4] = randomUUID()
    line(806)[0] = '2027-01-09'
    return {
      rows,
      bad: {
        12: /“25:00” is not a time: write it as HH:mm/,
        203: /No connected account is called “nobody-we-know”/,
        404: /TikTok takes a caption of up to 2,200 characters; this one has 2,201/,
        605: /No render of this workspace has the id/,
        806: /2027-01-09 \d\d:00 \(Europe\/Berlin\) has passed/,
      },
    }
  }

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    engine = await startJobEngine({ connectionString: inject('databaseUrl'), works: false, queues: [names.publish, names.check], handlers: {} })
  }, 60_000)

  afterAll(async () => {
    await engine?.stop()
    await db?.$disconnect()
  })

  it('shows exactly the five bad rows of 1,000, then imports 995 posts or none', async () => {
    const space = await workspace()
    const { rows, bad } = thousandRows(space)
    const csv = csvOf(rows)

    let started = performance.now()
    const preview = await previewImport(deps(), space.owner, csv)
    const previewMs = performance.now() - started
    const withErrors = preview.rows.filter(row => row.errors.length)
    expect(withErrors.map(row => row.line)).toEqual([12, 203, 404, 605, 806])
    for (const row of withErrors) {
      expect(row.errors).toHaveLength(1)
      expect(row.errors[0]).toMatch(bad[row.line]!)
    }
    expect(preview).toMatchObject({ valid: 995, invalid: 5, posts: 500 })
    expect(preview.rows[0]).toMatchObject({ line: 2, date: '2027-02-01', time: '08:00', zone: 'Europe/Berlin', account: 'chef', render: space.renderId, caption: 'Post 0 #cooking', errors: [] })

    // Without leaving the bad rows out: refused with the rows, and nothing written.
    const refused = await commitImport(deps(), space.owner, csv).catch(error => error)
    expect(refused.statusCode).toBe(400)
    expect(refused.message).toMatch(/^Nothing was imported: 5 rows have problems \(line 12, 203, 404, 605, 806\)/)
    expect(refused.data.rows.map((row: { line: number }) => row.line)).toEqual([12, 203, 404, 605, 806])
    expect(await db.post.count({ where: { workspaceId: space.id } })).toBe(0)

    started = performance.now()
    const result = await commitImport(deps(), space.owner, csv, { excludeLines: Object.keys(bad).map(Number) })
    const commitMs = performance.now() - started
    console.info(`[schedule-csv] ${inject('databaseKind')}: 1,000-row preview ${previewMs.toFixed(0)} ms, import of 995 ${commitMs.toFixed(0)} ms`)
    expect(result).toEqual({ created: 995, groups: 500 })
    const posts = await db.post.findMany({ where: { workspaceId: space.id }, orderBy: [{ scheduledAt: 'asc' }, { socialAccountId: 'asc' }] })
    expect(posts).toHaveLength(995)
    const groups = Map.groupBy(posts, post => post.groupId)
    expect(groups.size).toBe(500)
    // The five bad rows leave their partners posting alone.
    expect([...groups.values()].filter(group => group.length === 2)).toHaveLength(495)
    for (const group of groups.values()) {
      expect(new Set(group.map(post => post.scheduledAt!.getTime())).size).toBe(1)
      expect(new Set(group.map(post => post.socialAccountId)).size).toBe(group.length)
    }
    // 1 February, 08:00 in Berlin (winter time) is 07:00 UTC.
    expect(posts[0]).toMatchObject({
      status: 'scheduled', needsApproval: false, scheduledWall: '2027-02-01T08:00', scheduledZone: 'Europe/Berlin',
      scheduledAt: new Date('2027-02-01T07:00:00.000Z'), dueAt: new Date('2027-02-01T07:00:00.000Z'), renderId: space.renderId, createdById: space.owner.userId,
    })
    const tiktokPost = posts.find(post => post.socialAccountId === space.tiktok.id)!
    expect(tiktokPost).toMatchObject({ caption: 'Post 0 #cooking', tags: ['kitchen', 'knife skills'], privacy: 'PUBLIC_TO_EVERYONE' })
  }, 120_000)

  it('writes nothing when the database refuses a row halfway through the import', async () => {
    const space = await workspace()
    const { rows: all, bad } = thousandRows(space)
    const rows = all.slice(0, 900)
    // Past the first slice of 500, so some rows are in before the refusal.
    rows[800]![5] = 'refuse me'
    const kind = inject('databaseKind')
    await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_csv_refuse_${kind}() RETURNS trigger AS $$ BEGIN IF NEW."workspaceId" = '${space.id}' AND NEW.caption = 'refuse me' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`)
    await db.$executeRawUnsafe(`CREATE TRIGGER test_csv_refuse_${kind} BEFORE INSERT ON "Post" FOR EACH ROW EXECUTE FUNCTION test_csv_refuse_${kind}()`)
    try {
      const failed = await commitImport(deps(), space.owner, csvOf(rows), { excludeLines: Object.keys(bad).map(Number) }).catch(error => error)
      expect(String(failed.message)).toMatch(/refused by the test/)
      expect(await db.post.count({ where: { workspaceId: space.id } })).toBe(0)
    }
    finally {
      await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_csv_refuse_${kind} ON "Post"`)
      await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_csv_refuse_${kind}()`)
    }
  }, 120_000)

  it('checks again at import: an account removed after the preview refuses the whole file', async () => {
    const space = await workspace()
    const csv = csvOf([
      ['2027-02-01', '09:00', '', 'chef', space.renderId, 'One', '', '', '', ''],
      ['2027-02-01', '09:00', '', 'instagram:chef.gram', space.renderId, 'One', '', '', '', ''],
    ])
    expect(await previewImport(deps(), space.owner, csv)).toMatchObject({ valid: 2, invalid: 0, posts: 1 })
    await db.socialAccount.delete({ where: { id: space.instagram.id } })
    const refused = await commitImport(deps(), space.owner, csv).catch(error => error)
    expect(refused.statusCode).toBe(400)
    expect(refused.data.rows).toEqual([expect.objectContaining({ line: 3, errors: [expect.stringMatching(/No connected account is called “instagram:chef.gram”/)] })])
    expect(await db.post.count({ where: { workspaceId: space.id } })).toBe(0)
  })

  it('names the other problems a row can have: a second row for one account, an unfinished render, hashtags, reconnecting, an ambiguous name', async () => {
    const space = await workspace()
    const queued = await db.render.create({ data: { workspaceId: space.id, sourceVideoId: (await db.render.findUniqueOrThrow({ where: { id: space.renderId } })).sourceVideoId, status: 'running' } })
    await db.socialAccount.create({ data: { workspaceId: space.id, platform: 'facebook', externalId: 'page-1', handle: null, displayName: 'Chef', accessTokenEnc: 'v2.test.unused', status: 'expired' } })
    await db.socialAccount.create({ data: { workspaceId: space.id, platform: 'youtube', externalId: 'UC1', handle: null, displayName: 'Chef', accessTokenEnc: 'v2.test.unused' } })
    const hashtags = Array.from({ length: 31 }, (_, index) => `#tag${index}`).join(' ')
    const preview = await previewImport(deps(), space.owner, csvOf([
      ['2027-02-01', '09:00', '', 'tiktok:chef', space.renderId, 'First', '', '', '', ''],
      ['2027-02-01', '09:00', '', space.tiktok.id, space.renderId, 'Again', '', '', '', ''],
      ['2027-02-02', '09:00', '', 'tiktok:chef', queued.id, 'Unfinished', '', '', '', ''],
      ['2027-02-03', '09:00', '', 'chef.gram', space.renderId, hashtags, '', '', '', ''],
      ['2027-02-04', '09:00', '', 'facebook:chef', space.renderId, 'Expired', '', '', '', ''],
      ['2027-02-05', '09:00', '', 'Chef', space.renderId, 'Which one', '', '', '', ''],
    ]))
    expect(preview.rows.map(row => row.errors)).toEqual([
      [],
      ['Line 2 already posts this render to TikTok Chef on TikTok at this time. Keep one row per account.'],
      ['That render has not finished. Import this row once it has.'],
      ['Instagram (Chef on Instagram): Instagram takes at most 30 hashtags; this caption has 31.'],
      ['Facebook (Chef): reconnect it on the Accounts page first.'],
      ['“Chef” could be TikTok Chef on TikTok or Facebook Chef or YouTube Chef. Write platform:handle (like tiktok:chef) or the account\'s id.'],
    ])
    expect(preview).toMatchObject({ valid: 1, invalid: 5, posts: 1 })
    // Leaving out the first row, the second is the only one for its account.
    expect((await previewImport(deps(), space.owner, csvOf([
      ['2027-02-01', '09:00', '', 'tiktok:chef', space.renderId, 'First', '', '', '', ''],
      ['2027-02-01', '09:00', '', space.tiktok.id, space.renderId, 'Again', '', '', '', ''],
    ]), { excludeLines: [2] })).rows).toMatchObject([{ line: 2, excluded: true, errors: [] }, { line: 3, excluded: false, errors: [] }])
  })

  it('names both moments of a DST gap, and takes choice=later', async () => {
    const space = await workspace()
    const gap = (choice: string) => csvOf([['2027-03-28', '02:30', 'Europe/Berlin', 'chef', space.renderId, 'Spring', '', '', '', choice]])
    const moments = (() => {
      try {
        placeWallTime('2027-03-28T02:30', 'Europe/Berlin')
      }
      catch (error) {
        return (error as { data: { wallTimeChoice: { options: { label: string }[] } } }).data.wallTimeChoice.options.map(option => option.label)
      }
      throw new Error('02:30 on 28 March 2027 should be in Berlin\'s spring gap')
    })()
    const [row] = (await previewImport(deps(), space.owner, gap(''))).rows
    expect(row!.errors).toHaveLength(1)
    expect(row!.errors[0]).toContain('2027-03-28 02:30 does not exist in Europe/Berlin')
    expect(row!.errors[0]).toContain(`“earlier” for ${moments[0]}`)
    expect(row!.errors[0]).toContain(`“later” for ${moments[1]}`)
    expect(await commitImport(deps(), space.owner, gap('later'))).toEqual({ created: 1, groups: 1 })
    const post = await db.post.findFirstOrThrow({ where: { workspaceId: space.id } })
    // 02:30 does not exist; "later" is 03:30 summer time, 01:30 UTC.
    expect(post).toMatchObject({ scheduledWall: '2027-03-28T02:30', scheduledZone: 'Europe/Berlin', scheduledAt: new Date('2027-03-28T01:30:00.000Z') })
  })

  it('sends a post due within minutes at once, and asks the approvers once for an editor\'s import', async () => {
    const space = await workspace({ postsNeedApproval: true })
    const soon = new Date(Date.now() + 5 * 60_000)
    const wall = (instant: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' }).format(instant).split(' ')
    const [date, time] = wall(new Date(soon.getTime() + 60_000))
    const rows = [
      [date!, time!, '', 'chef', space.renderId, 'Soon', '', '', '', ''],
      ['2027-06-01', '10:00', '', 'chef', space.renderId, 'Later', '', '', '', ''],
      ['2027-06-02', '10:00', '', 'chef', space.renderId, 'Later still', '', '', '', ''],
    ]
    // The owner's posts need no approval: the one due soon gets its publish job now, the others wait for the sweep.
    expect(await commitImport(deps(new Date()), space.owner, csvOf([rows[0]!]))).toEqual({ created: 1, groups: 1 })
    const soonPost = await db.post.findFirstOrThrow({ where: { workspaceId: space.id } })
    expect(await engine.boss.findJobs(names.publish.name, { key: `post:${soonPost.id}`, queued: true })).toHaveLength(1)

    // The editor's import waits for approval: no job, and one notice per approver for the whole file.
    expect(await commitImport(deps(new Date()), space.editor, csvOf(rows.slice(1)))).toEqual({ created: 2, groups: 2 })
    const waiting = await db.post.findMany({ where: { workspaceId: space.id, createdById: space.editor.userId } })
    expect(waiting.every(post => post.needsApproval && !post.approvedAt)).toBe(true)
    for (const post of waiting) expect(await engine.boss.findJobs(names.publish.name, { key: `post:${post.id}`, queued: true })).toHaveLength(0)
    const notices = await db.notification.findMany({ where: { workspaceId: space.id, kind: 'post_needs_approval' } })
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ userId: space.owner.userId, groupId: waiting.find(post => post.caption === 'Later')!.groupId })
    await engine.boss.deleteJob(names.publish.name, (await engine.boss.findJobs(names.publish.name, { key: `post:${soonPost.id}` })).map(job => job.id))
  })

  it('exports a window that imports back, with formulas escaped', async () => {
    const space = await workspace()
    const formula = '=HYPERLINK("https://evil.example","Click")'
    const imported = csvOf([
      ['2027-02-03', '18:00', '', 'chef', space.renderId, formula, '', '', 'SELF_ONLY', ''],
      ['2027-02-03', '18:00', '', 'chef.gram', space.renderId, '-5 knife mistakes', '', 'kitchen', '', ''],
      // Berlin's autumn overlap: the second 02:30 (winter time).
      ['2027-10-31', '02:30', '', 'chef', space.renderId, 'Overlap', '', '', '', 'later'],
      ['2027-03-01', '07:15', 'America/New_York', 'chef', space.renderId, 'From New York', '', '', '', ''],
    ])
    expect(await commitImport(deps(), space.owner, imported)).toEqual({ created: 4, groups: 3 })
    const published = await db.post.findFirstOrThrow({ where: { workspaceId: space.id, caption: '-5 knife mistakes' } })
    await db.post.update({ where: { id: published.id }, data: { status: 'published', permalink: 'https://instagram.example/p/1', publishedAt: now } })

    const text = await exportCsv(db, space.id, { from: '2027-02-01T00:00:00Z', to: '2027-11-01T00:00:00Z' })
    const cells = parse(text, { bom: true }) as string[][]
    expect(cells[0]).toEqual([...header, 'state', 'permalink', 'error'])
    // Two accounts at one time come in either order.
    const byTimeAndAccount = cells.slice(1).sort((a, b) => `${a[0]} ${a[1]} ${a[3]}`.localeCompare(`${b[0]} ${b[1]} ${b[3]}`))
    expect(byTimeAndAccount.map(row => [row[0], row[1], row[2], row[3], row[5], row[9], row[10], row[11]])).toEqual([
      ['2027-02-03', '18:00', 'Europe/Berlin', 'instagram:chef.gram', '\'-5 knife mistakes', '', 'published', 'https://instagram.example/p/1'],
      ['2027-02-03', '18:00', 'Europe/Berlin', 'tiktok:chef', `'${formula}`, '', 'scheduled', ''],
      ['2027-03-01', '07:15', 'America/New_York', 'tiktok:chef', 'From New York', '', 'scheduled', ''],
      ['2027-10-31', '02:30', 'Europe/Berlin', 'tiktok:chef', 'Overlap', 'later', 'scheduled', ''],
    ])

    // Into a fresh workspace with the same accounts: only its render is unknown there; with its own render, nothing is wrong.
    const fresh = await workspace()
    const asIs = await previewImport(deps(), fresh.owner, text)
    expect(asIs.invalid).toBe(4)
    for (const row of asIs.rows) expect(row.errors).toEqual([expect.stringMatching(/No render of this workspace has the id/)])
    const withRender = await previewImport(deps(), fresh.owner, text.replaceAll(space.renderId, fresh.renderId))
    expect(withRender).toMatchObject({ valid: 4, invalid: 0, posts: 3 })
    expect(await commitImport(deps(), fresh.owner, text.replaceAll(space.renderId, fresh.renderId))).toEqual({ created: 4, groups: 3 })
    const copies = await db.post.findMany({ where: { workspaceId: fresh.id }, orderBy: { caption: 'asc' } })
    const originals = await db.post.findMany({ where: { workspaceId: space.id }, orderBy: { caption: 'asc' } })
    const kept = (post: typeof copies[number]) => [post.caption, post.scheduledAt, post.scheduledWall, post.scheduledZone, post.tags, post.privacy]
    expect(copies.map(kept)).toEqual(originals.map(kept))
    expect(copies.map(post => post.caption)).toContain(formula)
  })
})
