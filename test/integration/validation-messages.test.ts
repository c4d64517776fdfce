// A refused input, on the built app: every route that validates with zod (body, query, route parameters) answers
// 400 with the field named and what is wrong, never h3's bare "Validation Error" or zod's JSON.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

describe(`refused input on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let api: ApiClient
  let workspaceId: string
  let footageId: string
  const renders = () => `/api/workspaces/${workspaceId}/studio/renders`

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-refusals-'))
    // Web role: nothing here may queue a render, and no worker would take one.
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'web' })
    db = createPrisma(inject('databaseUrl'))
    api = new ApiClient(app.url)
    expect((await api.signUp({ name: 'Rae', email: `rae-${randomUUID()}@refusals.test` })).status).toBe(201)
    workspaceId = (await api.session()).workspaces[0]!.id
    footageId = (await db.video.create({ data: {
      workspaceId, kind: 'footage', status: 'ready', title: 'Forty-two seconds', sizeBytes: 1000n, durationMs: 42_000, width: 1920,
      height: 1080, fps: 30, videoCodec: 'h264', audioCodec: 'aac', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4`,
    } })).id
  }, 120_000)

  afterAll(async () => {
    await db?.video.deleteMany({ where: { workspaceId } })
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('names the hook field and its length in a refused body, with every issue listed', async () => {
    const response = await api.post(renders(), { videoId: footageId, name: 'Too long', recipe: { hook: { text: 'a'.repeat(500) } } })
    expect(response.status).toBe(400)
    const message = 'Hook text: at most 120 characters (this one has 500).'
    expect(response.body).toMatchObject({ statusMessage: message, message, data: { issues: [{ path: ['recipe', 'hook', 'text'], message }] } })
    expect(JSON.stringify(response.body)).not.toMatch(/Validation Error|aaaaaaaa|"code"/)
    expect(await db.render.count({ where: { workspaceId } })).toBe(0)
  })

  it('names the field of a refused query and of a refused route parameter', async () => {
    const query = await api.get(`${renders()}?videoId=not-an-id`)
    expect(query.status).toBe(400)
    expect(query.body.statusMessage).toBe('Video: it is not in the expected form.')
    const parameter = await api.get(`${renders()}/not-an-id`)
    expect(parameter.status).toBe(400)
    expect(parameter.body.statusMessage).toMatch(/^Render id: /)
  })

  it('refuses a caption that starts after the clip ends, by its number and both times', async () => {
    const recipe = { captions: { cues: [{ start: 1, end: 3, text: 'Hello' }, { start: 90, end: 95, text: 'After the end' }] } }
    const response = await api.post(renders(), { videoId: footageId, name: 'Late caption', recipe })
    expect(response.status).toBe(400)
    expect(response.body.statusMessage).toBe('Caption 2 starts at 1:30, after the clip ends at 0:42. Move it earlier or remove it.')
    expect(await db.render.count({ where: { workspaceId } })).toBe(0)
  })
})
