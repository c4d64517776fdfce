import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeGoTrue, type FakeGoTrue } from '../support/fake-gotrue'
import { createPrisma } from '../support/scratch'
import { linkIn, startLoopbackSmtp, type LoopbackSmtp } from '../support/smtp'

// Password reset, address verification and e-mail-bound invites through the built app's HTTP API, with the mail
// going over real SMTP to a loopback server that stands in for the outside one.
describe(`e-mail over SMTP on ${inject('databaseKind')}`, () => {
  let smtp: LoopbackSmtp
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  const run = Math.random().toString(36).slice(2, 8)
  const email = (name: string) => `${name}-${run}@example.test`
  const anonymous = () => new ApiClient(app.url)

  beforeAll(async () => {
    smtp = await startLoopbackSmtp()
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-email-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), SMTP_URL: smtp.url, MAIL_FROM: 'Reelwise <no-reply@reelwise.test>' })
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await db?.$disconnect()
    await app?.stop()
    await smtp?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  // Only hashes are kept: no row of the token table holds the token itself.
  async function expectOnlyHashStored(token: string) {
    const rows = await db.emailToken.findMany()
    expect(rows.length).toBeGreaterThan(0)
    expect(JSON.stringify(rows)).not.toContain(token)
  }

  it('e-mails a verification link at sign-up; the link verifies the address once', async () => {
    const client = new ApiClient(app.url)
    expect((await client.signUp({ name: 'Vera', email: email('vera') })).status).toBe(201)
    expect((await client.get('/api/auth/session')).body.user).toMatchObject({ email: email('vera'), emailVerified: false })

    const mail = await smtp.waitFor(email('vera'))
    expect(mail.from).toBe('no-reply@reelwise.test')
    expect(mail.subject).toMatch(/confirm your e-mail/i)
    const link = linkIn(mail, '/verify-email/')
    expect(link.url.startsWith(`${app.url}/verify-email/`)).toBe(true)
    await expectOnlyHashStored(link.token)

    // The link works on any device, signed in or not.
    const verified = await anonymous().post('/api/auth/verify-email', { token: link.token })
    expect(verified.status).toBe(200)
    expect(verified.body).toMatchObject({ verified: true, email: email('vera') })
    expect((await client.get('/api/auth/session')).body.user.emailVerified).toBe(true)
    const user = await db.user.findUniqueOrThrow({ where: { email: email('vera') } })
    expect(user.emailVerifiedAt).toBeInstanceOf(Date)
    expect(await db.auditEvent.count({ where: { action: 'auth.email_verified', actorId: user.id } })).toBe(1)

    const again = await anonymous().post('/api/auth/verify-email', { token: link.token })
    expect(again.status).toBe(400)
    expect(again.body.statusMessage).toMatch(/already been used/)
    expect((await anonymous().post('/api/auth/verify-email', { token: 'x'.repeat(43) })).status).toBe(400)
  })

  it('resends the verification link on request, at most 5 times an hour, and only to the signed-in user', async () => {
    const client = new ApiClient(app.url)
    expect((await client.signUp({ name: 'Rex', email: email('rex') })).status).toBe(201)
    await smtp.waitFor(email('rex'))
    expect((await anonymous().post('/api/auth/verify-email/resend')).status).toBe(401)
    for (let attempt = 0; attempt < 5; attempt++) expect((await client.post('/api/auth/verify-email/resend')).body).toEqual({ sent: true })
    const limited = await client.post('/api/auth/verify-email/resend')
    expect(limited.status).toBe(429)
    expect(limited.body.statusMessage).toMatch(/Try again in \d+ minutes/)
    const last = await smtp.waitFor(email('rex'), 6)
    expect((await anonymous().post('/api/auth/verify-email', { token: linkIn(last, '/verify-email/').token })).status).toBe(200)
    expect(smtp.to(email('rex'))).toHaveLength(6)
  })

  it('resets a forgotten password by a single-use link, says the same for an unknown address, and ends every other session', async () => {
    const first = new ApiClient(app.url)
    expect((await first.signUp({ name: 'Rita', email: email('rita'), password: 'first-password-of-rita' })).status).toBe(201)
    const second = new ApiClient(app.url)
    expect((await second.signIn(email('rita'), 'first-password-of-rita')).status).toBe(200)

    const known = await anonymous().post('/api/auth/password-reset', { email: email('rita') })
    const unknown = await anonymous().post('/api/auth/password-reset', { email: email('nobody') })
    expect(known.status).toBe(202)
    expect(unknown.status).toBe(known.status)
    expect(unknown.body).toEqual(known.body)

    // Sign-up's verification mail came first.
    const mail = await smtp.waitFor(email('rita'), 2)
    expect(mail.subject).toBe('Reset your Reelwise password')
    const link = linkIn(mail, '/reset-password/')
    expect(link.url.startsWith(`${app.url}/reset-password/`)).toBe(true)
    await expectOnlyHashStored(link.token)

    // The same password rules as sign-up; a refused password does not use up the link.
    const weak = await anonymous().post('/api/auth/password-reset/confirm', { token: link.token, password: 'password123' })
    expect(weak.status).toBe(400)
    expect(JSON.stringify(weak.body)).toMatch(/leaked passwords/)

    const reset = await anonymous().post('/api/auth/password-reset/confirm', { token: link.token, password: 'second-password-of-rita' })
    expect(reset.status).toBe(200)
    expect((await first.get('/api/auth/session')).status).toBe(401)
    expect((await second.get('/api/auth/session')).status).toBe(401)
    expect((await anonymous().signIn(email('rita'), 'first-password-of-rita')).status).toBe(401)
    expect((await anonymous().signIn(email('rita'), 'second-password-of-rita')).status).toBe(200)

    const reused = await anonymous().post('/api/auth/password-reset/confirm', { token: link.token, password: 'third-password-of-rita' })
    expect(reused.status).toBe(400)
    expect(reused.body.statusMessage).toMatch(/already been used.*new link/)
    expect((await anonymous().signIn(email('rita'), 'second-password-of-rita')).status).toBe(200)

    // Nothing went to the unknown address, and neither the token nor the password reached the log.
    expect(smtp.to(email('nobody'))).toHaveLength(0)
    expect(app.output()).not.toContain(link.token)
    expect(app.output()).not.toContain('second-password-of-rita')
    const user = await db.user.findUniqueOrThrow({ where: { email: email('rita') } })
    const actions = (await db.auditEvent.findMany({ where: { actorId: user.id }, select: { action: true } })).map(event => event.action)
    expect(actions).toEqual(expect.arrayContaining(['auth.password_reset_requested', 'auth.password_reset']))
    const ended = await db.authSession.findMany({ where: { userId: user.id, revokedReason: 'password_reset' } })
    expect(ended).toHaveLength(2)
  })

  it('refuses an expired reset link and leaves the password as it was', async () => {
    expect((await anonymous().signUp({ name: 'Ezra', email: email('ezra'), password: 'ezra-password-one' })).status).toBe(201)
    await anonymous().post('/api/auth/password-reset', { email: email('ezra') })
    const link = linkIn(await smtp.waitFor(email('ezra'), 2), '/reset-password/')
    const user = await db.user.findUniqueOrThrow({ where: { email: email('ezra') } })
    // An hour has passed.
    await db.emailToken.updateMany({ where: { userId: user.id, purpose: 'password_reset' }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const expired = await anonymous().post('/api/auth/password-reset/confirm', { token: link.token, password: 'ezra-password-two' })
    expect(expired.status).toBe(400)
    expect(expired.body.statusMessage).toMatch(/expired.*new link/)
    expect((await anonymous().signIn(email('ezra'), 'ezra-password-one')).status).toBe(200)
  })

  it('unlocks an account that failed sign-ins locked, as the lockout message promises', async () => {
    expect((await anonymous().signUp({ name: 'Lou', email: email('lou'), password: 'lou-password-one' })).status).toBe(201)
    for (let attempt = 0; attempt < 10; attempt++) await anonymous().signIn(email('lou'), `wrong-${attempt}`)
    const locked = await anonymous().signIn(email('lou'), 'lou-password-one')
    expect(locked.status).toBe(429)
    expect(locked.body.statusMessage).toMatch(/reset your password/)
    await anonymous().post('/api/auth/password-reset', { email: email('lou') })
    const link = linkIn(await smtp.waitFor(email('lou'), 2), '/reset-password/')
    expect((await anonymous().post('/api/auth/password-reset/confirm', { token: link.token, password: 'lou-password-two' })).status).toBe(200)
    expect((await anonymous().signIn(email('lou'), 'lou-password-two')).status).toBe(200)
  })

  it('limits reset requests per address, the same way whether an account exists or not', async () => {
    expect((await anonymous().signUp({ name: 'Kim', email: email('kim') })).status).toBe(201)
    const answers: Record<string, { status: number, body: { data?: { retryAfterSeconds?: number } } }[]> = { known: [], unknown: [] }
    for (const [kind, address] of [['known', email('kim')], ['unknown', email('ghost')]] as const) {
      for (let attempt = 0; attempt < 4; attempt++) {
        const response = await anonymous().post('/api/auth/password-reset', { email: address })
        answers[kind]!.push({ status: response.status, body: response.body })
      }
    }
    expect(answers.known!.map(answer => answer.status)).toEqual([202, 202, 202, 429])
    // The wait differs only by the moments between the two series of requests.
    const waits = [answers.known!, answers.unknown!].map(series => series.at(-1)!.body.data!.retryAfterSeconds!)
    expect(Math.abs(waits[0]! - waits[1]!)).toBeLessThanOrEqual(2)
    const withoutWait = (series: typeof answers.known) => series!.map(answer => ({ ...answer, body: { ...answer.body, data: undefined } }))
    expect(withoutWait(answers.unknown)).toEqual(withoutWait(answers.known))
    // Sign-up's verification mail, then three reset links.
    await smtp.waitFor(email('kim'), 4)
    expect(smtp.to(email('ghost'))).toHaveLength(0)
  })

  it('refuses a link that is not even the shape of one in the same words as an unknown link, never zod\'s', async () => {
    const resetAdvice = 'This link is not valid. Ask for a new link with "Forgot password?" on the sign-in page.'
    const verifyAdvice = 'This link is not valid. Send a new link from the banner in the app.'
    // Too short, too long, wrong characters, not a string, missing; then well-formed but unknown.
    const malformed: unknown[] = ['abc', 'x'.repeat(500), 'not a token, not at all', 42, undefined]
    for (const token of [...malformed, 'x'.repeat(43)]) {
      const verify = await anonymous().post('/api/auth/verify-email', { token })
      expect(verify.status, `verify-email with ${JSON.stringify(token)}`).toBe(400)
      expect(verify.body.statusMessage).toBe(verifyAdvice)
      const reset = await anonymous().post('/api/auth/password-reset/confirm', { token, password: 'a-fine-new-password' })
      expect(reset.status, `password-reset with ${JSON.stringify(token)}`).toBe(400)
      expect(reset.body.statusMessage).toBe(resetAdvice)
      expect(JSON.stringify([verify.body, reset.body])).not.toMatch(/Validation Error|Too small|Too big|Invalid/)
    }
    // A dead link does not make the person fix the password first.
    expect((await anonymous().post('/api/auth/password-reset/confirm', { token: 'abc', password: 'short' })).body.statusMessage).toBe(resetAdvice)
  })

  it('lets only a verified owner of the address accept an invite bound to it', async () => {
    const owner = new ApiClient(app.url)
    expect((await owner.signUp({ name: 'Olive', email: email('olive') })).status).toBe(201)
    const workspaceId = (await owner.session()).workspaces[0]!.id
    const invite = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'editor', email: email('ivy') })
    expect(invite.status).toBe(201)

    // Ivy signs up through the link: the account is made, but the workspace waits for her address to be confirmed.
    const ivy = new ApiClient(app.url)
    expect((await ivy.signUp({ name: 'Ivy', email: email('ivy'), inviteToken: invite.body.token })).status).toBe(201)
    expect((await ivy.session()).workspaces.map(workspace => workspace.id)).not.toContain(workspaceId)
    const unverified = await ivy.post(`/api/invites/${invite.body.token}/accept`)
    expect(unverified.status).toBe(403)
    expect(unverified.body.statusMessage).toMatch(/confirm your address/i)
    expect(unverified.body.data).toMatchObject({ reason: 'email_unverified' })

    // Someone else, verified, with the link in hand, is refused too.
    const mallory = new ApiClient(app.url)
    expect((await mallory.signUp({ name: 'Mallory', email: email('mallory') })).status).toBe(201)
    await anonymous().post('/api/auth/verify-email', { token: linkIn(await smtp.waitFor(email('mallory')), '/verify-email/').token })
    const stranger = await mallory.post(`/api/invites/${invite.body.token}/accept`)
    expect(stranger.status).toBe(403)
    expect(stranger.body.statusMessage).toMatch(/This invite is for/)

    await anonymous().post('/api/auth/verify-email', { token: linkIn(await smtp.waitFor(email('ivy')), '/verify-email/').token })
    expect((await ivy.post(`/api/invites/${invite.body.token}/accept`)).status).toBe(200)
    expect((await ivy.session()).workspaces).toEqual([expect.objectContaining({ id: workspaceId, role: 'editor' })])
  })
})

describe(`e-mail with no SMTP server on ${inject('databaseKind')}`, () => {
  const run = Math.random().toString(36).slice(2, 8)
  const apps: RunningApp[] = []
  const dirs: string[] = []

  async function start(env: Record<string, string>) {
    const dataDir = await mkdtemp(join(tmpdir(), 'reelwise-outbox-'))
    dirs.push(dataDir)
    const app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), ...env })
    apps.push(app)
    return app
  }
  afterAll(async () => {
    for (const app of apps) await app.stop()
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  // These two start their app inside the test, whose own wait for /health is up to 60 s (app-server.ts): hence 120 s.
  it('in development, prints each mail to the log and shows it to the workspace owner in the dev outbox', async () => {
    const app = await start({})
    const client = new ApiClient(app.url)
    const address = `dev-${run}@example.test`
    expect((await client.signUp({ name: 'Dev', email: address })).status).toBe(201)
    const workspaceId = (await client.session()).workspaces[0]!.id
    expect((await client.get('/api/auth/setup')).body.devOutbox).toBe(true)
    await expect.poll(() => /\/verify-email\/[\w-]{20,}/.exec(app.output())?.[0]).toBeTruthy()
    const outbox = await client.get(`/api/workspaces/${workspaceId}/dev-outbox`)
    expect(outbox.status).toBe(200)
    const mail = outbox.body.mails.find((item: { to: string }) => item.to === address)
    expect(mail.subject).toMatch(/confirm your e-mail/i)
    // The link in the outbox is the one in the log, and it works.
    const token = /\/verify-email\/([\w-]+)/.exec(mail.text)![1]!
    expect(app.output()).toContain(token)
    expect((await new ApiClient(app.url).post('/api/auth/verify-email', { token })).status).toBe(200)
  }, 120_000)

  it('in production, neither prints the mail nor has a dev outbox', async () => {
    const app = await start({ NODE_ENV: 'production', SECRET_KEY: 'a'.repeat(48), ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') })
    const client = new ApiClient(app.url)
    const address = `prod-${run}@example.test`
    expect((await client.signUp({ name: 'Prod', email: address })).status).toBe(201)
    const workspaceId = (await client.session()).workspaces[0]!.id
    expect((await client.get('/api/auth/setup')).body.devOutbox).toBe(false)
    expect((await client.post('/api/auth/password-reset', { email: address })).status).toBe(202)
    await expect.poll(() => app.output()).toMatch(/SMTP_URL/)
    expect(app.output()).not.toMatch(/\/(verify-email|reset-password)\//)
    expect((await client.get(`/api/workspaces/${workspaceId}/dev-outbox`)).status).toBe(404)
  }, 120_000)
})

describe(`e-mail verification in Supabase Auth mode on ${inject('databaseKind')}`, () => {
  let goTrue: FakeGoTrue
  let app: RunningApp
  let dataDir: string
  const run = Math.random().toString(36).slice(2, 8)
  const email = (name: string) => `${name}-${run}@supabase-mail.test`

  beforeAll(async () => {
    goTrue = await startFakeGoTrue()
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-email-supabase-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), SUPABASE_URL: goTrue.url, SUPABASE_ANON_KEY: goTrue.anonKey })
  })
  afterAll(async () => {
    await app?.stop()
    await goTrue?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('counts an address Supabase confirmed as verified, so an invite bound to it is accepted at once', async () => {
    const owner = new ApiClient(app.url)
    expect((await owner.signUp({ name: 'Sid', email: email('sid'), password: 'supabase-password-1' })).status).toBe(201)
    expect((await owner.session() as { user: { emailVerified?: boolean } }).user.emailVerified).toBe(true)
    const workspaceId = (await owner.session()).workspaces[0]!.id
    const invite = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer', email: email('sam') })
    const sam = new ApiClient(app.url)
    expect((await sam.signUp({ name: 'Sam', email: email('sam'), password: 'supabase-password-2', inviteToken: invite.body.token })).status).toBe(201)
    expect((await sam.session()).workspaces).toEqual([expect.objectContaining({ id: workspaceId, role: 'viewer' })])
    // Resets belong to Supabase in this mode.
    expect((await new ApiClient(app.url).post('/api/auth/password-reset', { email: email('sam') })).status).toBe(404)
  })
})
