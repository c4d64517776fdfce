import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeGoTrue, type FakeGoTrue } from '../support/fake-gotrue'
import { createPrisma } from '../support/scratch'

// Supabase Auth mode against a loopback GoTrue that signs real JWTs.
describe.each([
  { keys: 'JWKS (ES256)', hs256: false },
  { keys: 'SUPABASE_JWT_SECRET (HS256)', hs256: true },
])(`Supabase Auth mode with $keys on ${inject('databaseKind')}`, ({ hs256 }) => {
  let goTrue: FakeGoTrue
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  const run = Math.random().toString(36).slice(2, 8)
  const email = (name: string) => `${name}-${run}-${hs256 ? 'hs' : 'es'}@supabase.test`

  beforeAll(async () => {
    goTrue = await startFakeGoTrue({ hs256 })
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-supabase-'))
    app = await startBuiltApp({
      DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'),
      SUPABASE_URL: goTrue.url, SUPABASE_ANON_KEY: goTrue.anonKey, ...(goTrue.jwtSecret ? { SUPABASE_JWT_SECRET: goTrue.jwtSecret } : {}),
    })
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await db?.$disconnect()
    await app?.stop()
    await goTrue?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('says it is in Supabase mode', async () => {
    expect((await new ApiClient(app.url).get('/api/auth/setup')).body.mode).toBe('supabase')
  })

  it('signs up through Supabase into a local user with a workspace of its own', async () => {
    const client = new ApiClient(app.url)
    expect((await client.signUp({ name: 'Sue Base', email: email('sue'), password: 'supabase-password-1' })).status).toBe(201)
    const session = await client.session()
    expect(session.workspaces).toEqual([expect.objectContaining({ name: 'Sue\'s workspace', role: 'owner' })])
    const user = await db.user.findUniqueOrThrow({ where: { email: email('sue') } })
    expect(user.supabaseUserId).toMatch(/^[0-9a-f-]{36}$/)
    expect(user.passwordHash).toBeNull()
  })

  it('signs in with the password Supabase checks, and maps to the same local user', async () => {
    const client = new ApiClient(app.url)
    expect((await client.signIn(email('sue'), 'supabase-password-1')).status).toBe(200)
    expect((await client.session()).user.email).toBe(email('sue'))
    const wrong = await new ApiClient(app.url).signIn(email('sue'), 'not-the-password')
    expect(wrong.status).toBe(401)
    expect(wrong.body.statusMessage).toBe('Wrong e-mail or password.')
    expect(await db.user.count({ where: { email: email('sue') } })).toBe(1)
  })

  it('signs in through a magic link: Supabase e-mails it, the callback trades the token for a session', async () => {
    const client = new ApiClient(app.url)
    expect((await client.post('/api/auth/magic-link', { email: email('sue') })).body).toEqual({ sent: true })
    const link = goTrue.lastMagicLink(email('sue'))!
    expect(link).toContain(encodeURIComponent(`${app.url}/auth/callback`))
    const redirect = await fetch(link, { redirect: 'manual' })
    const location = redirect.headers.get('location')!
    expect(location.startsWith(`${app.url}/auth/callback#access_token=`)).toBe(true)
    const accessToken = new URLSearchParams(location.split('#')[1]).get('access_token')!
    const exchanged = await client.post('/api/auth/supabase', { accessToken })
    expect(exchanged.status).toBe(200)
    client.token = exchanged.body.token
    expect((await client.session()).user.email).toBe(email('sue'))
  })

  it('refuses forged, expired and foreign tokens', async () => {
    const user = await db.user.findUniqueOrThrow({ where: { email: email('sue') } })
    const claims = { sub: user.supabaseUserId, email: email('sue') }
    const forged = await goTrue.sign(claims, { foreignKey: true })
    const expired = await goTrue.sign(claims, { expiresInSeconds: -60 })
    const otherProject = await goTrue.sign({ ...claims, iss: 'https://another-project.supabase.co/auth/v1' })
    const wrongAudience = await goTrue.sign({ ...claims, aud: 'anon' })
    for (const accessToken of [forged, expired, otherProject, wrongAudience]) {
      const response = await new ApiClient(app.url).post('/api/auth/supabase', { accessToken })
      expect(response.status).toBe(401)
      expect(response.body.statusMessage).toMatch(/not valid any more/)
    }
  })

  it('joins a workspace through an invite when the new user arrives with one', async () => {
    const owner = new ApiClient(app.url)
    await owner.signIn(email('sue'), 'supabase-password-1')
    const workspaceId = (await owner.session()).workspaces[0]!.id
    const invite = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
    const viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vic', email: email('vic'), password: 'supabase-password-2', inviteToken: invite.body.token })).status).toBe(201)
    expect((await viewer.session()).workspaces).toEqual([expect.objectContaining({ id: workspaceId, role: 'viewer' })])
  })

  it('tells the user to confirm their address when the project requires it, and creates nothing yet', async () => {
    goTrue.confirmEmails = true
    const users = await db.user.count()
    const response = await new ApiClient(app.url).signUp({ name: 'Cora', email: email('cora'), password: 'supabase-password-3' })
    goTrue.confirmEmails = false
    expect(response.status).toBe(202)
    expect(response.body).toEqual({ confirmationSent: true })
    expect(await db.user.count()).toBe(users)
  })
})
