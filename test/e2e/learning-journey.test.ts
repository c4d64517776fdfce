// The learning loop end to end: a creator connects YouTube, renders two variants of one edit (a 20 s cut and a 10 s
// cut), publishes both, and two days later their numbers come back through the real metrics sweep and pulls (the
// loopback YouTube's counters are moved, and the posts' publishing time is moved two days back in the database: the
// only time travel). The Analytics page and its experiment view show the new posteriors; with exploration set to 0 on
// that page, the next script batch follows the winning length and cites its evidence.
// The account's six earlier posts (its usual level) are rows written straight into the database, as if pulled weeks ago.
import { randomUUID } from 'node:crypto'
import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { queues } from '../../server/services/jobs/registry'
import { ApiClient } from '../support/api'
import { freePort, type RunningApp } from '../support/app-server'
import { closeAppInChromium, openAppInChromium, signUpFirstAccount, waitForHydration } from '../support/browser'
import { startFakeYoutube, type FakeYoutube } from '../support/fake-youtube'
import { generateClip } from '../support/media'
import { createScratchPostgres, type ScratchDatabase } from '../support/postgres'
import { createPrisma } from '../support/scratch'
import { TusTestClient } from '../support/tus'

const person = { name: 'Lena Learner', email: 'lena@example.test', password: 'learning-password-1' }
const desktop = { width: 1440, height: 900 }
const mobile = { width: 390, height: 844 }
const shots = process.env.E2E_SCREENSHOTS
const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('from published variants to the next script, in a browser', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  let database: ScratchDatabase
  let db: PrismaClient
  let sender: JobEngine
  let youtube: FakeYoutube
  let api: ApiClient
  let workspaceId: string
  const pageErrors: string[] = []
  const posts: Record<'long' | 'short', string> = { long: '', short: '' }

  const noSideScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)
  const screenshot = async (name: string) => {
    if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-learning-'))
    // PostgreSQL, not the embedded database: the test moves the posts' publishing time and sends the sweep's job.
    database = await createScratchPostgres('reelwise_e2e_learning')
    const port = await freePort()
    const appUrl = `http://127.0.0.1:${port}`
    youtube = await startFakeYoutube({ id: 'yt-learn-client', secret: 'yt-learn-secret', redirectUri: `${appUrl}/accounts/callback/youtube` })
    youtube.setChannels([{ id: 'UC-lena-cooks', title: 'Lena Cooks', customUrl: '@lenacooks' }])
    youtube.script.processingPolls = 0
    ;({ app, browser, page } = await openAppInChromium({
      DATA_DIR: dataDir, PORT: String(port), APP_URL: appUrl, DATABASE_URL: database.url,
      YOUTUBE_CLIENT_ID: 'yt-learn-client', YOUTUBE_CLIENT_SECRET: 'yt-learn-secret', YOUTUBE_BASE_URL: youtube.url,
    }, { viewport: desktop, pageErrors }))
    db = createPrisma(database.url)
    sender = await startJobEngine({ connectionString: database.url, works: false, queues: Object.values(queues), handlers: {} })
  }, 120_000)

  afterAll(async () => {
    await sender?.stop(1000)
    await db?.$disconnect()
    await closeAppInChromium({ app, browser }, dataDir)
    await youtube?.close()
    await database?.drop()
  })

  it('publishes two variants of one edit to YouTube', async () => {
    await signUpFirstAccount(page, app.url, person)
    await page.goto(`${app.url}/accounts`)
    await waitForHydration(page)
    await page.getByTestId('connect-youtube').click()
    await page.getByTestId('account-card').waitFor({ timeout: 30_000 })

    api = new ApiClient(app.url)
    expect((await api.signIn(person.email, person.password)).status).toBe(200)
    workspaceId = (await api.session()).workspaces[0]!.id
    const account = await db.socialAccount.findFirstOrThrow({ where: { workspaceId } })
    // 24 s of footage in eight shots.
    const clip = await generateClip(join(dataDir, 'lena-knife.mp4'), { width: 360, height: 640, fps: 24, shots: [3, 3, 3, 3, 3, 3, 3, 3], audio: [{ tone: -16, seconds: 24 }] })
    const uploaded = await new TusTestClient(api, workspaceId).upload(clip.path, (await stat(clip.path)).size, { filename: 'lena-knife.mp4', kind: 'footage' })
    expect(uploaded.status).toBe(204)
    const footageId = uploaded.headers.get('reelwise-video-id')!
    await expect.poll(async () => (await api.get(`/api/workspaces/${workspaceId}/videos/${footageId}`)).body.status, { timeout: 90_000, interval: 500 }).toBe('ready')
    // One edit, two lengths: A runs 20 s, B 10 s.
    const rendered = await api.post(`/api/workspaces/${workspaceId}/studio/renders`, {
      videoId: footageId, name: 'Knife mistakes', recipe: { loudness: null, maxSeconds: 20, variations: { maxSeconds: [10] } },
    })
    expect(rendered.status, JSON.stringify(rendered.body)).toBe(201)
    const renders = rendered.body.renders as { id: string, variantLabel: string }[]
    expect(renders.map(render => render.variantLabel)).toEqual(['A', 'B'])
    const renderStatus = async () => (await api.get(`/api/workspaces/${workspaceId}/studio/renders?videoId=${footageId}`)).body.renders.map((render: { status: string }) => render.status)
    await expect.poll(renderStatus, { timeout: 240_000, interval: 1000 }).toEqual(['succeeded', 'succeeded'])

    // The account's usual level: six posts from the weeks before, each about 1,000 views at 48 h.
    for (let index = 0; index < 6; index++) {
      const publishedAt = new Date(Date.now() - (20 - index * 2) * DAY)
      const earlier = await db.post.create({ data: { workspaceId, socialAccountId: account.id, status: 'published', publishedAt, externalId: `earlier-${randomUUID()}`, caption: `Earlier post ${index + 1}` } })
      await db.metricSnapshot.create({ data: { workspaceId, socialAccountId: account.id, postId: earlier.id, ageHours: 48, capturedAt: new Date(publishedAt.getTime() + 2 * DAY), views: BigInt(900 + index * 40) } })
    }

    for (const [key, render] of [['long', renders[0]!], ['short', renders[1]!]] as const) {
      const published = await api.post(`/api/workspaces/${workspaceId}/posts`, { renderId: render.id, targets: [{ accountId: account.id, caption: `Knife mistakes ${render.variantLabel}`, title: `Knife mistakes ${render.variantLabel}`, privacy: 'public' }] })
      expect(published.status, JSON.stringify(published.body)).toBe(201)
      await expect.poll(async () => (await db.post.findFirst({ where: { workspaceId, renderId: render.id } }))?.status, { timeout: 90_000, interval: 500 }).toBe('published')
      posts[key] = (await db.post.findFirstOrThrow({ where: { workspaceId, renderId: render.id } })).id
    }
  }, 480_000)

  it('pulls their numbers two days later and scores them', async () => {
    // Two days pass: the posts went out 50 hours ago, and their next pull is due now.
    const longPost = await db.post.findUniqueOrThrow({ where: { id: posts.long } })
    const shortPost = await db.post.findUniqueOrThrow({ where: { id: posts.short } })
    for (const post of [longPost, shortPost]) {
      await db.post.update({ where: { id: post.id }, data: { publishedAt: new Date(Date.now() - 50 * HOUR), metricsDueAt: new Date(), metricsStep: 2 } })
    }
    youtube.setStatistics(longPost.externalId!, { viewCount: 700, likeCount: 20, commentCount: 1 })
    youtube.setStatistics(shortPost.externalId!, { viewCount: 9000, likeCount: 400, commentCount: 30 })
    // What the every-five-minutes task sends: the sweep sends the account's pull, the pull lands and scores.
    await sender.send('metrics.sweep', {})
    const outcomes = () => db.postOutcome.findMany({ where: { workspaceId, postId: { in: [posts.long, posts.short] } } })
    await expect.poll(async () => (await outcomes()).filter(row => row.outcome !== null).length, { timeout: 60_000, interval: 500 }).toBe(2)
    const byPost = new Map((await outcomes()).map(row => [row.postId, row.outcome!]))
    expect(byPost.get(posts.short)!).toBeGreaterThan(2)
    expect(byPost.get(posts.long)!).toBeLessThan(0)
  }, 120_000)

  it('shows the new scores, the experiment and its odds on the Analytics page', async () => {
    await page.goto(`${app.url}/analytics`)
    await waitForHydration(page)
    const counts = page.getByTestId('analytics-counts')
    await expect.poll(() => counts.textContent(), { timeout: 30_000 }).toContain('8 posts published')
    // The 10 s cut's length leads the board; its evidence is the post that went out with it.
    const short = page.getByTestId('analytics-pattern-duration=<15s')
    await short.waitFor()
    expect(await short.textContent()).toContain('Length <15s')
    await short.locator('details summary').click()
    expect(await short.locator('details').textContent()).toContain('Knife mistakes B')
    // The experiment: A against B, with B far more likely to be the better one, and honest about one post each.
    const experiment = page.getByTestId('analytics-experiments').locator('[data-testid^="analytics-experiment-"]')
    await expect.poll(() => experiment.count()).toBe(1)
    const text = (await experiment.textContent())!.replace(/\s+/g, ' ')
    expect(text).toContain('Knife mistakes')
    expect(text).toContain('Too thin to say')
    const odds = (await experiment.locator('li p.tabular-nums').allTextContents()).map(value => Number.parseInt(value))
    expect(odds).toHaveLength(2)
    expect(odds[1]!).toBeGreaterThan(odds[0]!)
    expect(odds[0]! + odds[1]!).toBeGreaterThanOrEqual(99)
    await screenshot('learning-analytics-1440')
    await page.setViewportSize(mobile)
    expect(await noSideScroll()).toBe(true)
    await screenshot('learning-analytics-390')
    await page.setViewportSize(desktop)
  }, 120_000)

  it('with exploration at 0, the next scripts follow the winning length and cite its evidence', async () => {
    // Exploration 0: every script takes the best pattern so far (greedy), set on the Analytics page.
    const slider = page.getByTestId('analytics-exploration').getByRole('slider')
    await slider.focus()
    await page.keyboard.press('Home')
    await page.getByTestId('analytics-settings-save').click()
    await expect.poll(async () => (await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } })).exploration, { timeout: 15_000 }).toBe(0)

    await page.goto(`${app.url}/scripts`)
    await waitForHydration(page)
    await page.getByTestId('scripts-generate').click()
    await expect.poll(() => page.getByTestId('script-card').count(), { timeout: 180_000, interval: 1000 }).toBe(5)
    const balance = page.getByTestId('script-batch-balance')
    await expect.poll(() => balance.textContent(), { timeout: 30_000 }).toContain('5 of 5 scripts')
    expect(await balance.textContent()).toContain('Length <15s')
    expect(await balance.getByRole('link').getAttribute('href')).toContain('/analytics#pattern-')
    // The script itself follows the length and cites the creator's own result for it.
    await page.getByTestId('script-card').first().getByRole('link').first().click()
    await page.waitForURL(/\/scripts\/[0-9a-f-]{36}$/)
    await page.getByTestId('script-hook').waitFor()
    const body = (await page.locator('body').textContent())!.replace(/\s+/g, ' ')
    expect(body).toMatch(/Your posts with it: ×\d/)
    await screenshot('learning-script-1440')
    expect(pageErrors).toEqual([])
  }, 300_000)
})
