// Every page of the app, found from the pages folder, at a desktop and a phone size: axe-core finds no serious or
// critical WCAG 2.1 A/AA violation, nothing clickable is out of a keyboard's reach, nothing scrolls sideways at
// 390 px, and every control is a 44 px touch target there. A new page is checked without anyone adding it here.
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { root, type RunningApp } from '../support/app-server'
import { chooseUploadKind, closeAppInChromium, openAppInChromium, reducedMotion, signUpFirstAccount } from '../support/browser'
import { generateClip } from '../support/media'
import { horizontalOverflow, seriousAccessibilityViolations, smallControls, unreachableByKeyboard } from '../support/page-checks'

interface AppPage { path: string, signedOut: boolean }

/** The routes the pages folder makes, with each `[param]` given a value, and whether it is a signed-out page. */
async function discoverPages(values: Record<string, string>): Promise<AppPage[]> {
  const folder = resolve(root, 'pages')
  const files = (await readdir(folder, { recursive: true })).filter(file => file.endsWith('.vue'))
  const pages: AppPage[] = []
  for (const file of files.sort()) {
    const source = await readFile(join(folder, file), 'utf8')
    const route = relative('.', file).replace(/\.vue$/, '').replace(/(^|\/)index$/, '')
    const path = `/${route.replace(/\[(\w+)\]/g, (_, name: string) => {
      if (!(name in values)) throw new Error(`every-page.test.ts: give the route parameter "${name}" (pages/${file}) a value`)
      return values[name]!
    })}`
    pages.push({ path, signedOut: /layout:\s*'auth'/.test(source) })
  }
  return pages
}

const sizes = [
  { name: 'desktop', viewport: { width: 1440, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const

describe('every page, at desktop and phone sizes', () => {
  let app: RunningApp
  let browser: Browser
  let page: Page
  let dataDir: string
  const pageErrors: string[] = []
  let pages: AppPage[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-e2e-pages-'))
    const clip = await generateClip(join(dataDir, 'pasta-night.mp4'), { width: 360, height: 640, fps: 30, shots: [1, 1], audio: [{ tone: -16, seconds: 2 }] })
    ;({ app, browser, page } = await openAppInChromium({ DATA_DIR: dataDir }, { viewport: sizes[0].viewport, pageErrors }))
    await signUpFirstAccount(page, app.url, { name: 'Ada Access', email: 'ada@example.test', password: 'every-page-password' })
    // Something in every list: a footage video (uploaded as a person would) and a pending invite.
    await page.goto(`${app.url}/library`)
    await chooseUploadKind(page, 'Footage')
    await page.getByTestId('upload-input').setInputFiles(clip.path)
    const card = page.getByTestId('video-card').first()
    await card.and(page.locator('[data-status=ready]')).waitFor({ timeout: 120_000 })
    // The outcome was announced to screen readers, not only drawn.
    expect(await page.locator('.nuxt-announcer [role=status]').textContent()).toContain('pasta-night.mp4 is uploaded')
    const workspaces = await (await page.request.get(`${app.url}/api/workspaces`)).json() as { id: string }[]
    const workspaceId = workspaces[0]!.id
    const { videos } = await (await page.request.get(`${app.url}/api/workspaces/${workspaceId}/videos`)).json() as { videos: { id: string }[] }
    expect((await page.request.post(`${app.url}/api/workspaces/${workspaceId}/invites`, { data: { email: 'ben@example.test', role: 'editor' } })).ok()).toBe(true)
    // A saved draft, so the Studio page opens with its editor (crop, hook, captions) rather than the preset picker.
    const { presets } = await (await page.request.get(`${app.url}/api/workspaces/${workspaceId}/studio/presets?videoId=${videos[0]!.id}`)).json() as { presets: { key: string, recipe: { captions: { cues: unknown[] } | null } }[] }
    const preset = presets.find(each => each.key === 'fast-hook-captions')!
    const recipe = { ...preset.recipe, captions: { ...preset.recipe.captions, cues: [{ start: 0.2, end: 1.4, text: 'Pasta night, the quick way' }] } }
    expect((await page.request.post(`${app.url}/api/workspaces/${workspaceId}/studio/recipes`, { data: { videoId: videos[0]!.id, name: 'Pasta night cut', recipe, presetKey: preset.key } })).status()).toBe(201)
    // Two scripts from the local generator, so the Scripts list and a script page (its shot editor) have something to show.
    expect((await page.request.post(`${app.url}/api/workspaces/${workspaceId}/scripts/batches`, { data: { count: 2, local: true } })).status()).toBe(202)
    let scripts: { id: string }[] = []
    for (let tries = 0; scripts.length < 2 && tries < 240; tries++) {
      if (tries) await new Promise(resolve => setTimeout(resolve, 500))
      scripts = ((await (await page.request.get(`${app.url}/api/workspaces/${workspaceId}/scripts`)).json()) as { scripts: { id: string }[] }).scripts
    }
    expect(scripts).toHaveLength(2)
    // The OAuth pages open as a person arriving with a stale link would: no code, and a connection request long gone.
    pages = await discoverPages({ videoId: videos[0]!.id, scriptId: scripts[0]!.id, token: 'not-a-real-token', platform: 'youtube', flowId: '00000000-0000-4000-8000-000000000000' })
  }, 240_000)

  afterAll(() => closeAppInChromium({ app, browser }, dataDir))

  it('finds each kind of problem on a page made to have them (so a check that stops working cannot pass quietly)', async () => {
    const bad = await browser.newPage({ ...reducedMotion, viewport: sizes[1].viewport })
    try {
      await bad.setContent(`<html lang="en"><head><title>Bad</title></head><body><main>
        <div style="cursor:pointer" onclick="void 0">Click me</div><button style="height:20px">Tiny</button>
        <div style="width:600px">Too wide</div><img src="data:,"></main></body></html>`)
      expect(await unreachableByKeyboard(bad)).toEqual(['div "Click me"'])
      expect(await smallControls(bad)).toEqual([expect.stringMatching(/^button "Tiny" is \d+×20 px$/)])
      expect(await horizontalOverflow(bad)).toEqual(['div. ends at 608 px, past 390 px'])
      expect(await seriousAccessibilityViolations(bad)).toEqual([expect.stringMatching(/^image-alt \(critical\)/)])
    }
    finally {
      await bad.close()
    }
  })

  for (const size of sizes) {
    it(`passes axe, fits the screen and has touch-sized controls on every page at ${size.name} size`, async () => {
      const problems: string[] = []
      let signedOut: BrowserContext | undefined
      try {
        signedOut = await browser.newContext({ ...reducedMotion, viewport: size.viewport })
        const anonymous = await signedOut.newPage()
        await page.setViewportSize(size.viewport)
        for (const each of pages) {
          const tab = each.signedOut ? anonymous : page
          const response = await tab.goto(`${app.url}${each.path}`)
          expect(response?.status(), `${each.path} answers`).toBeLessThan(500)
          await tab.waitForLoadState('networkidle')
          // PAGE_SCREENSHOTS=<folder> keeps a picture of every page at each size, to look at.
          if (process.env.PAGE_SCREENSHOTS) await tab.screenshot({ path: join(process.env.PAGE_SCREENSHOTS, `${size.name}${each.path.replaceAll('/', '_')}.png`), fullPage: true })
          for (const violation of await seriousAccessibilityViolations(tab)) problems.push(`${each.path} axe: ${violation}`)
          for (const element of await unreachableByKeyboard(tab)) problems.push(`${each.path} clickable but not reachable by keyboard: ${element}`)
          if (size.name === 'phone') {
            for (const overflow of await horizontalOverflow(tab)) problems.push(`${each.path} scrolls sideways: ${overflow}`)
            for (const control of await smallControls(tab)) problems.push(`${each.path} small control: ${control}`)
          }
        }
      }
      finally {
        await signedOut?.close()
      }
      expect(problems).toEqual([])
      expect(pageErrors).toEqual([])
    }, 240_000)
  }
})
