import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startBuiltApp, type RunningApp } from '../support/app-server'

// What a browser and a crawler ask for before any page: the icons, the manifest, robots.txt, and the page's language.
describe(`public files, on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-public-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'web' })
  })

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it.each([
    ['/favicon.ico', 'image/vnd.microsoft.icon'],
    ['/favicon.svg', 'image/svg+xml'],
    ['/apple-touch-icon.png', 'image/png'],
    ['/icon-512.png', 'image/png'],
    ['/site.webmanifest', 'application/manifest+json'],
    ['/robots.txt', 'text/plain'],
  ])('serves %s to a signed-out visitor as %s', async (path, type) => {
    const response = await fetch(`${app.url}${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain(type)
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100)
  })

  it('tells crawlers to stay out: invite and reset links must never be indexed', async () => {
    expect(await (await fetch(`${app.url}/robots.txt`)).text()).toMatch(/^User-agent: \*\nDisallow: \/$/m)
  })

  it('names the page language and links the icons and manifest from every page', async () => {
    const html = await (await fetch(`${app.url}/login`, { headers: { accept: 'text/html' } })).text()
    expect(html).toMatch(/<html[^>]* lang="en"/)
    expect(html).toContain('rel="icon" type="image/svg+xml" href="/favicon.svg"')
    expect(html).toContain('rel="apple-touch-icon" href="/apple-touch-icon.png"')
    expect(html).toContain('rel="manifest" href="/site.webmanifest"')
    const manifest = await (await fetch(`${app.url}/site.webmanifest`)).json() as { icons: { src: string }[] }
    for (const icon of manifest.icons) expect((await fetch(`${app.url}${icon.src}`)).status).toBe(200)
  })
})
