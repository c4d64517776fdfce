import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { discoverApiRoutes, fillTemplate } from '../support/routes'
import { createPrisma } from '../support/scratch'

// Every route under server/api, found from the file tree, is called as a member of workspace A with the ids of
// workspace B's objects, and with no session at all. A new route is covered the day it is added.

/** Routes that are public on purpose, and why. */
const publicRoutes: Record<string, string> = {
  'GET /api/auth/setup': 'tells the sign-in page whether this is a fresh install; no account data',
  'POST /api/auth/register': 'sign-up',
  'POST /api/auth/login': 'sign-in',
  'POST /api/auth/refresh': 'authenticated by the HttpOnly refresh cookie instead of the access token',
  'POST /api/auth/logout': 'signing out without a session does nothing',
  'GET /api/invites/[token]': 'the invite page before sign-up; the unguessable token is the credential',
  'POST /api/auth/magic-link': 'asks Supabase to e-mail a sign-in link; says the same whether or not the account exists',
  'POST /api/auth/supabase': 'trades a verified Supabase access token for a session; that token is the credential',
  'POST /api/auth/password-reset': 'asks for a reset link by e-mail; answers the same whether or not the account exists',
  'POST /api/auth/password-reset/confirm': 'the single-use link from the reset mail is the credential',
  'POST /api/auth/verify-email': 'the single-use link from the verification mail is the credential; it works on any device',
  'GET /api/approvals/[token]': 'an approval mail\'s link: the single-use, expiring token is the credential (tested in schedule.test.ts)',
  'POST /api/approvals/[token]': 'approves or rejects through that link, as the approver it was sent to, while still an admin',
}

/** Routes that act only on the caller's own account, so there is no other workspace's id to put in them. */
const callerScoped: Record<string, { reason: string, body?: unknown }> = {
  'GET /api/auth/session': { reason: 'the caller and their own workspaces' },
  'GET /api/workspaces': { reason: 'the caller\'s own workspaces' },
  'POST /api/workspaces': { reason: 'creates a workspace owned by the caller', body: { name: 'Another of mine', timeZone: 'UTC' } },
  'POST /api/auth/logout-all': { reason: 'ends the caller\'s own sessions (run last)' },
  'POST /api/auth/verify-email/resend': { reason: 'mails a new verification link to the caller\'s own address' },
  'GET /api/auth/profile': { reason: 'the caller\'s own account' },
  'PATCH /api/auth/profile': { reason: 'renames the caller', body: { name: 'Alice Again' } },
  // A wrong current password: the route answers 400 and changes nothing.
  'POST /api/auth/password': { reason: 'changes the caller\'s own password, after checking the current one', body: { currentPassword: 'not-the-password', newPassword: 'another-long-password-7' } },
  'POST /api/invites/[token]/accept': { reason: 'the invite token is the credential; tested with a token of B\'s that was already used' },
  // The state names the flow and its workspace; tested with the state of a connection B started (refused: not A's).
  'POST /api/oauth/[platform]/callback': { reason: 'finishes a connection the caller started; the OAuth state is the credential' },
}

/** A body that would succeed if scoping were missing, so a 403/404 proves the check and not the validation. */
const bodies: Record<string, unknown> = {
  'PATCH /api/workspaces/[workspaceId]': { name: 'Taken over' },
  'PATCH /api/workspaces/[workspaceId]/members/[memberId]': { role: 'viewer' },
  'POST /api/workspaces/[workspaceId]/invites': { role: 'admin' },
  'PATCH /api/workspaces/[workspaceId]/videos/[videoId]': { title: 'Taken over' },
  'PATCH /api/workspaces/[workspaceId]/studio/recipes/[recipeId]': { version: 1, name: 'Taken over' },
  'PATCH /api/workspaces/[workspaceId]/strategies/[strategyId]': { status: 'archived' },
  'PUT /api/workspaces/[workspaceId]/videos/[videoId]/performance': { views: 1000, followers: 10 },
  'POST /api/workspaces/[workspaceId]/references/import/preview': { csv: 'id,views\n00000000-0000-4000-8000-000000000000,1\n' },
  'POST /api/workspaces/[workspaceId]/references/import': { csv: 'id,views\n00000000-0000-4000-8000-000000000000,1\n' },
  'PATCH /api/workspaces/[workspaceId]/scripts/[scriptId]': { version: 1, title: 'Taken over' },
  'POST /api/workspaces/[workspaceId]/scripts/batches': { count: 1, local: true },
  'PUT /api/workspaces/[workspaceId]/ai/settings': { provider: 'local', monthlyBudgetUsd: 1 },
  'POST /api/workspaces/[workspaceId]/accounts/connect': { platform: 'youtube' },
  'POST /api/workspaces/[workspaceId]/accounts/flows/[flowId]': { externalIds: ['UC-b-secret'] },
  'PATCH /api/workspaces/[workspaceId]/schedule/[groupId]': { when: { kind: 'draft' } },
  'POST /api/workspaces/[workspaceId]/schedule/[groupId]/review': { decision: 'approve' },
  'PUT /api/workspaces/[workspaceId]/accounts/[accountId]/queue': { slots: [{ day: 1, time: '09:00' }] },
  'PATCH /api/workspaces/[workspaceId]/analytics/settings': { exploration: 2 },
}

describe(`tenant isolation on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  const a = { client: undefined as unknown as ApiClient, workspaceId: '' }
  const b = { client: undefined as unknown as ApiClient, workspaceId: '', memberId: '', inviteId: '', jobId: '', usedToken: '', name: '', emails: [] as string[], videoId: '', uploadId: '', videoTitle: '', renderId: '', assetId: '', assetName: '', recipeId: '', recipeName: '', strategyId: '', strategyTitle: '', scriptId: '', scriptTitle: '', batchId: '', accountId: '', accountName: '', postId: '', groupId: '', caption: '', flowId: '', state: '' }
  const run = Math.random().toString(36).slice(2, 8)

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-isolation-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl') })
    a.client = new ApiClient(app.url)
    expect((await a.client.signUp({ name: 'Alice', email: `alice-${run}@a.test` })).status).toBe(201)
    a.workspaceId = (await a.client.session()).workspaces[0]!.id

    b.client = new ApiClient(app.url)
    b.emails = [`bob-${run}@b.test`, `bea-${run}@b.test`]
    expect((await b.client.signUp({ name: 'Bob', email: b.emails[0]! })).status).toBe(201)
    const bWorkspace = (await b.client.session()).workspaces[0]!
    b.workspaceId = bWorkspace.id
    b.name = `Bob Secret Brand ${run}`
    await b.client.patch(`/api/workspaces/${b.workspaceId}`, { name: b.name })
    const used = await b.client.post(`/api/workspaces/${b.workspaceId}/invites`, { role: 'editor' })
    b.usedToken = used.body.token
    expect((await new ApiClient(app.url).signUp({ name: 'Bea', email: b.emails[1]!, inviteToken: b.usedToken })).status).toBe(201)
    const members = (await b.client.get(`/api/workspaces/${b.workspaceId}/members`)).body as { id: string, user: { email: string } }[]
    b.memberId = members.find(member => member.user.email === b.emails[1])!.id
    b.inviteId = (await b.client.post(`/api/workspaces/${b.workspaceId}/invites`, { role: 'viewer' })).body.id
    // A failed job of B's, as its Jobs page would list it.
    const db = createPrisma(inject('databaseUrl'))
    b.jobId = (await db.jobRun.create({ data: { id: randomUUID(), workspaceId: b.workspaceId, queue: 'maintenance.cleanup', state: 'failed', error: 'B private failure' } })).id
    // A video of B's in the library, and one still uploading (its tus upload id is what the upload routes take).
    b.videoTitle = `B secret footage ${run}`
    b.videoId = (await db.video.create({ data: { workspaceId: b.workspaceId, kind: 'footage', status: 'ready', title: b.videoTitle, storageKey: `ws/${b.workspaceId}/videos/${randomUUID()}/source.mp4`, sizeBytes: 1000n } })).id
    b.uploadId = randomUUID()
    await db.video.create({ data: { workspaceId: b.workspaceId, kind: 'footage', status: 'uploading', title: b.videoTitle, uploadId: b.uploadId, sizeBytes: 5000n } })
    // A Studio render of B's still waiting for its job, and a music track of B's.
    b.renderId = (await db.render.create({ data: { workspaceId: b.workspaceId, sourceVideoId: b.videoId, status: 'queued' } })).id
    // A Studio draft of B's, of that footage.
    b.recipeName = `B secret draft ${run}`
    b.recipeId = (await db.editRecipe.create({ data: { workspaceId: b.workspaceId, sourceVideoId: b.videoId, name: b.recipeName, steps: {} } })).id
    // A filming script of B's, in a batch, sent to the Studio as that draft.
    b.scriptTitle = `B secret script ${run}`
    b.batchId = randomUUID()
    b.scriptId = (await db.script.create({ data: { workspaceId: b.workspaceId, batchId: b.batchId, title: b.scriptTitle, hook: 'B secret hook', shots: [{ atSec: 0, durationSec: 3, shot: 'B secret shot', onScreenText: '', spoken: '', broll: '' }] } })).id
    bodies['POST /api/workspaces/[workspaceId]/scripts/[scriptId]/studio'] = { videoId: b.videoId }
    b.assetName = `B secret jingle ${run}`
    b.assetId = (await db.studioAsset.create({ data: { workspaceId: b.workspaceId, kind: 'music', name: b.assetName, storageKey: `ws/${b.workspaceId}/assets/${randomUUID()}.mp3`, mimeType: 'audio/mpeg', sizeBytes: 1000n } })).id
    // A strategy of B's.
    b.strategyTitle = `B secret strategy ${run}`
    b.strategyId = (await db.strategy.create({ data: { workspaceId: b.workspaceId, title: b.strategyTitle, status: 'active', content: {}, basis: {} } })).id
    // A connected channel of B's, a post of B's on it, and a connection B has started (its state is B's secret).
    b.accountName = `B secret channel ${run}`
    b.accountId = (await db.socialAccount.create({ data: { workspaceId: b.workspaceId, platform: 'youtube', externalId: 'UC-b-secret', displayName: b.accountName, accessTokenEnc: 'not-a-real-token' } })).id
    b.caption = `B secret caption ${run}`
    b.postId = (await db.post.create({ data: { workspaceId: b.workspaceId, socialAccountId: b.accountId, renderId: b.renderId, caption: b.caption, status: 'failed' } })).id
    // A scheduled post of B's waiting for approval, on the calendar, and B's approval-mail link to it.
    b.groupId = randomUUID()
    await db.post.create({ data: { workspaceId: b.workspaceId, socialAccountId: b.accountId, renderId: b.renderId, caption: b.caption, status: 'scheduled', groupId: b.groupId, needsApproval: true, scheduledAt: new Date(Date.now() + 86_400_000), dueAt: new Date(Date.now() + 86_400_000), scheduledWall: '2030-01-01T09:00', scheduledZone: 'UTC' } })
    bodies['POST /api/workspaces/[workspaceId]/schedule'] = { renderId: b.renderId, targets: [{ accountId: b.accountId, caption: 'Taken over' }], when: { kind: 'draft' } }
    // B's account and render by id: unscoped, the preview would show B's account and the import would schedule to it.
    const bCsv = `date,time,zone,account,render,caption,title\n2030-01-02,09:00,UTC,${b.accountId},${b.renderId},Taken over,Taken over\n`
    bodies['POST /api/workspaces/[workspaceId]/schedule/import/preview'] = { csv: bCsv }
    bodies['POST /api/workspaces/[workspaceId]/schedule/import'] = { csv: bCsv }
    b.state = `b-state-${randomUUID()}`
    const bUser = await db.user.findFirstOrThrow({ where: { email: b.emails[0] } })
    b.flowId = (await db.oAuthFlow.create({ data: { workspaceId: b.workspaceId, userId: bUser.id, platform: 'youtube', stateHash: createHash('sha256').update(b.state).digest('base64url'), choicesEnc: 'v2.x.y.z.w', expiresAt: new Date(Date.now() + 15 * 60_000) } })).id
    callerScoped['POST /api/oauth/[platform]/callback']!.body = { state: b.state, code: 'b-code' }
    await db.$disconnect()
  })

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const routes = discoverApiRoutes()
  const key = (route: { method: string, template: string }) => `${route.method} ${route.template}`

  // Error replies echo the requested URL, so the ids the caller sent are not counted as leaked.
  function leaksB(body: unknown, path = ''): boolean {
    const text = JSON.stringify(body)
    return [b.workspaceId, b.memberId, b.inviteId, b.jobId, b.name, 'B private failure', b.videoId, b.uploadId, b.videoTitle, b.renderId, b.assetId, b.assetName, b.recipeId, b.recipeName, b.strategyId, b.strategyTitle, b.scriptId, b.scriptTitle, b.batchId, 'B secret hook', b.accountId, b.accountName, b.postId, b.groupId, b.caption, b.flowId, ...b.emails].some(secret => !path.includes(secret) && text.includes(secret))
  }

  it('finds the routes from the file tree', () => {
    expect(routes.length).toBeGreaterThanOrEqual(18)
    expect(routes.map(key)).toContain('PATCH /api/workspaces/[workspaceId]/members/[memberId]')
  })

  it.each(routes.filter(route => !(key(route) in publicRoutes)).map(route => [key(route), route] as const))('%s answers 401 without a session', async (_, route) => {
    const anonymous = new ApiClient(app.url)
    const ids = { workspaceId: b.workspaceId, memberId: b.memberId, inviteId: b.inviteId, jobId: b.jobId, token: b.usedToken, videoId: b.videoId, uploadId: b.uploadId, renderId: b.renderId, assetId: b.assetId, recipeId: b.recipeId, strategyId: b.strategyId, scriptId: b.scriptId, batchId: b.batchId, accountId: b.accountId, postId: b.postId, groupId: b.groupId, flowId: b.flowId, platform: 'youtube' }
    const path = fillTemplate(route.template, ids)
    const response = await anonymous.request(route.method, path, bodies[key(route)] ?? (['GET', 'HEAD', 'DELETE'].includes(route.method) ? undefined : {}))
    expect(response.status).toBe(401)
    expect(leaksB(response.body, path)).toBe(false)
  })

  const scoped = routes.filter(route => !(key(route) in publicRoutes) && !(key(route) in callerScoped))

  it('has a workspace id in the path of every route that is neither public nor caller-scoped', () => {
    for (const route of scoped) expect(route.params, `${key(route)}: add [workspaceId] to its path, or list it in callerScoped with a reason`).toContain('workspaceId')
  })

  it.each(scoped.map(route => [key(route), route] as const))('%s refuses a member of A, with B\'s workspace or B\'s objects', async (_, route) => {
    const body = bodies[key(route)] ?? (['GET', 'HEAD', 'DELETE'].includes(route.method) ? undefined : {})
    for (const workspaceId of [b.workspaceId, a.workspaceId]) {
      const path = fillTemplate(route.template, { workspaceId, memberId: b.memberId, inviteId: b.inviteId, jobId: b.jobId, videoId: b.videoId, uploadId: b.uploadId, renderId: b.renderId, assetId: b.assetId, recipeId: b.recipeId, strategyId: b.strategyId, scriptId: b.scriptId, batchId: b.batchId, accountId: b.accountId, postId: b.postId, groupId: b.groupId, flowId: b.flowId })
      // With A's own workspace and no other id in the path, the call is A's own business, not a cross-tenant one.
      if (workspaceId === a.workspaceId && route.params.length === 1) continue
      const response = await a.client.request(route.method, path, body)
      expect([403, 404], `${route.method} ${path} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`).toContain(response.status)
      expect(leaksB(response.body, path)).toBe(false)
    }
  })

  it.each(routes.filter(route => key(route) in callerScoped && key(route) !== 'POST /api/auth/logout-all').map(route => [key(route), route] as const))('%s shows a member of A nothing of B', async (_, route) => {
    const scope = callerScoped[key(route)]!
    const response = await a.client.request(route.method, fillTemplate(route.template, { token: b.usedToken, platform: 'youtube' }), scope.body ?? (route.method === 'GET' ? undefined : {}))
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(500)
    expect(leaksB(response.body)).toBe(false)
  })

  it('left B\'s workspace exactly as it was', async () => {
    const workspace = await b.client.get(`/api/workspaces/${b.workspaceId}`)
    expect(workspace.body.name).toBe(b.name)
    const members = (await b.client.get(`/api/workspaces/${b.workspaceId}/members`)).body as { id: string, role: string }[]
    expect(members.find(member => member.id === b.memberId)?.role).toBe('editor')
    const invites = (await b.client.get(`/api/workspaces/${b.workspaceId}/invites`)).body as { id: string }[]
    expect(invites.map(invite => invite.id)).toEqual([b.inviteId])
    const jobs = (await b.client.get(`/api/workspaces/${b.workspaceId}/jobs`)).body as { recent: { id: string, state: string }[] }
    expect(jobs.recent.find(run => run.id === b.jobId)?.state).toBe('failed')
    const videos = (await b.client.get(`/api/workspaces/${b.workspaceId}/videos`)).body as { videos: { id: string, title: string, status: string }[] }
    expect(videos.videos.find(video => video.id === b.videoId)?.title).toBe(b.videoTitle)
    expect(videos.videos.filter(video => video.status === 'uploading')).toHaveLength(1)
    expect((await b.client.get(`/api/workspaces/${b.workspaceId}/studio/renders/${b.renderId}`)).body).toMatchObject({ id: b.renderId, status: 'queued' })
    const assets = (await b.client.get(`/api/workspaces/${b.workspaceId}/studio/assets`)).body as { assets: { id: string, name: string }[] }
    expect(assets.assets.map(asset => asset.name)).toEqual([b.assetName])
    const drafts = (await b.client.get(`/api/workspaces/${b.workspaceId}/studio/recipes?videoId=${b.videoId}`)).body as { recipes: { id: string, name: string, version: number }[] }
    expect(drafts.recipes.map(({ id, name, version }) => ({ id, name, version }))).toEqual([{ id: b.recipeId, name: b.recipeName, version: 1 }])
    const strategies = (await b.client.get(`/api/workspaces/${b.workspaceId}/strategies`)).body as { strategies: { id: string, status: string }[] }
    expect(strategies.strategies.map(({ id, status }) => ({ id, status }))).toEqual([{ id: b.strategyId, status: 'active' }])
    const accounts = (await b.client.get(`/api/workspaces/${b.workspaceId}/accounts`)).body as { accounts: { id: string, status: string }[] }
    expect(accounts.accounts.map(({ id, status }) => ({ id, status }))).toEqual([{ id: b.accountId, status: 'active' }])
    expect((await b.client.get(`/api/workspaces/${b.workspaceId}/posts/${b.postId}`)).body).toMatchObject({ id: b.postId, caption: b.caption })
    expect((await b.client.get(`/api/workspaces/${b.workspaceId}/schedule/${b.groupId}`)).body.entry).toMatchObject({ groupId: b.groupId, state: 'waiting_approval', targets: [{ caption: b.caption }] })
    expect((await a.client.session()).workspaces.map(workspace => workspace.id)).not.toContain(b.workspaceId)
  })

  it('POST /api/auth/logout-all ends only the caller\'s sessions', async () => {
    expect((await a.client.post('/api/auth/logout-all')).status).toBe(200)
    expect((await a.client.get('/api/auth/session')).status).toBe(401)
    expect((await b.client.get('/api/auth/session')).status).toBe(200)
  })
})
