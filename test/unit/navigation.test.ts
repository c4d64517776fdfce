import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sections } from '#shared/navigation'

const pagesDir = resolve(import.meta.dirname, '../../pages')

// Pages outside the sidebar, and why.
const outsideSidebar: Record<string, string> = {
  '/login': 'sign-in',
  '/signup': 'sign-up and the first run',
  '/invite': 'invite links',
  '/auth': 'the Supabase sign-in link callback',
  '/forgot-password': 'asking for a password reset link, from the sign-in page',
  '/reset-password': 'the password reset link from the mail',
  '/approve': 'the approve-or-reject link from an approval mail; works without signing in',
  '/verify-email': 'the address confirmation link from the mail',
}

describe('sidebar', () => {
  it('lists the sections of the product in the order of its loop', () => {
    expect(sections.map(section => section.label)).toEqual(['Home', 'Library', 'Patterns', 'Strategy', 'Scripts', 'Studio', 'Calendar', 'Analytics', 'Accounts', 'Settings'])
  })

  it('has a page for every section, and a section for every top-level page', () => {
    for (const section of sections) {
      const name = section.to === '/' ? 'index' : section.to.slice(1)
      expect(existsSync(resolve(pagesDir, `${name}.vue`)) || existsSync(resolve(pagesDir, name, 'index.vue')), section.to).toBe(true)
    }
    const pages = readdirSync(pagesDir).map(file => file === 'index.vue' ? '/' : `/${file.replace(/\.vue$/, '')}`)
    const unexplained = pages.filter(page => !sections.some(section => section.to === page) && !(page in outsideSidebar))
    expect(unexplained).toEqual([])
  })
})
