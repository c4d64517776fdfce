// The daily storage sweep end to end, on both storage drivers: the built app (APP_ROLE=all) works the root
// storage.sweep job that the scheduled task sends, which removes what deleted workspaces left and sends one job per
// workspace; each removes that workspace's objects no row names once they are past the grace period, keeps recent
// and recorded ones, and its report shows on the workspace's Jobs page. A database of its own: another file's app
// working the same queue would sweep its own store instead.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { queues } from '../../server/services/jobs/registry'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { renderFileKey, videoSourceKey } from '../../server/services/media/storage/keys'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createS3MediaStore } from '../../server/services/media/storage/s3'
import type { MediaStore } from '../../server/services/media/storage/types'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeS3, type FakeS3 } from '../support/fake-s3'
import { waitUntil } from '../support/job-workers'
import { createPrisma, createScratchDatabase, type Scratch } from '../support/scratch'

const HOUR = 60 * 60 * 1000
const credentials = { accessKeyId: 'AKIAREELWISESWEEPJOB1', secretAccessKey: randomBytes(30).toString('base64') }

describe.each(['local', 's3'] as const)(`the daily storage sweep through the job engine on %s storage, on ${inject('databaseKind')}`, (driver) => {
  let scratch: Scratch
  let db: PrismaClient
  let dataDir: string
  let fake: FakeS3 | undefined
  let store: MediaStore
  let app: RunningApp
  let sender: JobEngine

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject('databaseKind'))
    await migrateIfBehind(scratch.url, await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations')))
    db = createPrisma(scratch.url)
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-sweep-jobs-'))
    let storage: Record<string, string> = {}
    if (driver === 's3') {
      fake = await startFakeS3({ ...credentials, bucket: 'media', maxKeysPerPage: 4 })
      store = createS3MediaStore({ bucket: 'media', region: 'eu-west-1', endpoint: fake.endpoint, forcePathStyle: true, ...credentials })
      storage = {
        STORAGE_DRIVER: 's3', STORAGE_S3_BUCKET: 'media', STORAGE_S3_REGION: 'eu-west-1', STORAGE_S3_ENDPOINT: fake.endpoint,
        STORAGE_S3_ACCESS_KEY_ID: credentials.accessKeyId, STORAGE_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      }
    }
    else {
      // The app's own media folder (DATA_DIR/media), written from here as the app would.
      store = createLocalMediaStore({ root: join(dataDir, 'media'), appUrl: 'http://127.0.0.1', signingKey: 'sweep-jobs' })
    }
    app = await startBuiltApp({ APP_ROLE: 'all', DATA_DIR: dataDir, DATABASE_URL: scratch.url, ...storage })
    // Sends as the scheduled task does (enqueueSweep): the root job, once per day by its singleton key.
    sender = await startJobEngine({ connectionString: scratch.url, works: false, queues: Object.values(queues), handlers: {}, tracker: prismaJobTracker(db) })
  }, 180_000)
  afterAll(async () => {
    await sender?.stop(1000)
    await app?.stop()
    await db?.$disconnect()
    await scratch?.drop()
    await fake?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  async function put(key: string, size: number, ageMs = 0): Promise<void> {
    await store.put(key, Readable.from([randomBytes(size)]))
    if (ageMs === 0) return
    const then = new Date(Date.now() - ageMs)
    if (fake) fake.backdate(key, ageMs)
    else await utimes(join(dataDir, 'media', key), then, then)
  }

  async function keysUnder(prefix: string): Promise<string[]> {
    const keys: string[] = []
    for await (const object of store.list(prefix)) keys.push(object.key)
    return keys.sort()
  }

  /** A member's workspace, with a recorded source video and render (both old), an old orphan and a recent one. */
  async function seedWorkspace(name: string, orphanBytes: number) {
    const api = new ApiClient(app.url)
    const email = `${name}-${randomUUID()}@sweep.test`
    expect((await api.signUp({ name, email })).status).toBe(201)
    const workspaceId = (await api.session()).workspaces[0]!.id
    const user = await db.user.findFirstOrThrow({ where: { email } })
    const video = await db.video.create({ data: { workspaceId, uploadedById: user.id, kind: 'footage', status: 'ready', title: 'Kept', sizeBytes: 1000n } })
    const sourceKey = videoSourceKey(workspaceId, video.id, 'mp4')
    await put(sourceKey, 1000, 48 * HOUR)
    await db.video.update({ where: { id: video.id }, data: { storageKey: sourceKey } })
    const render = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, status: 'succeeded', storedBytes: 800n } })
    const outputKey = renderFileKey(workspaceId, render.id, 'output.mp4')
    await put(outputKey, 800, 48 * HOUR)
    await db.render.update({ where: { id: render.id }, data: { storageKey: outputKey } })
    const oldOrphan = renderFileKey(workspaceId, randomUUID(), 'output.mp4')
    await put(oldOrphan, orphanBytes, 25 * HOUR)
    // Within the grace period: an upload or render may be writing it right now, before its row names it.
    const recentOrphan = videoSourceKey(workspaceId, randomUUID(), 'mov')
    await put(recentOrphan, 500, HOUR)
    return { api, workspaceId, kept: [sourceKey, outputKey, recentOrphan].sort(), oldOrphan }
  }

  it('the root job removes deleted workspaces\' files and fans out one job per workspace, whose report shows on its Jobs page', async () => {
    const first = await seedWorkspace('first', 3000)
    const second = await seedWorkspace('second', 5000)
    // A workspace deleted a while ago left files behind; one written an hour ago is still within the grace period.
    const gone = randomUUID()
    const goneOld = renderFileKey(gone, randomUUID(), 'output.mp4')
    const goneRecent = renderFileKey(gone, randomUUID(), 'preview.mp4')
    await put(goneOld, 2000, 25 * HOUR)
    await put(goneRecent, 2000, HOUR)

    const rootId = (await sender.send('storage.sweep', {}, { singletonKey: 'storage.sweep', singletonSeconds: 23 * 60 * 60 }))!
    expect(rootId).toBeTruthy()
    // The same day's second schedule (another worker's, say) sends nothing.
    expect(await sender.send('storage.sweep', {}, { singletonKey: 'storage.sweep', singletonSeconds: 23 * 60 * 60 })).toBeNull()

    const sweepsOf = async (workspace: { api: ApiClient, workspaceId: string }) =>
      ((await workspace.api.get(`/api/workspaces/${workspace.workspaceId}/jobs`)).body.recent as { queue: string, state: string, result: any }[])
        .filter(run => run.queue === 'storage.sweep')
    await waitUntil(async () => {
      const runs = [...await sweepsOf(first), ...await sweepsOf(second)]
      return runs.length === 2 && runs.every(run => run.state === 'succeeded')
    }, 60_000, 'both workspaces\' sweeps to succeed')

    const root = await db.jobRun.findUniqueOrThrow({ where: { id: rootId } })
    expect(root.state).toBe('succeeded')
    expect(root.workspaceId).toBeNull()
    expect(root.result).toMatchObject({ removedObjects: 1, reclaimedBytes: 2000 })
    expect((root.result as { workspaceIds: string[] }).workspaceIds.sort()).toEqual([first.workspaceId, second.workspaceId].sort())
    expect(await keysUnder(`ws/${gone}/`)).toEqual([goneRecent])

    for (const [workspace, bytes] of [[first, 3000], [second, 5000]] as const) {
      const [run] = await sweepsOf(workspace)
      expect(run!.result).toMatchObject({ removedObjects: 1, reclaimedBytes: bytes, analysesQueued: 0, rendersSettled: 0, uploadsRecovered: 0 })
      expect(run!.result.summary).toMatch(/^Reclaimed \d+(\.\d)? KB \(1 file/)
      expect(await keysUnder(`ws/${workspace.workspaceId}/`)).toEqual(workspace.kept)
    }
  }, 120_000)
})
