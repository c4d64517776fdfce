import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// Docker cannot run on our machines, so this checks what can be checked: the stages, the user,
// the packages, and that every command the image runs exists in this project.
const root = resolve(import.meta.dirname, '../..')
const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8')
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map(line => line.trim()).filter(line => line && !line.startsWith('#'))
const packageJson = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

const stages = instructions.filter(line => line.startsWith('FROM '))
const runStage = instructions.slice(instructions.lastIndexOf(stages.at(-1)!))

describe('Dockerfile', () => {
  it('is multi-stage on Node 24 slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    for (const stage of stages) expect(stage).toMatch(/^FROM node:24[\w.-]*-slim\b/)
  })

  it('builds with the same commands as a developer: npm ci, then npm run build', () => {
    expect(instructions).toContain('RUN npm ci --include=dev')
    expect(instructions).toContain('RUN npm run build')
    for (const [, script] of dockerfile.matchAll(/npm run ([\w:-]+)/g)) expect(packageJson.scripts).toHaveProperty(script!)
    expect(packageJson.scripts.build).toBe('nuxt build')
  })

  it('runs as a non-root user with Debian ffmpeg and a font, and chooses the role by APP_ROLE', () => {
    const user = runStage.find(line => line.startsWith('USER '))
    expect(user).toBeDefined()
    expect(user).not.toMatch(/USER (root|0)\b/)
    const install = runStage.find(line => line.includes('apt-get install'))
    expect(install).toMatch(/\bffmpeg\b/)
    expect(install).toMatch(/\bfonts-[\w-]+/)
    expect(runStage.some(line => /^ENV .*APP_ROLE=all/.test(line))).toBe(true)
  })

  it('starts the same entry point as `npm start` and render.yaml, in exec form', () => {
    const cmd = runStage.find(line => line.startsWith('CMD '))
    expect(cmd).toBe('CMD ["node", ".output/server/index.mjs"]')
    expect(packageJson.scripts.start).toBe('node .output/server/index.mjs')
    expect(readFileSync(resolve(root, 'render.yaml'), 'utf8')).toContain('dockerCommand: node .output/server/index.mjs')
    expect(runStage).toContain('COPY --from=build --chown=node:node /app/.output ./.output')
  })

  it('health-checks the /health route that the server defines', () => {
    expect(runStage.find(line => line.startsWith('HEALTHCHECK'))).toContain('/health')
    expect(existsSync(resolve(root, 'server/routes/health.get.ts'))).toBe(true)
  })

  it('keeps local state out of the build context', () => {
    const ignored = readFileSync(resolve(root, '.dockerignore'), 'utf8').split('\n')
    for (const path of ['node_modules', '.output', '.data', '.env']) expect(ignored).toContain(path)
  })
})
