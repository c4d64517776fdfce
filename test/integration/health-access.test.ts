import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeS3, type FakeS3 } from '../support/fake-s3'
import { createScratchDatabase, type Scratch } from '../support/scratch'

// Public /health says only ok or not. The details (versions, paths, migration names, error text) go to the install's
// admins (owners and admins of its first workspace) or to a caller with HEALTH_TOKEN. A fresh database, so the first
// account made here is the install's first.
describe(`who sees what on /health, on ${inject('databaseKind')}`, () => {
  const token = randomBytes(24).toString('base64url')
  let scratch: Scratch
  let s3: FakeS3
  let app: RunningApp
  let dataDir: string
  let operator: ApiClient
  let workspaceId: string

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject('databaseKind'))
    await migrateIfBehind(scratch.url, await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations')))
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-health-access-'))
    s3 = await startFakeS3({ accessKeyId: 'reelwise-test', secretAccessKey: 'reelwise-test-secret', bucket: 'media' })
    app = await startBuiltApp({
      DATA_DIR: dataDir, DATABASE_URL: scratch.url, HEALTH_TOKEN: token,
      STORAGE_DRIVER: 's3', STORAGE_S3_BUCKET: 'media', STORAGE_S3_REGION: 'eu-west-1', STORAGE_S3_ENDPOINT: s3.endpoint,
      STORAGE_S3_ACCESS_KEY_ID: 'reelwise-test', STORAGE_S3_SECRET_ACCESS_KEY: 'reelwise-test-secret',
    })
    operator = new ApiClient(app.url)
    await operator.signUp({ name: 'Olga', email: `olga-${Date.now()}@health.test` })
    workspaceId = (await operator.session()).workspaces[0]!.id
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await s3?.stop()
    await scratch?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const health = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`${app.url}/health`, { headers })
    return { status: response.status, body: await response.json() as Record<string, any> }
  }
  const detailed = (body: Record<string, any>) => {
    expect(body.status).toBe('ok')
    expect(body.checks.ffmpeg.version).toMatch(/^\d+\.\d+/)
    expect(body.checks.migrations.applied).toBeGreaterThan(0)
    expect(body.checks.jobs.ok).toBe(true)
  }

  it('tells an anonymous caller only that it is ok: no versions, paths or migration names', async () => {
    const { status, body } = await health()
    expect(status).toBe(200)
    expect(body).toEqual({ status: 'ok' })
  })

  it('gives the details with the HEALTH_TOKEN as a bearer token, and nothing more for a wrong one', async () => {
    detailed((await health({ authorization: `Bearer ${token}` })).body)
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
    expect((await health({ authorization: `Bearer ${wrong}` })).body).toEqual({ status: 'ok' })
    expect((await health({ authorization: 'Bearer short' })).body).toEqual({ status: 'ok' })
  })

  it('gives the details to the owners and admins of the install\'s first workspace, and not to its viewers or to other workspaces\' owners', async () => {
    detailed((await health({ authorization: `Bearer ${operator.token}` })).body)

    const adminInvite = await operator.post(`/api/workspaces/${workspaceId}/invites`, { role: 'admin' })
    const admin = new ApiClient(app.url)
    expect((await admin.signUp({ name: 'Ada', email: `ada-${Date.now()}@health.test`, inviteToken: adminInvite.body.token })).status).toBe(201)
    detailed((await health({ authorization: `Bearer ${admin.token}` })).body)

    const viewerInvite = await operator.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
    const viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vic', email: `vic-${Date.now()}@health.test`, inviteToken: viewerInvite.body.token })).status).toBe(201)
    expect((await health({ authorization: `Bearer ${viewer.token}` })).body).toEqual({ status: 'ok' })

    // Anyone may sign up and own a workspace of their own: that makes nobody an admin of the install.
    const stranger = new ApiClient(app.url)
    await stranger.signUp({ name: 'Sam', email: `sam-${Date.now()}@health.test` })
    expect((await stranger.session()).workspaces[0]!.role).toBe('owner')
    expect((await health({ authorization: `Bearer ${stranger.token}` })).body).toEqual({ status: 'ok' })
  })

  it('makes the storage round trip at most once per 30 s, however often /health is asked', async () => {
    const writes = () => s3.requests.filter(request => request.operation === 'PutObject').length
    await health()
    const before = writes()
    for (let index = 0; index < 5; index++) {
      await health()
      await health({ authorization: `Bearer ${token}` })
    }
    // Ten probes: at most one round trip, should the 30 s window happen to end during the loop.
    expect(writes() - before).toBeLessThanOrEqual(1)
  })
})
