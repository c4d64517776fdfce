import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { launchChromium, reducedMotion, submitSignUp } from '../support/browser'

// A team shares a workspace: the owner signs up, renames the workspace and invites an editor; the editor joins
// and signs in; the editor cannot change roles; the owner can.
describe('a small team joins one workspace', () => {
  let app: RunningApp
  let browser: Browser
  let owner: Page
  let editor: Page
  let dataDir: string
  let inviteLink = ''

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-team-'))
    app = await startBuiltApp({ DATA_DIR: dataDir })
    browser = await launchChromium()
    owner = await (await browser.newContext(reducedMotion)).newPage()
    editor = await (await browser.newContext(reducedMotion)).newPage()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  async function fillSignUp(page: Page, name: string, email: string, button: string) {
    await submitSignUp(page, { name, email, password: 'team-journey-password' }, button)
    await page.waitForURL(`${app.url}/`)
  }

  it('the owner signs up and renames the workspace', async () => {
    await owner.goto(`${app.url}/signup`)
    await fillSignUp(owner, 'Olivia Owner', 'olivia@team.test', 'Create account')
    await owner.goto(`${app.url}/settings`)
    await owner.getByLabel('Workspace name').fill('Studio North')
    await owner.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => owner.getByTestId('workspace-switcher').textContent()).toContain('Studio North')
  })

  it('the owner invites an editor by link', async () => {
    await owner.goto(`${app.url}/settings/members`)
    await owner.getByRole('button', { name: 'Create invite link' }).click()
    await expect.poll(() => owner.getByTestId('invite-link').inputValue()).toContain('/invite/')
    inviteLink = await owner.getByTestId('invite-link').inputValue()
    await expect.poll(() => owner.getByText('Anyone with the link · editor').count()).toBe(1)
  })

  it('the editor accepts the invite, then signs out and back in', async () => {
    await editor.goto(inviteLink)
    await expect.poll(() => editor.getByRole('heading', { name: 'Join Studio North' }).count()).toBe(1)
    expect(await editor.getByText('Olivia Owner invited you as editor.').count()).toBe(1)
    await fillSignUp(editor, 'Eddie Editor', 'eddie@team.test', 'Create account and join')
    await expect.poll(() => editor.getByTestId('workspace-switcher').textContent()).toContain('Studio North')

    await editor.getByTestId('user-menu').click()
    await editor.getByRole('menuitem', { name: 'Sign out', exact: true }).click()
    await editor.waitForURL(`${app.url}/login`)
    await editor.getByLabel('E-mail').fill('eddie@team.test')
    await editor.getByLabel('Password').fill('team-journey-password')
    await editor.getByRole('button', { name: 'Sign in' }).click()
    await editor.waitForURL(`${app.url}/`)
    await expect.poll(() => editor.getByTestId('workspace-switcher').textContent()).toContain('Studio North')
  })

  it('the editor cannot open Members to change roles', async () => {
    await editor.goto(`${app.url}/settings/members`)
    await expect.poll(() => editor.getByTestId('needs-role').textContent()).toContain('Only admins and owners can manage members')
    expect(await editor.getByTestId('member-list').count()).toBe(0)
  })

  it('the owner can, and the change shows, in the editor\'s open tab too, without a reload', async () => {
    // The editor has the brand profile open, which an editor may change.
    await editor.goto(`${app.url}/settings/brand`)
    await expect.poll(() => editor.getByRole('button', { name: 'Save brand profile' }).count()).toBe(1)
    await owner.goto(`${app.url}/settings/members`)
    const row = owner.locator('[data-email="eddie@team.test"]')
    await expect.poll(() => row.count()).toBe(1)
    await row.getByRole('combobox', { name: 'Role' }).click()
    await owner.getByRole('option', { name: 'viewer' }).click()
    await expect.poll(() => owner.getByText('Eddie Editor is now a viewer').count()).toBeGreaterThan(0)
    await owner.reload()
    await expect.poll(() => owner.locator('[data-email="eddie@team.test"]').getByRole('combobox', { name: 'Role' }).textContent()).toContain('viewer')
    // Eddie comes back to his window (on another device): the page follows his new role without a reload.
    await editor.evaluate(() => window.dispatchEvent(new Event('focus')))
    await expect.poll(() => editor.getByText('you can read it').count()).toBe(1)
    expect(await editor.getByRole('button', { name: 'Save brand profile' }).count()).toBe(0)
  })

  it('the owner can open the Jobs page; the editor cannot', async () => {
    await owner.goto(`${app.url}/settings/jobs`)
    await expect.poll(() => owner.getByTestId('job-counts').textContent()).toContain('failed: 0')
    await editor.goto(`${app.url}/settings/jobs`)
    await expect.poll(() => editor.getByTestId('needs-role').textContent()).toContain('Only admins and owners can see background jobs')
  })

  it('the owner sees it all in the audit trail', async () => {
    await owner.goto(`${app.url}/settings/audit`)
    const audit = owner.getByTestId('audit-list')
    await expect.poll(() => audit.textContent()).toContain('Olivia Owner changed eddie@team.test\'s role from editor to viewer')
    const text = await audit.textContent()
    for (const entry of ['Eddie Editor joined through an invite as an editor', 'Olivia Owner created an invite link for an editor', 'Olivia Owner set the name to “Studio North”', 'Eddie Editor signed in', 'Eddie Editor signed out']) expect(text).toContain(entry)
    expect(text).not.toMatch(/null|undefined/)
  })

  it('the viewer leaves, and is offered a workspace of their own', async () => {
    await editor.goto(`${app.url}/settings`)
    await editor.getByRole('button', { name: 'Leave workspace' }).click()
    await expect.poll(() => editor.getByTestId('no-workspace').count()).toBe(1)
    await editor.getByRole('button', { name: 'New workspace' }).click()
    await editor.getByLabel('Name').fill('Eddie Edits')
    await editor.getByRole('button', { name: 'Create workspace' }).click()
    await expect.poll(() => editor.getByTestId('workspace-switcher').textContent()).toContain('Eddie Edits')
  })
})
