import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { startBuiltApp } from './test/support/app-server'
import { signUpFirstAccount, reducedMotion } from './test/support/browser'
const app = await startBuiltApp({ DATA_DIR: await mkdtemp(join(tmpdir(), 'tr-')), DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/trace_${Date.now()}` })
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] })
const page = await browser.newPage({ ...reducedMotion, viewport: { width: 1440, height: 900 } })
await signUpFirstAccount(page, app.url, { name: 'A', email: 'a@x.test', password: 'password-password' })
await page.goto(`${app.url}/library`); await page.waitForLoadState('networkidle')
await browser.startTracing(page, { path: '/tmp/trace.json', categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'cc', 'gpu', 'toplevel'] })
for (const p of ['/', '/library', '/calendar', '/settings']) { await page.goto(`${app.url}${p}`); await page.waitForLoadState('networkidle') }
await browser.stopTracing()
await browser.close(); await app.stop()
