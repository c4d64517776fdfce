// The Library in Chromium: upload a generated clip with tus, watch the progress bar, wait for the analysis,
// open the video, see its cuts (and a fade through black) on the timeline, and click one to seek the player there.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningApp } from '../support/app-server'
import { chooseUploadKind, closeAppInChromium, openAppInChromium, signUpFirstAccount } from '../support/browser'
import { generateClip, type GeneratedClip } from '../support/media'

const screenshots = resolve(import.meta.dirname, '__screenshots__')

describe('the Library in a browser', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  let clip: GeneratedClip
  const pageErrors: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-library-'))
    // Lossless, so the file is big enough (tens of MB) for the progress bar to move through several values.
    clip = await generateClip(join(dataDir, 'cooking-hook.mp4'), {
      width: 640,
      height: 360,
      fps: 30,
      shots: [1.2, 2.0, 1.6, 2.2],
      // The third shot comes in through black: one transition, drawn as a band, named under its picture.
      transitions: [{ kind: 'cut' }, { kind: 'fade', out: 0.3, hold: 0.1, in: 0.3 }, { kind: 'cut' }],
      audio: [{ tone: -14, seconds: 3 }, { silence: true, seconds: 1 }, { tone: -18, seconds: 3 }],
      extra: ['-qp', '0'],
    })
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: { width: 1280, height: 900 }, pageErrors }))
  })

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  it('uploads a clip with a live progress bar and shows it in the grid once analysed', async () => {
    await signUpFirstAccount(page, app.url, { name: 'Lena Library', email: 'lena@example.test', password: 'library-password-1' })
    await page.goto(`${app.url}/library`)
    await page.getByTestId('upload-drop').waitFor()

    // Record every percentage the bar shows, as a person watching it would see them.
    await page.evaluate(() => {
      const seen: number[] = []
      ;(window as unknown as { percentsSeen: number[] }).percentsSeen = seen
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll('[data-testid=upload-progress]')) {
          const value = Number(bar.getAttribute('data-percent'))
          if (seen.at(-1) !== value) seen.push(value)
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-percent'] })
    })
    // A home connection's upload speed (4 MB/s), so the bar has time to show where it is.
    const devtools = await page.context().newCDPSession(page)
    await devtools.send('Network.enable')
    await devtools.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 })
    // Nothing is uploaded before the person says what it is.
    await chooseUploadKind(page, 'Reference')
    await page.getByTestId('upload-input').setInputFiles(clip.path)

    const card = page.getByTestId('video-card').first()
    await card.waitFor({ timeout: 60_000 })
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 90_000, interval: 500 }).toBe('ready')
    const seen = await page.evaluate(() => (window as unknown as { percentsSeen: number[] }).percentsSeen)
    expect(seen.at(-1)).toBe(100)
    expect(seen.filter(value => value > 0 && value < 100).length, `percentages shown: ${seen.join(', ')}`).toBeGreaterThanOrEqual(3)
    await devtools.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    expect(await card.textContent()).toContain('cooking hook')
  })

  it('opens the video, marks its cuts on the timeline, and seeks the player to a clicked cut', async () => {
    await page.getByTestId('video-card').first().click()
    await page.waitForURL(/\/library\/[0-9a-f-]{36}$/)
    const player = page.getByTestId('video-player')
    await player.waitFor()
    await expect.poll(() => page.getByTestId('timeline-cut').count(), { timeout: 30_000 }).toBe(clip.cuts.length)
    await expect.poll(() => player.evaluate((video: HTMLVideoElement) => video.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(1)

    const marker = page.getByTestId('timeline-cut').nth(2)
    const cutTime = Number(await marker.getAttribute('data-time'))
    expect(Math.abs(cutTime - clip.cuts[2]!)).toBeLessThanOrEqual(1 / 30 + 1e-6)
    await marker.click()
    await expect.poll(() => player.evaluate((video: HTMLVideoElement) => video.currentTime)).toBeCloseTo(cutTime, 1)

    // The analysis reads out in words, not only numbers.
    await expect.poll(() => page.textContent('body')).toContain('first cut at 1.2 s')
    // The fade is one transition with a start and an end, and the shot after it says how it began.
    expect(await page.getByTestId('timeline-transition').count()).toBe(1)
    expect(await page.getByTestId('shot-transition').allTextContents()).toEqual(['after a fade through black'])
    expect(await page.getByTestId('shot-keyframe').nth(2).getAttribute('aria-label')).toMatch(/^Play shot 3 from 3\.\d\d s, after a fade through black$/)
    await page.screenshot({ path: join(screenshots, 'library-video.png'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.getByTestId('shot-strip').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshots, 'library-video-shots.png') })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('shot-strip').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshots, 'library-video-mobile.png'), fullPage: true })
    expect(pageErrors).toEqual([])
  })
})
