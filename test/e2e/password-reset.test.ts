import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { launchChromium, reducedMotion, waitForHydration } from '../support/browser'
import { createScratchPostgres, type ScratchDatabase } from '../support/postgres'
import { linkIn, startLoopbackSmtp, type LoopbackSmtp } from '../support/smtp'

// A person confirms their address from the mail, forgets their password, and gets back in through the mail's link.
// On PostgreSQL (the app migrates it at boot): the embedded database's start-up is covered by the other e2e files.
describe('e-mail links in the browser', () => {
  let smtp: LoopbackSmtp
  let database: ScratchDatabase
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  const address = 'paula@reset.test'

  beforeAll(async () => {
    smtp = await startLoopbackSmtp()
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-reset-'))
    database = await createScratchPostgres('reelwise_e2e_mail')
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: database.url, SMTP_URL: smtp.url, MAIL_FROM: 'Reelwise <no-reply@reelwise.test>' })
    browser = await launchChromium()
    page = await (await browser.newContext(reducedMotion)).newPage()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    await smtp?.close()
    await database?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  // Typing or clicking before Vue has taken over the page is lost (a click would submit the bare HTML form).
  async function signIn(password: string, email = address) {
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }

  it('asks a new account to confirm its address, and the link from the mail does', async () => {
    expect((await new ApiClient(app.url).signUp({ name: 'Paula', email: address, password: 'paula-old-password' })).status).toBe(201)
    await page.goto(`${app.url}/login`)
    await waitForHydration(page)
    await signIn('paula-old-password')
    await page.waitForURL(`${app.url}/`)
    await expect.poll(() => page.getByTestId('verify-email-banner').textContent()).toContain(address)

    await page.goto(linkIn(await smtp.waitFor(address), '/verify-email/').url)
    await expect.poll(() => page.getByTestId('email-verified').textContent()).toContain(`${address} is confirmed`)
    await page.goto(`${app.url}/`)
    await expect.poll(() => page.getByTestId('workspace-switcher').count()).toBe(1)
    expect(await page.getByTestId('verify-email-banner').count()).toBe(0)
  })

  it('resets a forgotten password from the sign-in page, then signs in with the new one', async () => {
    await page.context().clearCookies()
    await page.goto(`${app.url}/login`)
    await waitForHydration(page)
    await page.getByRole('link', { name: 'Forgot password?' }).click()
    await page.waitForURL(`${app.url}/forgot-password`)
    await page.getByLabel('E-mail').fill(address)
    await page.getByRole('button', { name: 'E-mail me a link' }).click()
    await expect.poll(() => page.getByTestId('reset-sent').textContent()).toContain('on its way')

    await page.goto(linkIn(await smtp.waitFor(address, 2), '/reset-password/').url)
    await waitForHydration(page)
    await page.getByLabel('New password', { exact: true }).fill('paula-new-password')
    await page.getByLabel('New password again').fill('paula-new-password')
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await page.waitForURL(`${app.url}/login?reset=1`)
    await expect.poll(() => page.getByTestId('password-changed').count()).toBe(1)

    await signIn('paula-old-password')
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('Wrong e-mail or password')
    await signIn('paula-new-password')
    await page.waitForURL(`${app.url}/`)
    await expect.poll(() => page.getByTestId('workspace-switcher').count()).toBe(1)
  })

  it('says calmly that a malformed or dead link does not work, with the way to a new one', async () => {
    const resetAdvice = 'This link is not valid. Ask for a new link with "Forgot password?" on the sign-in page.'
    const verifyAdvice = 'This link is not valid. Send a new link from the banner in the app.'
    const pageText = () => page.locator('body').innerText()
    await page.context().clearCookies()

    // Too short, too long, and well-formed but unknown: the same words, signed out.
    for (const token of ['abc', 'x'.repeat(500), 'x'.repeat(43)]) {
      await page.goto(`${app.url}/verify-email/${token}`)
      await expect.poll(() => page.getByTestId('form-error').textContent()).toBe(verifyAdvice)
      expect(await pageText()).not.toContain('Validation Error')
      expect(await page.getByRole('link', { name: 'Sign in to send a new link' }).getAttribute('href')).toBe('/login')
    }
    for (const token of ['abc', 'x'.repeat(500)]) {
      await page.goto(`${app.url}/reset-password/${token}`)
      await waitForHydration(page)
      await expect.poll(() => page.getByTestId('form-error').textContent()).toContain(resetAdvice)
      expect(await pageText()).not.toContain('Validation Error')
      // No form to fill for a link that cannot work.
      expect(await page.getByLabel('New password again').count()).toBe(0)
      expect(await page.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe('/forgot-password')
    }
    // A well-formed link is only known to be dead once the server looked it up.
    await page.goto(`${app.url}/reset-password/${'x'.repeat(43)}`)
    await waitForHydration(page)
    await page.getByLabel('New password', { exact: true }).fill('paula-third-password')
    await page.getByLabel('New password again').fill('paula-third-password')
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await expect.poll(() => page.getByTestId('form-error').textContent()).toBe(resetAdvice)
    expect(await pageText()).not.toContain('Validation Error')

    // Signed in with an address still to confirm, the page offers to send a new link there and then.
    const other = 'otto.lindqvist-schoenhausen@reset.test'
    expect((await new ApiClient(app.url).signUp({ name: 'Otto', email: other, password: 'otto-long-password' })).status).toBe(201)
    await smtp.waitFor(other)
    await page.goto(`${app.url}/login`)
    await waitForHydration(page)
    await signIn('otto-long-password', other)
    await page.waitForURL(`${app.url}/`)
    await page.goto(`${app.url}/verify-email/abc`)
    await expect.poll(() => page.getByTestId('form-error').textContent()).toBe(verifyAdvice)
    expect(await pageText()).not.toContain('Validation Error')
    // The banner fits the narrow card: no word spills out of it, and its button does not sit on its words.
    const layout = await page.getByTestId('verify-email-banner').evaluate((banner) => {
      const description = banner.querySelector('[data-slot="description"]')!
      const [words, button] = [description, banner.querySelector('button')!].map(element => element.getBoundingClientRect())
      const apart = words!.right <= button!.left || button!.right <= words!.left || words!.bottom <= button!.top || button!.bottom <= words!.top
      return { spills: description.scrollWidth > description.clientWidth, apart }
    })
    expect(layout).toEqual({ spills: false, apart: true })
    await page.getByRole('button', { name: 'Send the link again' }).click()
    await expect.poll(() => page.getByTestId('verify-email-banner').textContent()).toContain(`A new link is on its way to ${other}`)
    await page.goto(linkIn(await smtp.waitFor(other, 2), '/verify-email/').url)
    await expect.poll(() => page.getByTestId('email-verified').textContent()).toContain(`${other} is confirmed`)
  })
})
