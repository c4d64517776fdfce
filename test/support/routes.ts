import { readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

export interface ApiRoute { method: string, template: string, params: string[], file: string }

const apiDir = resolve(import.meta.dirname, '../../server/api')

/** Every route under server/api, read from the file tree the way Nitro maps it (`[id].patch.ts` → PATCH /api/.../:id). */
export function discoverApiRoutes(): ApiRoute[] {
  const files = readdirSync(apiDir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile() && entry.name.endsWith('.ts'))
    .map(entry => relative(apiDir, join(entry.parentPath, entry.name)))
  return files.map((file) => {
    const match = /^(.*?)(?:\.(get|post|put|patch|delete|head))?\.ts$/.exec(file)!
    const path = match[1]!.replace(/(^|\/)index$/, '')
    const template = `/api${path ? `/${path}` : ''}`
    return { method: (match[2] ?? 'get').toUpperCase(), template, params: [...template.matchAll(/\[(\w+)\]/g)].map(found => found[1]!), file }
  }).sort((a, b) => `${a.template} ${a.method}`.localeCompare(`${b.template} ${b.method}`))
}

export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\[(\w+)\]/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`No value for [${name}] in ${template}: add one to the test's id map`)
    return encodeURIComponent(values[name]!)
  })
}
