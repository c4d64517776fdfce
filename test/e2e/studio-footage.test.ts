// Footage and references, variations and Compare in Chromium (issue 12, items 3, 6, 7 and 12): the uploader asks
// what a video is before it uploads, the Studio lists references too and promotes one to footage, the variants
// listed before rendering are the renders made, and "Play both" keeps both players together through a swap.
// Setup goes through the API where the click is not the point.
import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../support/api'
import type { RunningApp } from '../support/app-server'
import { closeAppInChromium, openAppInChromium, signUpFirstAccount, waitForHydration } from '../support/browser'
import { generateClip, type GeneratedClip } from '../support/media'
import { TusTestClient } from '../support/tus'

const person = { name: 'Fay Footage', email: 'fay@example.test', password: 'footage-password-1' }
const desktop = { width: 1440, height: 900 }
const mobile = { width: 390, height: 844 }

describe('footage, references, variations and Compare in a browser', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  let reference: GeneratedClip
  let footage: GeneratedClip
  let api: ApiClient
  let workspaceId: string
  let footageId: string
  const pageErrors: string[] = []

  const noSideScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-footage-'))
    reference = await generateClip(join(dataDir, 'viral-reel.mp4'), { width: 320, height: 568, fps: 30, shots: [1, 1], audio: [{ tone: -16, seconds: 2 }] })
    // Just over 5 s, so the Studio offers a 5 s length; small, so the renders are quick.
    footage = await generateClip(join(dataDir, 'my-kitchen.mp4'), { width: 320, height: 180, fps: 30, shots: [3, 3], audio: [{ tone: -16, seconds: 6 }] })
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: desktop, pageErrors }))
  })

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  it('asks what a video is before it uploads, and follows the upload until its analysis is done', async () => {
    await signUpFirstAccount(page, app.url, person)
    await page.goto(`${app.url}/library`)
    await page.getByRole('radio', { name: /Reference/ }).waitFor()
    // No silent default: nothing is chosen, and files cannot be picked until something is.
    expect(await page.getByRole('radio', { checked: true }).count()).toBe(0)
    const kinds = page.getByTestId('upload-kind')
    expect(await page.getByTestId('upload-input').isDisabled()).toBe(true)
    expect(await page.getByTestId('upload-drop').textContent()).toContain('Choose above')
    expect(await kinds.textContent()).toMatch(/Reference\s*A video whose patterns you want to learn from/)
    expect(await kinds.textContent()).toMatch(/Footage\s*Your own clips to edit/)

    await waitForHydration(page)
    await kinds.getByRole('radio', { name: /Reference/ }).click()
    expect(await page.getByTestId('upload-drop').textContent()).toContain('reference videos')
    await page.getByTestId('upload-input').setInputFiles(reference.path)
    const row = page.getByTestId('upload-row')
    await expect.poll(() => row.getAttribute('data-kind')).toBe('reference')
    // "The analysis starts next" only until it has started; the row follows it to its end.
    await expect.poll(() => row.getByTestId('upload-status').textContent(), { timeout: 90_000, interval: 500 }).toContain('analysed')
    expect(await page.getByTestId('video-card').first().getAttribute('data-status')).toBe('ready')

    // The choice is remembered in this browser, and shown before the next upload.
    await page.reload()
    await page.getByRole('radio', { name: /Reference/, checked: true }).waitFor()
    await page.setViewportSize(mobile)
    expect(await noSideScroll()).toBe(true)
    await page.setViewportSize(desktop)
  }, 120_000)

  it('lists footage first and references too, and promotes a reference to footage (390 px)', async () => {
    api = new ApiClient(app.url)
    expect((await api.signIn(person.email, person.password)).status).toBe(200)
    workspaceId = (await api.session()).workspaces[0]!.id
    const uploaded = await new TusTestClient(api, workspaceId).upload(footage.path, (await stat(footage.path)).size, { filename: 'my-kitchen.mp4', kind: 'footage' })
    expect(uploaded.status).toBe(204)
    footageId = uploaded.headers.get('reelwise-video-id')!

    await page.setViewportSize(mobile)
    await page.goto(`${app.url}/studio`)
    const cards = page.getByTestId('footage-card')
    await expect.poll(() => cards.evaluateAll(elements => elements.map(element => element.getAttribute('data-kind')))).toEqual(['footage', 'reference'])
    const referenceCard = cards.nth(1)
    expect(await referenceCard.textContent()).toContain('Reference')
    expect(await noSideScroll()).toBe(true)

    // Opened directly, a reference is not edited: the page says why and offers the promotion.
    const referenceId = (await referenceCard.getAttribute('data-id'))!
    await page.goto(`${app.url}/studio/${referenceId}`)
    await page.getByTestId('studio-reference').waitFor()
    expect(await page.getByTestId('preset-card').count()).toBe(0)
    await page.goto(`${app.url}/studio`)

    await page.getByTestId('footage-card').nth(1).getByRole('button', { name: 'Use as footage' }).click()
    await expect.poll(() => page.getByTestId('footage-card').evaluateAll(elements => elements.map(element => element.getAttribute('data-kind')))).toEqual(['footage', 'footage'])
    expect((await api.get(`/api/workspaces/${workspaceId}/videos/${referenceId}`)).body.kind).toBe('footage')
    await page.goto(`${app.url}/studio/${referenceId}`)
    await page.getByTestId('preset-card').first().waitFor()
    expect(await noSideScroll()).toBe(true)
    await page.setViewportSize(desktop)
  }, 60_000)

  // Set up through the API: two short variants, rendered by this app's worker.
  it('plays both variants together, keeps them together through a swap, and the button says what they do', async () => {
    const created = await api.post(`/api/workspaces/${workspaceId}/studio/renders`, {
      videoId: footageId,
      name: 'Compare',
      recipe: { trim: { start: 0, end: 4 }, loudness: null, hook: { text: 'One' }, variations: { hookText: ['One', 'Two'] } },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    await page.goto(`${app.url}/studio/${footageId}`)
    const compare = page.getByTestId('compare')
    await compare.waitFor({ timeout: 120_000 })
    const left = compare.getByTestId('compare-left')
    const right = compare.getByTestId('compare-right')
    const button = compare.getByTestId('compare-play')
    const state = (player: Locator) => player.evaluate((video: HTMLVideoElement) => ({ paused: video.paused, time: video.currentTime, src: video.currentSrc }))
    const loaded = async () => (await Promise.all([left, right].map(player => player.evaluate((video: HTMLVideoElement) => video.readyState)))).every(ready => ready >= 2)
    await expect.poll(loaded, { timeout: 30_000 }).toBe(true)
    // Muted, so the headless browser's autoplay rules cannot stop a play.
    await left.evaluate((video: HTMLVideoElement) => {
      video.muted = true
    })
    await button.click()
    await expect.poll(async () => Math.min(...(await Promise.all([left, right].map(state))).map(each => each.time)), { timeout: 20_000 }).toBeGreaterThan(1)
    expect(await button.textContent()).toContain('Pause both')

    // Swap the right one to variant A while both play: both start again from the beginning, together.
    await compare.getByRole('combobox', { name: 'Right variant' }).click()
    await page.getByRole('option', { name: 'Compare · A' }).click()
    await expect.poll(async () => (await state(right)).src === (await state(left)).src).toBe(true)
    await expect.poll(async () => (await Promise.all([left, right].map(state))).map(each => each.paused), { timeout: 20_000 }).toEqual([false, false])
    const [afterLeft, afterRight] = await Promise.all([left, right].map(state))
    expect(Math.abs(afterLeft!.time - afterRight!.time), `left ${afterLeft!.time} s, right ${afterRight!.time} s`).toBeLessThan(0.5)
    expect(afterLeft!.time).toBeLessThan(1)
    expect(await button.textContent()).toContain('Pause both')

    // The players' own controls count too: paused there, the button offers to play again.
    await Promise.all([left, right].map(player => player.evaluate((video: HTMLVideoElement) => video.pause())))
    await expect.poll(() => button.textContent()).toContain('Play both')
    await button.click()
    await expect.poll(async () => (await Promise.all([left, right].map(state))).map(each => each.paused)).toEqual([false, false])
    // Both run to their end: the button is back to "Play both".
    await Promise.all([left, right].map(player => player.evaluate((video: HTMLVideoElement) => {
      video.currentTime = Math.max(0, video.duration - 0.3)
    })))
    await expect.poll(() => button.textContent(), { timeout: 10_000 }).toContain('Play both')
  }, 180_000)

  it('lists the variants before rendering exactly as they are rendered, the full length kept next to a shorter one', async () => {
    await page.goto(`${app.url}/studio/${footageId}`)
    // This footage has drafts from the tests before: the last one opens with the page, and stays in the editor until
    // the new draft is created. Changes go to the new draft only once the page has opened it (the address names it).
    const created = page.waitForResponse(response => response.request().method() === 'POST' && new URL(response.url()).pathname.endsWith('/studio/recipes'))
    await page.locator('[data-testid=preset-card][data-key=blank]').click()
    const { id: newDraftId } = await (await created).json() as { id: string }
    await expect.poll(() => new URL(page.url()).searchParams.get('draft'), { timeout: 15_000 }).toBe(newDraftId)
    await page.getByTestId('studio-editor').waitFor()
    // The new draft is saved before the first change (the page opens it by its id, as a reload would).
    await expect.poll(() => page.getByTestId('draft-save-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('saved')
    await page.getByRole('checkbox', { name: '5 s' }).click()
    await expect.poll(() => page.getByTestId('variant-count').getAttribute('data-count'), { timeout: 30_000 }).toBe('2')
    const planned = await page.getByTestId('variant-planned').allTextContents()
    expect(planned.map(text => text.replace(/\s+/g, ' ').trim())).toEqual(['A: full length', 'B: at most 5 s'])

    await page.locator('#studio-edit-name').fill('Lengths')
    await page.getByTestId('render-submit').click()
    const group = page.getByTestId('render-group').first()
    await expect.poll(() => group.textContent(), { timeout: 30_000 }).toContain('Lengths')
    const made = await group.getByTestId('render-card').evaluateAll(elements => elements.map(element =>
      `${element.getAttribute('data-label')}: ${element.querySelector('[data-testid=render-keys]')?.textContent?.replace(/\s+/g, ' ').trim()}`))
    expect(made).toEqual(planned.map(text => text.replace(/\s+/g, ' ').trim()))
    expect(pageErrors).toEqual([])
  }, 60_000)
})
