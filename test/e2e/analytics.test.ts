// The Analytics page in the browser, on a workspace whose YouTube account has three weeks of posts with snapshots:
// the counts, the views chart's newest ten, each account's trend, the leaderboard with its evidence, filters kept in the
// URL across a reload, the CSV with the same filters, and a new outcome metric saved and explained.
// On PostgreSQL (the app migrates it at boot), web role only: the seeded account's token is not real, so no worker pulls it.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { foldNewOutcomes } from '../../server/services/analytics/learning'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { launchChromium, reducedMotion, signUpFirstAccount, waitForHydration } from '../support/browser'
import { createScratchPostgres, type ScratchDatabase } from '../support/postgres'
import { createPrisma } from '../support/scratch'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('the Analytics page', () => {
  let database: ScratchDatabase
  let db: PrismaClient
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  const pageErrors: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-analytics-'))
    database = await createScratchPostgres('reelwise_e2e_analytics')
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: database.url, APP_ROLE: 'web' })
    browser = await launchChromium()
    page = await browser.newPage({ ...reducedMotion, viewport: { width: 1440, height: 2400 } })
    page.on('pageerror', error => pageErrors.push(error.message))
    await signUpFirstAccount(page, app.url, { name: 'Ada Analytics', email: 'ada@analytics.test', password: 'analytics-page-password' })

    db = createPrisma(database.url)
    const workspace = await db.workspace.findFirstOrThrow({ orderBy: { createdAt: 'desc' } })
    const account = await db.socialAccount.create({ data: { workspaceId: workspace.id, platform: 'youtube', externalId: `UC${randomUUID()}`, displayName: 'Knife Skills', accessTokenEnc: 'not-a-real-token', scopes: [] } })
    const video = await db.video.create({ data: { workspaceId: workspace.id, kind: 'footage', status: 'ready', title: 'Knife footage' } })
    const tutorial = await db.pattern.create({ data: { workspaceId: workspace.id, key: 'format=tutorial', kind: 'format', label: 'Tutorial' } })
    await db.patternEvidence.create({ data: { workspaceId: workspace.id, patternId: tutorial.id, source: 'semantic', videoId: video.id } })
    const renders = []
    for (const style of ['clean', 'bold']) {
      const recipe = { hook: { text: 'Stop dulling your knife' }, captions: { style, cues: [] }, opening: null }
      renders.push(await db.render.create({
        data: { workspaceId: workspace.id, sourceVideoId: video.id, status: 'succeeded', durationMs: 24_000, width: 1080, height: 1920, params: { keys: {}, recipe }, recipeSnapshot: { batchId: randomUUID(), name: 'Knife', version: 1, presetKey: null, patternKeys: [], recipe } },
      }))
    }
    // 18 posts a day apart, ending three days ago, each measured at 1, 6, 24, 48 and 72 hours; bold captions do better (the first three set the account's usual level: 8 bold posts are scored).
    const start = Date.now() - 20 * DAY
    for (let index = 0; index < 18; index++) {
      const publishedAt = new Date(start + index * DAY)
      const views = 1000 * (index % 2 ? 2.5 : 1) * (0.6 + ((index * 37) % 10) / 10)
      const post = await db.post.create({
        data: { workspaceId: workspace.id, socialAccountId: account.id, renderId: renders[index % 2]!.id, status: 'published', publishedAt, externalId: randomUUID(), caption: `Knife tip #${index}` },
      })
      for (const age of [1, 6, 24, 48, 72]) {
        await db.metricSnapshot.create({
          data: { workspaceId: workspace.id, socialAccountId: account.id, postId: post.id, ageHours: age, views: BigInt(Math.round(views * Math.min(1, age / 48) ** 0.6)), saves: Math.round(views / 80), capturedAt: new Date(publishedAt.getTime() + age * HOUR) },
        })
      }
    }
    await db.accountSnapshot.create({ data: { workspaceId: workspace.id, socialAccountId: account.id, capturedAt: new Date(start), followers: 1200 } })
    await foldNewOutcomes(db, workspace.id, account.id)
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    await db?.$disconnect()
    await database?.drop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('draws the posts, the trend and the leaderboard from the API', async () => {
    await page.goto(`${app.url}/analytics`)
    await waitForHydration(page)
    await expect.poll(() => page.getByTestId('analytics-counts').textContent()).toContain('18 posts published, 18 past 48 h, 18 with views there, 15 scored')
    // The newest ten posts are drawn by default, each named in the legend with its latest number.
    await expect.poll(() => page.getByTestId('analytics-views-legend').locator('li').count()).toBe(10)
    expect(await page.getByTestId('analytics-views-legend').textContent()).toContain('Knife tip #17')
    expect(await page.locator('.analytics-chart svg').count()).toBeGreaterThanOrEqual(2)
    expect(await page.locator('[data-testid^="analytics-trend-"]').textContent()).toContain('Followers: 1.2K')
    const bold = page.getByTestId('analytics-pattern-studio.captions=bold')
    await bold.waitFor()
    expect(await bold.textContent()).toMatch(/n = 8 posts/)
    await bold.getByText(/See the evidence/).click()
    await expect.poll(() => bold.locator('details li').count()).toBe(8)
    expect(await page.getByTestId('analytics-model').textContent()).toContain('views at 48 hours')
    expect(pageErrors).toEqual([])
  })

  it('keeps the filters in the URL across a reload, and downloads the CSV with them', async () => {
    await page.goto(`${app.url}/analytics`)
    await waitForHydration(page)
    await page.getByTestId('analytics-platform').click()
    await page.getByRole('option', { name: 'YouTube', exact: true }).click()
    await page.waitForURL(/platform=youtube/)
    await page.reload()
    await waitForHydration(page)
    expect(await page.getByTestId('analytics-platform').textContent()).toContain('YouTube')
    await expect.poll(() => page.getByTestId('analytics-counts').textContent()).toContain('18 posts published')
    const href = await page.getByTestId('analytics-csv').getAttribute('href')
    expect(href).toMatch(/\/analytics\/export\.csv\?platform=youtube$/)
    const csv = await page.request.get(`${app.url}${href}`)
    expect(csv.headers()['content-disposition']).toBe('attachment; filename="analytics-all.csv"')
    // A header and a row per snapshot (18 posts × 5) in the first block.
    const [snapshots] = (await csv.text()).split('\n\n')
    expect(snapshots!.trim().split('\n')).toHaveLength(1 + 18 * 5)
  })

  it('saves a new outcome metric, scores every post again and explains it', async () => {
    await page.goto(`${app.url}/analytics`)
    await waitForHydration(page)
    await page.getByTestId('analytics-metric').click()
    await page.getByRole('option', { name: 'Saves per view', exact: true }).click()
    await page.getByTestId('analytics-settings-save').click()
    // Exact: the toast's live region for screen readers reads "Notification Learning settings saved" too.
    await page.getByText('Learning settings saved', { exact: true }).waitFor()
    await expect.poll(() => page.getByTestId('analytics-model').textContent()).toContain('saves per view at 48 hours')
    await expect.poll(() => page.getByTestId('analytics-counts').textContent()).toContain('18 with saves per view there')
  })
})
