// The Studio in Chromium: upload footage, pick it and the "Fast hook + captions" preset, write the hook and a second
// hook line (two variants), paste captions as SRT, render, watch the progress move, play a finished variant, read
// the platform checks, and play both variants side by side.
import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningApp } from '../support/app-server'
import { chooseUploadKind, closeAppInChromium, openAppInChromium, signUpFirstAccount } from '../support/browser'
import { generateClip, type GeneratedClip } from '../support/media'

const screenshots = resolve(import.meta.dirname, '__screenshots__')

const captions = `1
00:00:00,200 --> 00:00:02,000
Three knife mistakes

2
00:00:03,600 --> 00:00:05,500
and how to fix them
`

describe('the Studio in a browser', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  let clip: GeneratedClip
  let logo: string
  const pageErrors: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-studio-'))
    // Speech-like tone with a pause in the middle, so the preset's silence removal has something to cut.
    clip = await generateClip(join(dataDir, 'knife-skills.mp4'), {
      width: 640,
      height: 360,
      fps: 30,
      shots: [2, 2, 2],
      audio: [{ tone: -16, seconds: 2.5 }, { silence: true, seconds: 1 }, { tone: -16, seconds: 2.5 }],
    })
    logo = join(dataDir, 'brand-logo.png')
    await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=orange:s=240x80', '-frames:v', '1', logo])
    // APP_ROLE defaults to `all`: this process also runs the render jobs.
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: { width: 1280, height: 900 }, pageErrors }))
  })

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  it('sends a workspace without footage to the Library, then edits uploaded footage into two variants', async () => {
    await signUpFirstAccount(page, app.url, { name: 'Sam Studio', email: 'sam@example.test', password: 'studio-password-1' })

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Studio' }).click()
    await page.waitForURL(`${app.url}/studio`)
    await page.getByTestId('studio-no-footage').waitFor()
    expect(await page.getByTestId('not-built').count()).toBe(0)
    await page.getByRole('link', { name: 'Upload in the Library' }).click()
    await page.waitForURL(`${app.url}/library`)

    await chooseUploadKind(page, 'Footage')
    await page.getByTestId('upload-input').setInputFiles(clip.path)
    const uploaded = page.getByTestId('video-card').first()
    await uploaded.waitFor({ timeout: 60_000 })
    await expect.poll(() => uploaded.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('ready')

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Studio' }).click()
    await page.getByTestId('footage-card').first().click()
    await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/)
    expect(await page.getByTestId('studio-title').textContent()).toContain('knife skills')
    await page.getByTestId('no-renders').waitFor()

    await page.locator('[data-testid=preset-card][data-key=fast-hook-captions]').click()
    await page.getByTestId('studio-editor').waitFor()
    // The preset's placeholder hook and its empty captions are called out before anything renders.
    await expect.poll(() => page.getByTestId('variant-problem').textContent()).toContain('Write your hook line')
    expect(await page.getByTestId('render-submit').isDisabled()).toBe(true)

    await page.locator('#studio-hook-text').fill('Three knife mistakes')
    await expect.poll(() => page.getByTestId('variant-problem').textContent()).toContain('Captions: add at least one caption')
    await page.getByTestId('srt-open').click()
    await page.locator('#studio-srt-text').fill(captions)
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('2 captions found')
    await page.getByTestId('srt-use').click()
    await expect.poll(() => page.getByTestId('caption-cue').count()).toBe(2)
    expect(await page.locator('#studio-cue-1-text').inputValue()).toBe('and how to fix them')

    await page.getByTestId('hook-alternative-add').click()
    await page.locator('#studio-hook-alt-0').fill('Stop crushing your garlic')
    await expect.poll(() => page.getByTestId('variant-count').getAttribute('data-count')).toBe('2')
    expect(await page.getByTestId('variant-count').textContent()).toContain('2 variants')
    expect(await page.getByTestId('render-submit').textContent()).toContain('Render 2 variants')
    await page.getByTestId('caption-cue').first().scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshots, 'studio-editor.png') })
  }, 240_000)

  // Rendering shares two cores with whatever else runs: generous time, and the polls say what they waited for.
  it('renders both variants with live progress, plays one, and shows what each platform says of it', async () => {
    // Record what the progress shows, as a person watching the cards would see it.
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { progressSeen: string[] }).progressSeen = seen
      const record = () => {
        for (const card of document.querySelectorAll('[data-testid=render-card]')) {
          const progress = card.querySelector('[data-testid=job-progress]')?.textContent?.replace(/\s+/g, ' ').trim()
          const entry = `${card.getAttribute('data-label')} ${card.getAttribute('data-status')} ${card.getAttribute('data-progress')} | ${progress ?? ''}`
          if (!seen.includes(entry)) seen.push(entry)
        }
      }
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true })
    })
    await page.getByTestId('render-submit').click()
    const cards = page.getByTestId('render-card')
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(2)

    const statuses = () => cards.evaluateAll(elements => elements.map(element => element.getAttribute('data-status')))
    await expect.poll(statuses, { timeout: 420_000, interval: 1000 }).toEqual(['succeeded', 'succeeded'])

    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen)
    const intermediate = seen.filter((entry) => {
      const percent = /Working: (measuring|preview|rendering|storing)\s*(\d+)%/.exec(entry)
      return percent && Number(percent[2]) > 0 && Number(percent[2]) < 100
    })
    expect(intermediate.length, `progress shown:\n${seen.join('\n')}`).toBeGreaterThanOrEqual(1)
    expect(new Set(seen.map(entry => entry.split(' | ')[1])).size, `progress shown:\n${seen.join('\n')}`).toBeGreaterThanOrEqual(3)

    // Variant A plays its full render, not the preview.
    const first = cards.first()
    const renderId = await first.getAttribute('data-id')
    const player = first.getByTestId('render-video')
    await expect.poll(() => player.getAttribute('data-source'), { timeout: 30_000 }).toBe('output')
    const source = await player.evaluate((video: HTMLVideoElement) => video.currentSrc || video.src)
    expect(new URL(source).pathname).toMatch(new RegExp(`/${renderId}/output\\.mp4$`))
    await player.evaluate(async (video: HTMLVideoElement) => {
      video.muted = true
      await video.play()
    })
    await expect.poll(() => player.evaluate((video: HTMLVideoElement) => video.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2)
    await expect.poll(() => player.evaluate((video: HTMLVideoElement) => video.currentTime), { timeout: 30_000 }).toBeGreaterThan(0.5)
    expect(await player.evaluate((video: HTMLVideoElement) => [video.videoWidth, video.videoHeight])).toEqual([1080, 1920])

    // Every platform's verdict, the one it was encoded for (Instagram Reels) first; problems come in words.
    const checks = first.getByTestId('render-check')
    expect(await checks.count()).toBe(4)
    expect(await checks.first().getAttribute('data-platform')).toBe('instagram')
    for (const check of await checks.all()) {
      if (await check.getAttribute('data-ok') === 'true') expect(await check.textContent()).toContain('ready to post')
      else expect(await check.locator('li').count()).toBeGreaterThan(0)
    }
    expect(await first.getByTestId('render-download').getAttribute('href')).toContain('output.mp4')
    expect(await first.textContent()).toContain('Three knife mistakes')
    expect(await cards.nth(1).textContent()).toContain('Stop crushing your garlic')
    await page.screenshot({ path: join(screenshots, 'studio-renders.png'), fullPage: true })
  }, 480_000)

  it('plays the two variants side by side, started together', async () => {
    const compare = page.getByTestId('compare')
    await compare.scrollIntoViewIfNeeded()
    const players = [compare.getByTestId('compare-left'), compare.getByTestId('compare-right')]
    const state = () => Promise.all(players.map(player => player.evaluate((video: HTMLVideoElement) => ({ ready: video.readyState, time: video.currentTime, src: video.currentSrc }))))
    await expect.poll(async () => (await state()).every(each => each.ready >= 1), { timeout: 30_000 }).toBe(true)
    const [left, right] = await state()
    expect(left!.src).not.toBe(right!.src)
    // Muted, so the headless browser's autoplay rules cannot stop the click from starting both.
    await players[0]!.evaluate((video: HTMLVideoElement) => {
      video.muted = true
    })
    await compare.getByTestId('compare-play').click()
    await expect.poll(async () => Math.min(...(await state()).map(each => each.time)), { timeout: 30_000 }).toBeGreaterThan(0.3)
    expect(await compare.getByTestId('compare-play').textContent()).toContain('Pause both')
    await page.screenshot({ path: join(screenshots, 'studio-compare.png'), fullPage: true })
  })

  it('uploads a logo into the edit, then cancels a render while it runs and deletes it', async () => {
    await page.getByTestId('asset-input-logo').setInputFiles(logo)
    // Uploaded, chosen at once, and its placement appears.
    await expect.poll(() => page.locator('#studio-asset-logo').textContent(), { timeout: 30_000 }).toContain('brand logo')
    await page.locator('#studio-logo-corner').waitFor()

    await page.getByRole('button', { name: 'Remove hook line 1' }).click()
    await expect.poll(() => page.getByTestId('variant-count').getAttribute('data-count')).toBe('1')
    await page.getByTestId('render-submit').click()
    const groups = page.getByTestId('render-group')
    await expect.poll(() => groups.count(), { timeout: 30_000 }).toBe(2)
    const card = groups.first().getByTestId('render-card')
    await card.getByTestId('render-cancel').click()
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('canceled')
    expect(await card.getByTestId('render-video').count()).toBe(0)

    await card.getByRole('button', { name: 'Delete' }).click()
    await card.getByTestId('render-delete-confirm').click()
    await expect.poll(() => groups.count(), { timeout: 30_000 }).toBe(1)
    expect(await groups.first().getByTestId('render-card').count()).toBe(2)
    expect(pageErrors).toEqual([])
  })
})
