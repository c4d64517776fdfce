import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import type { AuditEntry } from '#shared/audit'
import type { HomeOverview } from '#shared/home'
import type { JobsSummary } from '#shared/jobs'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

// The profile page, the brand profile, the workspace's time zone, Home, and Jobs and Audit as people read them,
// through the built app's HTTP API on a real database.
describe(`account and workspace settings on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  const run = Math.random().toString(36).slice(2, 8)
  const email = (name: string) => `${name}-${run}@example.test`
  let owner: ApiClient
  let workspaceId: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-settings-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl') })
    db = createPrisma(inject('databaseUrl'))
    owner = new ApiClient(app.url)
    expect((await owner.signUp({ name: 'Ana Owner', email: email('ana') })).status).toBe(201)
    workspaceId = (await owner.session()).workspaces[0]!.id
  })
  afterAll(async () => {
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  async function member(name: string, role: 'editor' | 'viewer'): Promise<ApiClient> {
    // A link invite: one bound to an address waits until that address is verified.
    const invite = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role })
    const client = new ApiClient(app.url)
    expect((await client.signUp({ name, email: email(name), inviteToken: invite.body.token })).status).toBe(201)
    return client
  }

  describe('profile', () => {
    it('renames the caller, and the session shows the new name at once', async () => {
      const client = new ApiClient(app.url)
      await client.signUp({ name: 'Pat', email: email('pat') })
      const profile = await client.get('/api/auth/profile')
      expect(profile.body).toMatchObject({ name: 'Pat', email: email('pat'), emailVerified: false, hasPassword: true, otherSessions: 0 })
      const renamed = await client.patch('/api/auth/profile', { name: '  Patricia Lane ' })
      expect(renamed.status).toBe(200)
      expect(renamed.body.name).toBe('Patricia Lane')
      expect((await client.session()).user).toMatchObject({ name: 'Patricia Lane' })
      const empty = await client.patch('/api/auth/profile', { name: '' })
      expect(empty.status).toBe(400)
      expect(empty.body.statusMessage).toBe('Name: enter your name.')
    })

    it('changes the password only with the current one, and signs out every other session but this one', async () => {
      const laptop = new ApiClient(app.url)
      await laptop.signUp({ name: 'Cam', email: email('cam'), password: 'first-long-password-1' })
      const phone = new ApiClient(app.url)
      expect((await phone.signIn(email('cam'), 'first-long-password-1')).status).toBe(200)
      expect((await laptop.get('/api/auth/profile')).body.otherSessions).toBe(1)

      const wrong = await laptop.post('/api/auth/password', { currentPassword: 'not-my-password', newPassword: 'second-long-password-2' })
      expect(wrong.status).toBe(400)
      expect(wrong.body.statusMessage).toMatch(/current password is not right/)
      expect((await phone.get('/api/auth/session')).status).toBe(200)

      const weak = await laptop.post('/api/auth/password', { currentPassword: 'first-long-password-1', newPassword: 'short' })
      expect(weak.status).toBe(400)
      expect(weak.body.statusMessage).toBe('New password: use at least 10 characters for your password.')

      const changed = await laptop.post('/api/auth/password', { currentPassword: 'first-long-password-1', newPassword: 'second-long-password-2' })
      expect(changed.status).toBe(200)
      expect(changed.body).toEqual({ sessionsEnded: 1 })
      expect((await laptop.get('/api/auth/session')).status).toBe(200)
      expect((await phone.get('/api/auth/session')).status).toBe(401)
      expect((await new ApiClient(app.url).signIn(email('cam'), 'first-long-password-1')).status).toBe(401)
      expect((await new ApiClient(app.url).signIn(email('cam'), 'second-long-password-2')).status).toBe(200)
      const audit = await db.auditEvent.findFirst({ where: { actor: { email: email('cam') }, action: 'auth.password_changed' } })
      expect(audit?.metadata).toEqual({ sessionsEnded: 1 })
    })

    it('stops guesses at the current password like failed sign-ins: after 10, even the right one waits', async () => {
      const client = new ApiClient(app.url)
      await client.signUp({ name: 'Gus', email: email('gus'), password: 'gus-long-password-1' })
      for (let attempt = 0; attempt < 10; attempt++) {
        expect((await client.post('/api/auth/password', { currentPassword: `guess-${attempt}`, newPassword: 'gus-new-password-22' })).status).toBe(400)
      }
      const locked = await client.post('/api/auth/password', { currentPassword: 'gus-long-password-1', newPassword: 'gus-new-password-22' })
      expect(locked.status).toBe(429)
      expect(locked.headers.get('retry-after')).toMatch(/^\d+$/)
      // The same account's sign-in is locked too: one count for every way of guessing its password.
      expect((await new ApiClient(app.url).signIn(email('gus'), 'gus-long-password-1')).status).toBe(429)
      const stored = await db.user.findUniqueOrThrow({ where: { email: email('gus') }, select: { passwordHash: true } })
      expect(stored.passwordHash).toMatch(/^\$argon2id\$/)
    })
  })

  describe('brand profile', () => {
    const brand = {
      name: 'Bean There', niche: 'Home espresso for beginners', audience: 'People with a new espresso machine',
      goals: [{ metric: 'followers', target: '10 000', by: '2027-06-30' }], platforms: ['instagram', 'tiktok'],
      cadence: '3 reels a week', voice: 'Warm, plain words, no jargon',
    }

    it('starts unsaved with the workspace\'s name, is saved by an editor and read by a viewer, who cannot change it', async () => {
      const first = await owner.get(`/api/workspaces/${workspaceId}/brand`)
      expect(first.status).toBe(200)
      expect(first.body).toMatchObject({ saved: false, name: 'Ana\'s workspace', goals: [], platforms: [] })

      const editor = await member('eddie', 'editor')
      const saved = await editor.request('PUT', `/api/workspaces/${workspaceId}/brand`, brand)
      expect(saved.status, JSON.stringify(saved.body)).toBe(200)
      expect(saved.body).toMatchObject({ ...brand, saved: true })

      const viewer = await member('vera', 'viewer')
      expect((await viewer.get(`/api/workspaces/${workspaceId}/brand`)).body).toMatchObject(brand)
      const refused = await viewer.request('PUT', `/api/workspaces/${workspaceId}/brand`, { ...brand, name: 'Vera\'s brand' })
      expect(refused.status).toBe(403)
      expect(refused.body.statusMessage).toMatch(/needs the editor role or higher/)

      // Saving again updates the one profile; it never makes a second.
      expect((await owner.request('PUT', `/api/workspaces/${workspaceId}/brand`, { ...brand, cadence: 'daily' })).body.cadence).toBe('daily')
      expect(await db.brandProfile.count({ where: { workspaceId } })).toBe(1)
    })

    it('names what is wrong with a brand profile it refuses', async () => {
      const badPlatform = await owner.request('PUT', `/api/workspaces/${workspaceId}/brand`, { ...brand, platforms: ['myspace'] })
      expect(badPlatform.status).toBe(400)
      expect(badPlatform.body.data.issues[0].path).toEqual(['platforms', 0])
      const badDate = await owner.request('PUT', `/api/workspaces/${workspaceId}/brand`, { ...brand, goals: [{ metric: 'followers', target: '', by: 'next June' }] })
      expect(badDate.status).toBe(400)
      expect(badDate.body.data.issues[0]).toMatchObject({ path: ['goals', 0, 'by'] })
      expect(badDate.body.statusMessage).toMatch(/pick a date/)
    })
  })

  describe('time zone', () => {
    it('takes an IANA zone, names what is wrong with anything else, and the session carries it', async () => {
      const bad = await owner.patch(`/api/workspaces/${workspaceId}`, { timeZone: 'Mars/Olympus' })
      expect(bad.status).toBe(400)
      expect(bad.body.statusMessage).toMatch(/Time zone: choose a time zone from the list/)
      expect((await owner.patch(`/api/workspaces/${workspaceId}`, { timeZone: 'EST' })).status).toBe(400)
      expect((await owner.patch(`/api/workspaces/${workspaceId}`, { timeZone: 'Europe/Lisbon' })).status).toBe(200)
      expect((await owner.session()).workspaces.find(workspace => workspace.id === workspaceId)).toMatchObject({ timeZone: 'Europe/Lisbon' })
    })
  })

  describe('Jobs, Audit and Home as people read them', () => {
    it('names each job by its video and variant, with how long it ran and how it ended', async () => {
      const video = await db.video.create({ data: { workspaceId, kind: 'footage', status: 'ready', title: 'Beach day', sizeBytes: 1000n } })
      const render = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, variantLabel: 'B', status: 'succeeded' } })
      // Queued the way the engine queues it: the tracker keeps the ids the payload names.
      const renderJob = randomUUID()
      await prismaJobTracker(db).queued(renderJob, 'media.render', workspaceId, { workspaceId, renderId: render.id })
      const started = new Date(Date.now() - 60_000)
      await db.jobRun.update({ where: { id: renderJob }, data: { state: 'succeeded', startedAt: started, finishedAt: new Date(started.getTime() + 42_000) } })
      const analyseJob = randomUUID()
      await prismaJobTracker(db).queued(analyseJob, 'media.analyse', workspaceId, { workspaceId, videoId: video.id, analysisId: randomUUID() })
      await db.jobRun.update({ where: { id: analyseJob }, data: { state: 'failed', error: 'The file could not be read.', startedAt: started, finishedAt: new Date(started.getTime() + 3_000) } })
      // A run recorded before subjects were kept is found through the render that names its job.
      const legacyJob = randomUUID()
      await db.jobRun.create({ data: { id: legacyJob, workspaceId, queue: 'media.render', state: 'queued' } })
      await db.render.create({ data: { workspaceId, sourceVideoId: video.id, variantLabel: 'C', status: 'queued', jobId: legacyJob } })

      const jobs = (await owner.get<JobsSummary>(`/api/workspaces/${workspaceId}/jobs`)).body
      const line = (id: string) => jobs.recent.find(entry => entry.id === id)
      expect(line(renderJob)).toMatchObject({ title: 'Render of “Beach day”, variant B', videoId: video.id, variantLabel: 'B', state: 'succeeded', durationMs: 42_000 })
      expect(line(analyseJob)).toMatchObject({ title: 'Analysis of “Beach day”', state: 'failed', durationMs: 3_000, error: 'The file could not be read.' })
      expect(line(legacyJob)).toMatchObject({ title: 'Render of “Beach day”, variant C', state: 'queued', durationMs: null })
      expect(JSON.stringify(jobs.recent)).not.toContain('analysisId')

      await db.render.delete({ where: { id: render.id } })
      expect((await owner.get<JobsSummary>(`/api/workspaces/${workspaceId}/jobs`)).body.recent.find(entry => entry.id === renderJob)?.title).toBe('Render of a deleted variant')
    })

    it('tells the audit trail in sentences, with no empty fields', async () => {
      const invited = email('bob')
      await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'editor', email: invited })
      const link = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
      await owner.delete(`/api/workspaces/${workspaceId}/invites/${link.body.id}`)
      const members = (await owner.get(`/api/workspaces/${workspaceId}/members`)).body as { id: string, user: { email: string } }[]
      await owner.patch(`/api/workspaces/${workspaceId}/members/${members.find(entry => entry.user.email === email('vera'))!.id}`, { role: 'editor' })

      const audit = (await owner.get<AuditEntry[]>(`/api/workspaces/${workspaceId}/audit`)).body
      const sentences = audit.map(entry => entry.sentence)
      expect(sentences).toContain(`Ana Owner invited ${invited} as an editor`)
      expect(sentences).toContain('Ana Owner created an invite link for a viewer')
      expect(sentences).toContain('Ana Owner created an invite link for an editor')
      expect(sentences).toContain('Ana Owner withdrew an invite link for a viewer')
      expect(sentences).toContain(`Ana Owner changed ${email('vera')}'s role from viewer to editor`)
      expect(sentences).toContain('Ana Owner set the time zone to “Europe/Lisbon”')
      expect(sentences).toContain('eddie joined through an invite as an editor')
      expect(sentences).toContain('eddie updated the brand profile')
      expect(sentences.join('\n')).not.toMatch(/null|undefined|\[object/)
      // The shape the page reads: a sentence, who and when; no raw metadata to print as "email: null".
      expect(Object.keys(audit[0]!).sort()).toEqual(['action', 'actor', 'createdAt', 'id', 'ip', 'sentence'])
    })

    it('shows Home\'s checklist from what the workspace holds, then its recent renders and jobs (without failure detail)', async () => {
      const home = (await owner.get<HomeOverview>(`/api/workspaces/${workspaceId}/home`)).body
      expect(home.steps.map(step => [step.key, step.done, step.built])).toEqual([['references', false, true], ['footage', true, true], ['render', false, true], ['accounts', false, false]])
      expect(home.recentRenders[0]).toMatchObject({ videoTitle: 'Beach day', variantLabel: 'C', status: 'queued' })
      expect(home.recentJobs.map(job => job.title)).toContain('Analysis of “Beach day”')
      expect(home.recentJobs.every(job => job.error === null)).toBe(true)

      await db.video.create({ data: { workspaceId, kind: 'reference', status: 'analysing', title: 'A reel that works', sizeBytes: 10n } })
      await db.video.create({ data: { workspaceId, kind: 'reference', status: 'uploading', title: 'Still arriving', sizeBytes: 10n } })
      const after = (await owner.get<HomeOverview>(`/api/workspaces/${workspaceId}/home`)).body
      expect(after.steps.find(step => step.key === 'references')).toMatchObject({ done: true, count: 1 })
      const viewer = new ApiClient(app.url)
      expect((await viewer.signIn(email('vera'))).status).toBe(200)
      expect((await viewer.get(`/api/workspaces/${workspaceId}/home`)).status).toBe(200)
    })
  })
})
