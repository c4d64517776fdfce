// Every list tells apart loading, empty, error and signed out. A tab whose session ended elsewhere is sent to sign
// in with the way back, never shown "Your library is empty"; sign-in returns to the deep link, and only to one on this site.
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../support/api'
import type { RunningApp } from '../support/app-server'
import { closeAppInChromium, openAppInChromium, signUpFirstAccount, waitForHydration } from '../support/browser'

const person = { name: 'Sam Signedout', email: 'sam@example.test', password: 'async-states-password' }
const videosApi = '**/api/workspaces/*/videos'
// Screenshots for a person to look at, only when asked for (SHOTS_DIR=/tmp/shots-states).
const shotsDir = process.env.SHOTS_DIR

describe('loading, empty, error and signed out', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  const pageErrors: string[] = []

  async function shot(name: string) {
    if (shotsDir) await page.screenshot({ path: join(shotsDir, `${name}-${page.viewportSize()?.width}.png`), fullPage: true })
  }

  // A client-side visit, as from the sidebar: the list is fetched in the browser, not rendered by the server.
  async function openLibraryFromSidebar() {
    await waitForHydration(page)
    // At 390 px the sidebar sits behind the menu button, in a second navigation of the same name.
    if (!await page.locator('nav[aria-label=Main]:visible').count()) await page.getByRole('button', { name: 'Open sidebar' }).first().click()
    const navigation = page.locator('nav[aria-label=Main]:visible')
    await navigation.getByRole('link', { name: 'Library' }).click()
  }

  async function signIn() {
    await page.getByLabel('E-mail').fill(person.email)
    await page.getByLabel('Password').fill(person.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }

  async function noSidewaysScroll() {
    return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-states-'))
    if (shotsDir) await mkdir(shotsDir, { recursive: true })
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: { width: 1440, height: 900 }, pageErrors }))
    await signUpFirstAccount(page, app.url, person)
  })

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
    it(`shows a skeleton while the Library loads, then its next step when empty, and an error with Retry (${viewport.width} px)`, async () => {
      await page.setViewportSize(viewport)
      await page.goto(app.url)
      // Hold the list back to see the loading state, as a slow network would.
      let release!: () => void
      const held = new Promise<void>((resolve) => {
        release = resolve
      })
      await page.route(videosApi, async (route: Route) => {
        await held
        await route.continue()
      })
      await openLibraryFromSidebar()
      await page.getByTestId('async-loading').waitFor()
      expect(await page.getByTestId('library-empty').count()).toBe(0)
      await shot('library-loading')
      release()
      await page.getByTestId('library-empty').waitFor()
      expect(await page.getByTestId('library-empty').textContent()).toContain('Your library is empty')
      expect(await page.getByTestId('upload-input').count()).toBe(1)
      expect(await noSidewaysScroll()).toBe(0)
      await shot('library-empty')
      await page.unroute(videosApi)

      // A failed fetch is an error with its message and a way to try again, never "empty".
      await page.route(videosApi, route => route.fulfill({ status: 503, json: { statusCode: 503, statusMessage: 'The database did not answer in time. Try again in a minute.' } }))
      await page.goto(app.url)
      await openLibraryFromSidebar()
      const failure = page.getByTestId('async-error')
      await failure.waitFor()
      expect(await failure.textContent()).toContain('The database did not answer in time. Try again in a minute.')
      expect(await page.getByTestId('library-empty').count()).toBe(0)
      expect(await noSidewaysScroll()).toBe(0)
      await shot('library-error')
      await page.unroute(videosApi)
      await failure.getByRole('button', { name: 'Retry' }).click()
      await page.getByTestId('library-empty').waitFor()
      expect(await page.getByTestId('async-error').count()).toBe(0)
    })
  }

  it('stays on the page when only the access token had lapsed: the refresh cookie renews it and the list loads', async () => {
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(app.url)
    // The first answer is a 401, as for a token that expired while the tab slept; the session itself is alive.
    let refused = 0
    await page.route(videosApi, (route: Route) => refused++ === 0
      ? route.fulfill({ status: 401, json: { statusCode: 401, statusMessage: 'Your session has expired. Sign in again.' } })
      : route.continue())
    await openLibraryFromSidebar()
    await page.getByTestId('library-empty').waitFor()
    expect(new URL(page.url()).pathname).toBe('/library')
    expect(refused).toBe(2)
    await page.unroute(videosApi)
  })

  it('sends a tab whose session ended elsewhere to sign in, and back to the Library after it', async () => {
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(`${app.url}/library`)
    await page.getByTestId('library-empty').waitFor()
    await page.goto(app.url)
    await page.getByTestId('workspace-switcher').waitFor()

    // "Sign out of all devices" from another device: this tab still believes it is signed in.
    const otherDevice = new ApiClient(app.url)
    expect((await otherDevice.signIn(person.email, person.password)).status).toBe(200)
    expect((await otherDevice.post('/api/auth/logout-all')).status).toBe(200)

    await openLibraryFromSidebar()
    await expect.poll(async () => new URL(page.url()).pathname === '/login' || await page.getByTestId('library-empty').count() > 0).toBe(true)
    expect(await page.getByTestId('library-empty').count(), 'the signed-out tab read as "Your library is empty"').toBe(0)
    await page.waitForURL(/\/login/)
    expect(new URL(page.url()).searchParams.get('next')).toBe('/library')
    await shot('signed-out')
    await signIn()
    await page.waitForURL(`${app.url}/library`)
    await page.getByTestId('library-empty').waitFor()
  })

  it('returns to a deep link after a reload signed out, and refuses to send anyone off the site', async () => {
    expect((await page.request.post(`${app.url}/api/auth/logout-all`)).status()).toBe(200)
    await page.goto(`${app.url}/settings/members?tab=people`)
    await expect.poll(() => new URL(page.url()).searchParams.get('next')).toBe('/settings/members?tab=people')
    await signIn()
    await page.waitForURL(`${app.url}/settings/members?tab=people`)

    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
      expect((await page.request.post(`${app.url}/api/auth/logout`)).status()).toBe(200)
      await page.goto(`${app.url}/login?next=${encodeURIComponent(next)}`)
      await signIn()
      await page.waitForURL(`${app.url}/`)
    }
  })

  it('answers a page that does not exist in words, with a way home, at both sizes', async () => {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(viewport)
      const response = await page.goto(`${app.url}/library/not-a-page/at-all`)
      expect(response?.status()).toBe(404)
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('This page does not exist')
      expect(await noSidewaysScroll()).toBe(0)
      await shot('not-found')
      await page.getByRole('link', { name: 'Back to Home' }).click()
      await page.waitForURL(`${app.url}/`)
    }
    expect(pageErrors).toEqual([])
  })
})
