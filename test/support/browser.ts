import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startBuiltApp, type RunningApp } from './app-server'

// Debian's Chromium, never a downloaded one. Its headless shell (package chromium-headless-shell) first: the same Blink
// and V8 without the desktop browser around them, it drew the every-page journey with 157 CPU-s of the machine against
// 226 for `chromium --headless`, which matters on two cores shared with the integration runs. The flags keep it from
// reaching for the network on its own.
const chromiumPath = process.env.CHROMIUM_PATH
  ?? (existsSync('/usr/bin/chromium-headless-shell') ? '/usr/bin/chromium-headless-shell' : '/usr/bin/chromium')

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/** Fills the sign-up form on the current page and submits it with the button named `button`. */
export async function submitSignUp(page: Page, person: { name: string, email: string, password: string }, button = 'Create account'): Promise<void> {
  await page.getByLabel('Your name').fill(person.name)
  await page.getByLabel('E-mail').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: button }).click()
}

/**
 * Options for every page and context a test opens: the system asks for reduced motion, as a person can in their
 * settings, so the app holds its spinners still (assets/css/main.css). A spinning one keeps headless Chromium drawing
 * sixty frames a second, about a tenth of a core, for as long as a page waits on a job.
 */
export const reducedMotion = { reducedMotion: 'reduce' } as const

export interface AppInChromium { app: RunningApp, browser: Browser, page: Page }

/** A built app with `env`, and Chromium with one page at `viewport` whose uncaught errors go to `pageErrors`. */
export async function openAppInChromium(env: Record<string, string>, options: { viewport: { width: number, height: number }, pageErrors: string[] }): Promise<AppInChromium> {
  const app = await startBuiltApp(env)
  const browser = await launchChromium()
  const page = await browser.newPage({ ...reducedMotion, viewport: options.viewport })
  page.on('pageerror', error => options.pageErrors.push(error.message))
  return { app, browser, page }
}

/** Closes what openAppInChromium opened (any part may be missing when setup failed) and removes the data folder. */
export async function closeAppInChromium(opened: Partial<AppInChromium>, dataDir: string | undefined): Promise<void> {
  await opened.browser?.close()
  await opened.app?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
}

/** A fresh app sends its first visitor to sign-up: create the first account there and land on Home. */
export async function signUpFirstAccount(page: Page, appUrl: string, person: { name: string, email: string, password: string }): Promise<void> {
  await page.goto(appUrl)
  await page.waitForURL(`${appUrl}/signup`)
  await submitSignUp(page, person)
  await page.waitForURL(`${appUrl}/`)
}

/** Waits until Nuxt has hydrated the page, so clicks are handled by the app (client navigation), not as plain links. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = (document.querySelector('#__nuxt') as { __vue_app__?: { config: { globalProperties: { $nuxt?: { isHydrating?: boolean } } } } } | null)?.__vue_app__
    return app?.config.globalProperties.$nuxt?.isHydrating === false
  })
}

/**
 * Says what the next upload is, on the Library page, as a person would: a click on the choice. Only once the page is
 * interactive, since a click on the server-drawn page before Vue takes over is lost (the upload input then stays off).
 */
export async function chooseUploadKind(page: Page, kind: 'Reference' | 'Footage'): Promise<void> {
  await waitForHydration(page)
  await page.getByRole('radio', { name: new RegExp(kind) }).click()
  await page.getByRole('radio', { name: new RegExp(kind), checked: true }).waitFor()
}
