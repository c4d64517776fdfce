// Studio edits are kept: an edit is a saved draft, so a reload mid-render brings back the hook, the captions and the
// name; changing one caption and rendering again is two steps; a finished render opens what it used ("Edit again")
// or a copy of it ("Duplicate"). Desktop first, then the same page at 390 px.
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningApp } from '../support/app-server'
import { closeAppInChromium, openAppInChromium, reducedMotion, signUpFirstAccount } from '../support/browser'
import { generateClip, type GeneratedClip } from '../support/media'

const shots = '/tmp/shots-drafts'

describe('Studio drafts in a browser', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  let clip: GeneratedClip
  let videoId: string
  const pageErrors: string[] = []

  // The value of a field, or what stands in its place when the editor is not open.
  const valueOf = (selector: string) => page.locator(selector).inputValue({ timeout: 1000 }).catch(() => '(no editor open)')
  // A reload, then the editor drawn again. When it is not, the failure shows what the page showed instead: under a
  // loaded CI machine a bare 1-second wait once said only '(no editor open)'.
  const reloadEditor = async () => {
    await page.reload()
    await page.getByTestId('studio-editor').waitFor({ timeout: 15_000 }).catch(async () => {
      const shown = await page.locator('main').innerText().catch(() => '(no main element)')
      throw new Error(`After a reload the editor was not drawn. The page (${page.url()}) showed:\n${shown.slice(0, 1500)}\nServer log:\n${app.output().slice(-2000)}`)
    })
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-drafts-'))
    clip = await generateClip(join(dataDir, 'knife-tips.mp4'), { width: 320, height: 180, fps: 25, shots: [2, 2], audio: [{ tone: -16, seconds: 4 }] })
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: { width: 1440, height: 900 }, pageErrors }))
  })

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  it('keeps the hook, the captions and the name through a reload mid-render', async () => {
    await signUpFirstAccount(page, app.url, { name: 'Dee Draft', email: 'dee@example.test', password: 'studio-password-1' })
    // The footage comes in through the API (tus, with the page's session): the upload is not what is tested here.
    const session = await (await page.request.get(`${app.url}/api/auth/session`)).json() as { workspaces: { id: string }[] }
    const workspaceId = session.workspaces[0]!.id
    const bytes = await readFile(clip.path)
    const metadata = `filename ${Buffer.from('knife-tips.mp4').toString('base64')},kind ${Buffer.from('footage').toString('base64')}`
    const created = await page.request.post(`${app.url}/api/workspaces/${workspaceId}/uploads`, { headers: { 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': metadata } })
    expect(created.status()).toBe(201)
    const patched = await page.request.patch(new URL(created.headers().location!, app.url).href, { headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, data: bytes })
    expect(patched.status()).toBe(204)
    const videos = async () => (await (await page.request.get(`${app.url}/api/workspaces/${workspaceId}/videos`)).json() as { videos: { id: string, status: string }[] }).videos
    await expect.poll(async () => (await videos())[0]?.status, { timeout: 120_000, interval: 500 }).toBe('ready')
    videoId = (await videos())[0]!.id

    await page.goto(`${app.url}/studio/${videoId}`)
    await page.locator('[data-testid=preset-card][data-key=fast-hook-captions]').click()
    await page.getByTestId('studio-editor').waitFor()
    await page.locator('#studio-hook-text').fill('Three knife mistakes')
    await page.getByRole('button', { name: 'Add a caption' }).click()
    await page.locator('#studio-cue-0-text').fill('Sharp knives cut cleaner')
    // Typed captions have no word times: the word-by-word style says its timing is approximate.
    expect(await page.getByTestId('caption-style').textContent()).toContain('Approximate timing')
    // And so does the summary of what it will render.
    expect(await page.getByTestId('variant-approximate-timing').textContent()).toContain('approximate timing')
    await page.locator('#studio-edit-name').fill('Knife tips')
    await page.getByTestId('render-submit').click()
    await expect.poll(() => page.getByTestId('render-card').count(), { timeout: 30_000 }).toBe(1)

    await reloadEditor()
    expect(await valueOf('#studio-hook-text')).toBe('Three knife mistakes')
    expect(await valueOf('#studio-cue-0-text')).toBe('Sharp knives cut cleaner')
    expect(await valueOf('#studio-edit-name')).toBe('Knife tips')
    // The render went on meanwhile, and its card is still there.
    expect(await page.getByTestId('render-card').count()).toBe(1)

    // An edit with no render is saved on its own, about a second after the last change.
    await page.locator('#studio-hook-text').fill('Three knife mistakes to stop')
    await expect.poll(() => page.getByTestId('draft-save-state').getAttribute('data-state')).toBe('saved')
    await reloadEditor()
    expect(await valueOf('#studio-hook-text')).toBe('Three knife mistakes to stop')
    await page.getByTestId('draft-list').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(shots, 'studio-drafts-1440.png') })

    // A second tab saves first: this one says so, overwrites nothing, and loads the newer draft when asked.
    const otherTab = await browser.newContext({ ...reducedMotion, storageState: await page.context().storageState(), viewport: { width: 1440, height: 900 } })
    const other = await otherTab.newPage()
    await other.goto(page.url())
    await other.locator('#studio-hook-text').fill('From the other tab')
    await expect.poll(() => other.getByTestId('draft-save-state').getAttribute('data-state')).toBe('saved')
    await otherTab.close()
    await page.locator('#studio-hook-text').fill('From this tab')
    await expect.poll(() => page.getByTestId('draft-save-state').getAttribute('data-state')).toBe('conflict')
    expect(await page.getByTestId('draft-conflict').textContent()).toContain('changed in another tab')
    await page.getByTestId('draft-conflict').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(shots, 'studio-conflict-1440.png') })
    await page.getByRole('button', { name: 'Load the newer one' }).click()
    await expect.poll(() => valueOf('#studio-hook-text')).toBe('From the other tab')
    expect(await page.getByTestId('draft-save-state').getAttribute('data-state')).toBe('saved')

    // A reload straight after typing, before the autosave's second is up, keeps what was typed.
    await page.locator('#studio-hook-text').fill('Typed just before the reload')
    await reloadEditor()
    await expect.poll(() => valueOf('#studio-hook-text')).toBe('Typed just before the reload')
    await page.locator('#studio-cue-0-text').fill('Sharp knives cut cleaner, really')
    await expect.poll(() => page.getByTestId('draft-save-state').getAttribute('data-state')).toBe('saved')

    // What cannot be saved is said, with what to fix; fixing it saves.
    await page.locator('#studio-edit-name').fill('')
    await expect.poll(() => page.getByTestId('draft-save-state').getAttribute('data-state')).toBe('failed')
    expect(await page.getByTestId('draft-save-state').textContent()).toContain('Not saved: Name: Name the edit.')
    await page.locator('#studio-edit-name').fill('Knife tips')
    await expect.poll(() => page.getByTestId('draft-save-state').getAttribute('data-state')).toBe('saved')
    expect(pageErrors).toEqual([])
  }, 240_000)

  it('renders a changed caption again with two steps: the text, then Render', async () => {
    await page.locator('#studio-cue-0-text').fill('Sharper knives cut cleaner')
    await page.getByTestId('render-submit').click()
    await expect.poll(() => page.getByTestId('render-group').count(), { timeout: 30_000 }).toBe(2)
    expect(await page.getByTestId('render-group').first().textContent()).toContain('Knife tips')
    const statuses = () => page.getByTestId('render-card').evaluateAll(cards => cards.map(card => card.getAttribute('data-status')))
    await expect.poll(statuses, { timeout: 180_000, interval: 1000 }).toEqual(['succeeded', 'succeeded'])
    expect(await page.getByTestId('render-approximate-timing').count()).toBe(2)
    await page.getByTestId('render-group').first().scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(shots, 'studio-renders-1440.png') })
  }, 240_000)

  it('opens what a render used with "Edit again", and a named copy with "Duplicate", at 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    // The older render was made with the first caption; the draft has moved on since.
    const older = page.getByTestId('render-group').nth(1)
    await older.getByRole('button', { name: 'Edit again' }).click()
    await expect.poll(() => valueOf('#studio-cue-0-text')).toBe('Sharp knives cut cleaner')
    expect(await valueOf('#studio-hook-text')).toBe('Three knife mistakes')
    // The editor comes into view, its draft's name on top.
    await expect.poll(() => page.getByTestId('studio-editor').evaluate(element => Math.abs(element.getBoundingClientRect().top) < 200)).toBe(true)
    expect(await page.getByTestId('studio-editor').textContent()).toContain('Editing Knife tips (as rendered)')
    // The changed draft is still among this footage's drafts.
    await expect.poll(() => page.getByTestId('draft-item').count()).toBe(2)
    await page.screenshot({ path: join(shots, 'studio-edit-again-390.png'), fullPage: false })
    await page.getByTestId('caption-style').screenshot({ path: join(shots, 'studio-caption-style-390.png') })

    await page.getByTestId('render-group').first().getByRole('button', { name: 'Duplicate' }).click()
    await expect.poll(() => valueOf('#studio-edit-name')).toBe('Knife tips (copy)')
    expect(await valueOf('#studio-cue-0-text')).toBe('Sharper knives cut cleaner')
    await expect.poll(() => page.getByTestId('draft-item').count()).toBe(3)
    await reloadEditor()
    expect(await valueOf('#studio-edit-name')).toBe('Knife tips (copy)')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.getByTestId('draft-list').screenshot({ path: join(shots, 'studio-drafts-390.png') })
    await page.getByTestId('draft-save-state').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(shots, 'studio-editor-390.png') })
    expect(pageErrors).toEqual([])
  }, 120_000)
})
