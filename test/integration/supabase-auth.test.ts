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

  it('does not hand a local account to someone who signed up at Supabase with its e-mail and never confirmed it', async () => {
    // An account from before this install switched to Supabase: it has no Supabase identity yet.
    const victim = await db.user.create({ data: { email: email('victim'), name: 'Victor', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA' } })
    goTrue.confirmEmails = true
    // Some projects let unconfirmed addresses sign in (GOTRUE_MAILER_ALLOW_UNVERIFIED_EMAIL_SIGN_INS): GoTrue then issues real tokens.
    goTrue.allowUnverifiedEmailSignIns = true
    try {
      const attacker = new ApiClient(app.url)
      expect((await attacker.signUp({ name: 'Mallory', email: email('victim'), password: 'attacker-password-1' })).status).toBe(202)
      const signIn = await attacker.signIn(email('victim'), 'attacker-password-1')
      expect(signIn.status).toBe(403)
      expect(signIn.body.statusMessage).toMatch(/^Confirm your e-mail address first/)
      // The same identity, traded straight from GoTrue's own token endpoint.
      const grant = await goTrue.passwordGrant(email('victim'), 'attacker-password-1')
      expect(grant.status).toBe(200)
      const exchanged = await attacker.post('/api/auth/supabase', { accessToken: grant.body.access_token })
      expect(exchanged.status).toBe(403)
      expect(exchanged.body.statusMessage).toMatch(/^Confirm your e-mail address first/)
      // Where the project enforces confirmation, GoTrue itself refuses, and the user is told what to do.
      goTrue.allowUnverifiedEmailSignIns = false
      const enforced = await attacker.signIn(email('victim'), 'attacker-password-1')
      expect(enforced.status).toBe(403)
      expect(enforced.body.statusMessage).toMatch(/^Confirm your e-mail address first/)
    }
    finally {
      goTrue.confirmEmails = false
      goTrue.allowUnverifiedEmailSignIns = false
    }
    const after = await db.user.findUniqueOrThrow({ where: { id: victim.id } })
    expect(after.supabaseUserId).toBeNull()
    expect(await db.authSession.count({ where: { userId: victim.id } })).toBe(0)
    expect(await db.user.count({ where: { email: email('victim') } })).toBe(1)
  })

  it('links an existing local account once its owner has confirmed the address at Supabase', async () => {
    const local = await db.user.create({ data: { email: email('lena'), name: 'Lena' } })
    goTrue.confirmEmails = true
    try {
      const client = new ApiClient(app.url)
      expect((await client.signUp({ name: 'Lena', email: email('lena'), password: 'supabase-password-4' })).status).toBe(202)
      goTrue.confirmEmail(email('lena'))
      expect((await client.signIn(email('lena'), 'supabase-password-4')).status).toBe(200)
      expect((await client.session()).user.id).toBe(local.id)
    }
    finally {
      goTrue.confirmEmails = false
    }
    expect((await db.user.findUniqueOrThrow({ where: { id: local.id } })).supabaseUserId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('passes on Supabase\'s own rate limit as a 429 the user can act on', async () => {
    goTrue.requestsLeft = 0
    try {
      const response = await new ApiClient(app.url).signIn(email('sue'), 'supabase-password-1')
      expect(response.status).toBe(429)
      expect(response.body.statusMessage).toBe('Supabase Auth is limiting requests. Try again in a minute.')
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    }
    finally {
      goTrue.requestsLeft = undefined
    }
    expect((await new ApiClient(app.url).signIn(email('sue'), 'supabase-password-1')).status).toBe(200)
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
