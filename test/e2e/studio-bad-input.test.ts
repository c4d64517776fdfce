// Bad input in the Studio is named next to its field, never cut or dropped without a word: a pasted 500-character
// hook stays whole with a counter and an error, and captions the clip never reaches are named by number and time.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningApp } from '../support/app-server'
import { chooseUploadKind, closeAppInChromium, openAppInChromium, signUpFirstAccount } from '../support/browser'
import { horizontalOverflow } from '../support/page-checks'
import { generateClip, type GeneratedClip } from '../support/media'

// Words, as a person would paste them, 500 characters in all.
const longHook = 'Here is everything you need to know about knives before you start cooking tonight, '.repeat(7).slice(0, 500)

const lateCaptions = `1
00:00:00,200 --> 00:00:01,500
Three knife mistakes

2
00:00:02,000 --> 00:00:09,000
and how to fix them

3
00:01:30,000 --> 00:01:35,000
Follow for more
`

describe('bad input in the Studio', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  let clip: GeneratedClip
  const pageErrors: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-bad-input-'))
    clip = await generateClip(join(dataDir, 'knife-tips.mp4'), { width: 640, height: 360, fps: 30, shots: [2, 2], audio: [{ tone: -16, seconds: 4 }] })
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: { width: 1440, height: 900 }, pageErrors }))
  })

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  it('keeps a pasted 500-character hook whole, says how far over it is, and says why the render waits', async () => {
    await signUpFirstAccount(page, app.url, { name: 'Nia New', email: 'nia@example.test', password: 'studio-password-1' })
    await page.goto(`${app.url}/library`)
    await chooseUploadKind(page, 'Footage')
    await page.getByTestId('upload-input').setInputFiles(clip.path)
    const uploaded = page.getByTestId('video-card').first()
    await uploaded.waitFor({ timeout: 60_000 })
    await expect.poll(() => uploaded.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('ready')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Studio' }).click()
    await page.getByTestId('footage-card').first().click()
    await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/)
    await page.locator('[data-testid=preset-card][data-key=fast-hook-captions]').click()
    await page.getByTestId('studio-editor').waitFor()

    const hook = page.locator('#studio-hook-text')
    await hook.fill(longHook)
    expect(await hook.inputValue()).toBe(longHook)
    const field = page.getByTestId('hook-field')
    await expect.poll(() => field.textContent()).toContain('At most 120 characters (this one has 500).')
    expect(await field.textContent()).toContain('500 / 120')
    expect(await hook.getAttribute('aria-invalid')).toBe('true')
    await expect.poll(() => page.getByTestId('variant-problem').textContent()).toContain('Hook text: at most 120 characters (this one has 500).')
    expect(await page.getByTestId('render-submit').isDisabled()).toBe(true)

    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 })
      await field.scrollIntoViewIfNeeded()
      await page.screenshot({ path: `/tmp/badinput-hook-${width}.png` })
      // On a phone too the whole hook and its message stay on screen, nothing cut off or scrolling sideways.
      expect(await horizontalOverflow(page), `at ${width} px`).toEqual([])
      expect((await field.boundingBox())!.width).toBeLessThanOrEqual(width)
    }
    await page.setViewportSize({ width: 1440, height: 900 })
    await hook.fill('Three knife mistakes')
    await expect.poll(() => field.textContent()).not.toContain('At most')
  }, 240_000)

  it('names a pasted caption the clip never reaches, and says which one it cut to the clip’s end', async () => {
    await page.getByTestId('srt-open').click()
    await page.locator('#studio-srt-text').fill(lateCaptions)
    const dialog = page.getByRole('dialog')
    await expect.poll(() => page.getByTestId('srt-problems').textContent()).toMatch(/Cue 3 starts at 1:30, after the clip ends at 0:0[34]/)
    expect(await page.getByTestId('srt-notes').textContent()).toMatch(/Cue 2 ran to 0:09; it now ends with the clip at 0:0[34]/)
    expect(await dialog.textContent()).toContain('2 captions found')
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 })
      await page.screenshot({ path: `/tmp/badinput-srt-${width}.png` })
      expect(await horizontalOverflow(page), `at ${width} px`).toEqual([])
      expect(await page.getByTestId('srt-problems').isVisible()).toBe(true)
    }
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.getByTestId('srt-use').click()
    await expect.poll(() => page.getByTestId('caption-cue').count()).toBe(2)
    expect(Number(await page.locator('#studio-cue-1-end').inputValue())).toBeLessThanOrEqual(clip.durationSeconds + 0.1)
  })

  it('names an edited caption row that starts after the clip, next to the row and at the render button', async () => {
    // The end first: a row that ends before it starts is a different problem.
    await page.locator('#studio-cue-1-end').fill('95')
    await page.locator('#studio-cue-1-start').fill('90')
    const problem = page.getByTestId('caption-cue-problem')
    await expect.poll(() => problem.textContent()).toMatch(/Caption 2 starts at 1:30, after the clip ends at 0:0[34]/)
    await expect.poll(() => page.getByTestId('variant-problem').textContent()).toMatch(/Caption 2 starts at 1:30, after the clip ends at 0:0[34]\. Move it earlier or remove it\./)
    expect(await page.getByTestId('render-submit').isDisabled()).toBe(true)
    expect(pageErrors).toEqual([])
  })
})
