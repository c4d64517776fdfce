// Unfinished uploads do not hold quota or disk for ever: a day after they start, the sweep removes their
// staged bytes and their reservation, and leaves recent ones alone.
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { createUploadService } from '../../server/services/library/uploads'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createPrisma } from '../support/scratch'

describe(`the unfinished-upload sweep on ${inject('databaseKind')}`, () => {
  let db: PrismaClient
  let dir: string

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    dir = await mkdtemp(join(tmpdir(), 'reelwise-sweep-'))
  })
  afterAll(async () => {
    await db.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  it('removes uploads started over a day ago, bytes and rows, and keeps the rest', async () => {
    const user = await db.user.create({ data: { email: `sweep-${randomUUID()}@example.test`, name: 'Sweep' } })
    const workspace = await db.workspace.create({ data: { name: 'Sweep', slug: `sweep-${randomUUID()}` } })
    const stagingDir = join(dir, 'uploads')
    const service = createUploadService({
      db,
      store: createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1', signingKey: 'sweep' }),
      tools: () => locateMediaTools(),
      stagingDir,
      maxSizeBytes: 1024 ** 3,
      workspaceQuotaBytes: 1024 ** 3,
      footageLimits: { maxSeconds: 1800, maxWidth: 3840, maxHeight: 2160, maxFps: 120 },
      queueAnalysis: async () => {},
    })
    const stale = randomUUID()
    const fresh = randomUUID()
    await mkdir(stagingDir, { recursive: true })
    for (const id of [stale, fresh]) await writeFile(join(stagingDir, id), 'partial bytes')
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    await db.video.create({ data: { workspaceId: workspace.id, uploadedById: user.id, kind: 'footage', status: 'uploading', title: 'Old', uploadId: stale, sizeBytes: 100n, createdAt: twoDaysAgo } })
    await db.video.create({ data: { workspaceId: workspace.id, uploadedById: user.id, kind: 'footage', status: 'uploading', title: 'New', uploadId: fresh, sizeBytes: 100n } })

    expect(await service.removeExpired()).toBeGreaterThanOrEqual(1)
    const left = await db.video.findMany({ where: { workspaceId: workspace.id }, select: { title: true } })
    expect(left.map(video => video.title)).toEqual(['New'])
    expect(await readdir(stagingDir)).toEqual([fresh])
  })
})
