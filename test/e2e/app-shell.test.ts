import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sections } from '#shared/navigation'
import { fetchHealthReport, startBuiltApp, type RunningApp } from '../support/app-server'
import { launchChromium, reducedMotion, submitSignUp } from '../support/browser'

const screenshots = resolve(import.meta.dirname, '__screenshots__')

// The quick start: the built app on the embedded defaults, no variables, no keys.
describe('the app shell on a fresh data directory', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  const offsite: string[] = []
  const consoleErrors: string[] = []
  // What answered 5xx, with its body: a console line names only the status.
  const serverErrors: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-'))
    await mkdir(screenshots, { recursive: true })
    app = await startBuiltApp({ DATA_DIR: dataDir })
    browser = await launchChromium()
    page = await browser.newPage({ ...reducedMotion, viewport: { width: 1280, height: 800 } })
    // Nothing may leave the machine: fonts, icons and scripts all come from the app itself.
    await page.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname
      if (host === '127.0.0.1' || host === 'localhost') return route.continue()
      offsite.push(route.request().url())
      return route.abort()
    })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('response', async (response) => {
      if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.url()} ${(await response.text().catch(() => '')).slice(0, 1000)}`)
    })
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('answers /health with 200 on the embedded database, migrated at boot', async () => {
    const anonymous = await fetch(`${app.url}/health`)
    expect(anonymous.status).toBe(200)
    expect(await anonymous.json()).toEqual({ status: 'ok' })
    const health = await (await fetchHealthReport(app.url)).json()
    expect(health).toMatchObject({ status: 'ok', database: 'embedded', role: 'all', failing: [] })
    expect(health.checks.migrations.applied).toBeGreaterThan(0)
    expect(app.output()).toMatch(/created the embedded database in .* from the build's migrated template/)
  })

  it('leads a fresh install straight to creating the first account, which owns the first workspace', async () => {
    await page.goto(app.url)
    await page.waitForURL(`${app.url}/signup`)
    expect(await page.getByRole('heading', { name: 'Create the first account' }).count()).toBe(1)
    await submitSignUp(page, { name: 'Fiona First', email: 'fiona@example.test', password: 'first-account-password' })
    await page.waitForURL(`${app.url}/`)
    await expect.poll(() => page.getByTestId('workspace-switcher').textContent()).toContain('Fiona\'s workspace')
  })

  it('opens every sidebar page from the sidebar, and says plainly which are not built yet', async () => {
    await page.goto(app.url)
    await expect.poll(() => page.getByTestId('health-badge').textContent()).toContain('All systems working')
    for (const section of sections) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section.label }).click()
      // A page's code and first data arrive before the URL changes; on CI's loaded machine that took over 30 s once.
      // The path only: the calendar adds its date to the address at once (?date=), and a check that began after
      // that waited for the bare address until it timed out (twice on CI's loaded machine).
      await page.waitForURL(url => url.pathname === section.to, { timeout: 90_000 })
      await expect.poll(() => page.title()).toBe(section.key === 'home' ? 'Reelwise' : `${section.label} · Reelwise`)
      if (section.built) {
        expect(await page.getByTestId('not-built').count()).toBe(0)
      }
      else {
        expect(await page.getByTestId('not-built').textContent()).toContain(`${section.label} is not built yet`)
      }
      await page.mouse.move(900, 700)
      await page.screenshot({ path: join(screenshots, `${section.key}.png`), fullPage: true })
    }
  }, 300_000)

  it('shows the system checks in Settings (for the owner), with the ffmpeg version it found', async () => {
    await page.goto(`${app.url}/settings/system`)
    const status = page.getByTestId('system-status')
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/FFmpeg\s*\d+\.\d+/)
    expect(await status.textContent()).toContain('embedded PGlite')
  })

  it('renders a page on the server for a signed-in visitor, and sends others to sign in', async () => {
    const cookies = await page.context().cookies()
    const cookie = cookies.map(entry => `${entry.name}=${entry.value}`).join('; ')
    const html = await (await fetch(`${app.url}/analytics`, { headers: { cookie, accept: 'text/html' } })).text()
    // The page itself, not the sign-in form: its heading and the signed-in person's name come from the server.
    expect(html).toContain('How your posts did, and what it teaches')
    expect(html).toContain('Fiona First')
    const anonymous = await fetch(`${app.url}/studio`, { redirect: 'manual', headers: { accept: 'text/html' } })
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('location')).toBe('/login?next=/studio')
  })

  it('made no request off the machine and logged no errors in the browser', () => {
    expect(offsite).toEqual([])
    expect(consoleErrors, serverErrors.join('\n')).toEqual([])
  })
})
