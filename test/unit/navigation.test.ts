import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sections } from '../../shared/navigation'

const pagesDir = resolve(import.meta.dirname, '../../pages')

describe('sidebar', () => {
  it('lists the sections of the product in the order of its loop', () => {
    expect(sections.map(section => section.label)).toEqual(['Home', 'Library', 'Patterns', 'Strategy', 'Scripts', 'Studio', 'Calendar', 'Analytics', 'Accounts', 'Settings'])
  })

  it('has a page for every section, and a section for every top-level page', () => {
    for (const section of sections) {
      const file = section.to === '/' ? 'index.vue' : `${section.to.slice(1)}.vue`
      expect(existsSync(resolve(pagesDir, file)), file).toBe(true)
    }
    const pages = readdirSync(pagesDir).filter(file => file.endsWith('.vue')).map(file => file === 'index.vue' ? '/' : `/${file.replace(/\.vue$/, '')}`)
    expect(pages.sort()).toEqual(sections.map(section => section.to).sort())
  })
})
