// A creator's first run, in Chromium at 1440×900 and at 390×844: Home's checklist moves as footage arrives; the
// profile renames and changes the password (signing out the other device); the brand profile is saved; and Jobs and
// Audit read as sentences, in the workspace's time zone, with the zone named.
import { mkdir, mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../support/api'
import type { RunningApp } from '../support/app-server'
import { closeAppInChromium, openAppInChromium, signUpFirstAccount } from '../support/browser'
import { generateClip } from '../support/media'
import { TusTestClient } from '../support/tus'

const shots = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'shots-home')
const person = { name: 'Nora Maker', email: 'nora@example.test', password: 'first-run-password-1' }

describe('first run: Home, profile, brand, Jobs and Audit', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  let phone: ApiClient
  let workspaceId: string
  const pageErrors: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-home-'))
    await mkdir(shots, { recursive: true })
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: { width: 1440, height: 900 }, pageErrors }))
  })

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  /** At 390 px nothing may scroll sideways. */
  async function fitsThePhone(name: string) {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.waitForTimeout(200)
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(shots, `${name}-390.png`), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  }

  it('Home starts as a checklist with nothing done, and ticks footage off once a clip is uploaded', async () => {
    await signUpFirstAccount(page, app.url, person)
    const checklist = page.getByTestId('home-checklist')
    await expect.poll(() => page.getByTestId('checklist-progress').textContent()).toBe('0 of 3 done')
    expect(await checklist.locator('[data-key="accounts"]').textContent()).toContain('not built yet')
    expect(await checklist.getByRole('link', { name: 'Upload footage' }).getAttribute('href')).toBe('/library')

    // Another device of Nora's uploads a clip (the upload itself is the Library's test).
    phone = new ApiClient(app.url)
    expect((await phone.signIn(person.email, person.password)).status).toBe(200)
    workspaceId = (await phone.session()).workspaces[0]!.id
    const clip = await generateClip(join(dataDir, 'kitchen.mp4'), { width: 320, height: 568, fps: 15, shots: [1, 1], audio: [{ tone: -16, seconds: 2 }] })
    expect((await new TusTestClient(phone, workspaceId).upload(clip.path, (await stat(clip.path)).size, { filename: 'kitchen.mp4', kind: 'footage' })).status).toBe(204)
    // Tokyo, set by the API: the times below must follow the workspace, not the browser.
    expect((await phone.patch(`/api/workspaces/${workspaceId}`, { timeZone: 'Asia/Tokyo' })).status).toBe(200)

    await page.reload()
    await expect.poll(() => page.getByTestId('checklist-progress').textContent()).toBe('1 of 3 done')
    expect(await page.locator('[data-key="footage"]').getAttribute('data-done')).toBe('true')
    await expect.poll(() => page.getByTestId('home-jobs').textContent()).toContain('Analysis of “kitchen”')
    expect(await page.getByText('Times are in Asia/Tokyo').count()).toBe(1)
    await page.screenshot({ path: join(shots, 'home-1440.png'), fullPage: true })
    await fitsThePhone('home')
  })

  it('the profile renames Nora and changes her password, signing out the other device only', async () => {
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Your profile' }).click()
    await page.waitForURL(`${app.url}/settings/profile`)
    expect(await page.getByTestId('other-sessions').textContent()).toContain('also signed in on 1 other device')
    expect(await page.getByTestId('profile-email').inputValue()).toBe(person.email)
    await page.getByLabel('Your name').fill('Nora Lind')
    await page.getByRole('button', { name: 'Save name' }).click()
    await expect.poll(() => page.getByTestId('user-menu').textContent()).toContain('Nora Lind')

    await page.getByLabel('Current password').fill('not-my-password')
    await page.getByLabel('New password').fill('second-run-password-2')
    await page.getByRole('button', { name: 'Change password' }).click()
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('current password is not right')
    await page.getByLabel('Current password').fill(person.password)
    await page.getByRole('button', { name: 'Change password' }).click()
    // The page says so, and the other device is really out.
    await expect.poll(() => page.getByTestId('other-sessions').textContent(), { timeout: 20_000 }).toContain('This is the only device signed in')
    expect((await phone.get('/api/auth/session')).status).toBe(401)
    await page.screenshot({ path: join(shots, 'profile-1440.png'), fullPage: true })
    await fitsThePhone('profile')
  })

  it('the brand profile is saved and read back', async () => {
    await page.goto(`${app.url}/settings/brand`)
    const form = page.getByTestId('brand-form')
    await expect.poll(() => page.getByText('Not saved yet.').count()).toBe(1)
    await form.getByLabel('Niche').fill('Weeknight cooking in 20 minutes')
    await form.getByLabel('Audience').fill('Busy parents who cook after work')
    await form.getByRole('button', { name: 'Add a goal' }).click()
    await form.getByLabel('Goal 1: what').fill('followers')
    await form.getByLabel('Goal 1: target').fill('10 000')
    await form.getByLabel('Instagram Reels').check()
    await form.getByLabel('Cadence').fill('3 reels a week')
    await form.getByRole('button', { name: 'Save brand profile' }).click()
    await expect.poll(() => page.getByText(/Last saved .*GMT\+9/).count()).toBe(1)
    await page.reload()
    await expect.poll(() => page.getByLabel('Goal 1: what').inputValue()).toBe('followers')
    expect(await page.getByLabel('Niche').inputValue()).toBe('Weeknight cooking in 20 minutes')
    expect(await page.getByLabel('Instagram Reels').isChecked()).toBe(true)
    await page.screenshot({ path: join(shots, 'brand-1440.png'), fullPage: true })
    await fitsThePhone('brand')
  })

  it('Jobs names the video and its outcome, and Audit speaks in sentences, both in Tokyo time', async () => {
    await page.goto(`${app.url}/settings/jobs`)
    const jobs = page.getByTestId('job-list')
    await expect.poll(() => jobs.textContent()).toContain('Analysis of “kitchen”')
    expect(await jobs.textContent()).not.toContain('media.analyse')
    expect(await page.getByText('Times are in Asia/Tokyo').count()).toBe(1)
    expect(await page.getByTestId('job-when').first().textContent()).toMatch(/GMT\+9/)
    await page.screenshot({ path: join(shots, 'jobs-1440.png'), fullPage: true })
    await fitsThePhone('jobs')

    await page.goto(`${app.url}/settings/audit`)
    const audit = page.getByTestId('audit-list')
    await expect.poll(() => audit.textContent()).toContain('Nora Lind changed their password and signed out 1 other session')
    const text = await audit.textContent()
    for (const sentence of ['Nora Lind set the time zone to “Asia/Tokyo”', 'Nora Lind changed their name to “Nora Lind”', 'Nora Lind updated the brand profile', 'Nora Lind created an account']) expect(text).toContain(sentence)
    expect(text).not.toMatch(/null|undefined/)
    expect(text).toMatch(/GMT\+9/)
    await page.screenshot({ path: join(shots, 'audit-1440.png'), fullPage: true })
    await fitsThePhone('audit')
    expect(pageErrors).toEqual([])
  })
})
