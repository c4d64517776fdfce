import { chromium, type Browser, type Page } from 'playwright-core'

// Debian's Chromium, never a downloaded one; the flags keep it from reaching for the network on its own.
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
