// Two web instances on one database, each remembering the sessions it has checked (server/services/auth/session-cache.ts).
// Whatever ends a session or changes what its view shows, done on instance A, is seen on instance B at once, even
// though B has the session in memory; and B never trusts its memory while it cannot hear the database's notifications.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { linkIn, startLoopbackSmtp, type LoopbackSmtp } from '../support/smtp'

const kind = inject('databaseKind')

describe(`remembered sessions across two instances on ${kind}`, () => {
  let dir: string
  let smtp: LoopbackSmtp
  let a: RunningApp
  let b: RunningApp
  let sql: pg.Client
  const run = Math.random().toString(36).slice(2, 8)
  const email = (name: string) => `${name}-${run}@cache.test`

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-session-cache-'))
    smtp = await startLoopbackSmtp()
    const shared = { APP_ROLE: 'web', DATABASE_URL: inject('databaseUrl'), SECRET_KEY: randomBytes(48).toString('base64'), SMTP_URL: smtp.url, MAIL_FROM: 'Reelwise <no-reply@reelwise.test>' }
    a = await startBuiltApp({ ...shared, DATA_DIR: join(dir, 'a') })
    b = await startBuiltApp({ ...shared, DATA_DIR: join(dir, 'b') })
    sql = new pg.Client({ connectionString: inject('databaseUrl') })
    await sql.connect()
  }, 120_000)
  afterAll(async () => {
    await sql?.end()
    await a?.stop()
    await b?.stop()
    await smtp?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** The same session on the other instance, as a load balancer would send it. */
  function sameSessionOn(app: RunningApp, client: ApiClient): ApiClient {
    const other = new ApiClient(app.url)
    other.token = client.token
    return other
  }

  // The session route (the view) and a workspace route (requireUser, then the membership), twice each, so B has it in memory.
  async function warm(client: ApiClient, workspaceId: string) {
    for (let round = 0; round < 2; round++) {
      expect((await client.get('/api/auth/session')).status).toBe(200)
      expect((await client.get(`/api/workspaces/${workspaceId}`)).status).toBe(200)
    }
  }

  it('a session signed out on A, then every session signed out everywhere on A, is refused on B at once', async () => {
    const laptop = new ApiClient(a.url)
    expect((await laptop.signUp({ name: 'Lena', email: email('lena') })).status).toBe(201)
    const phone = new ApiClient(a.url)
    expect((await phone.signIn(email('lena'))).status).toBe(200)
    const workspaceId = (await laptop.session()).workspaces[0]!.id
    const laptopOnB = sameSessionOn(b, laptop)
    const phoneOnB = sameSessionOn(b, phone)
    await warm(laptopOnB, workspaceId)
    await warm(phoneOnB, workspaceId)

    expect((await phone.post('/api/auth/logout')).status).toBe(200)
    expect((await phoneOnB.get('/api/auth/session')).status).toBe(401)
    expect((await phoneOnB.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
    expect((await laptopOnB.get('/api/auth/session')).status).toBe(200)

    expect((await laptop.post('/api/auth/logout-all')).body).toEqual({ sessionsEnded: 1 })
    expect((await laptopOnB.get('/api/auth/session')).status).toBe(401)
    expect((await laptopOnB.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
  })

  it('a password reset on A ends the sessions B remembers; a verified address shows on B at once', async () => {
    const client = new ApiClient(a.url)
    expect((await client.signUp({ name: 'Rosa', email: email('rosa'), password: 'first-password-of-rosa' })).status).toBe(201)
    const workspaceId = (await client.session()).workspaces[0]!.id
    const onB = sameSessionOn(b, client)
    await warm(onB, workspaceId)
    expect((await onB.get('/api/auth/session')).body.user.emailVerified).toBe(false)

    const verification = linkIn(await smtp.waitFor(email('rosa')), '/verify-email/')
    expect((await new ApiClient(a.url).post('/api/auth/verify-email', { token: verification.token })).status).toBe(200)
    expect((await onB.get('/api/auth/session')).body.user.emailVerified).toBe(true)

    expect((await new ApiClient(a.url).post('/api/auth/password-reset', { email: email('rosa') })).status).toBe(202)
    const reset = linkIn(await smtp.waitFor(email('rosa'), 2), '/reset-password/')
    expect((await new ApiClient(a.url).post('/api/auth/password-reset/confirm', { token: reset.token, password: 'second-password-of-rosa' })).status).toBe(200)
    expect((await onB.get('/api/auth/session')).status).toBe(401)
    expect((await onB.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
  })

  it('a password change on A ends every other session B remembers, and keeps the one that changed it', async () => {
    const laptop = new ApiClient(a.url)
    expect((await laptop.signUp({ name: 'Pia', email: email('pia'), password: 'first-password-of-pia' })).status).toBe(201)
    const phone = new ApiClient(a.url)
    expect((await phone.signIn(email('pia'), 'first-password-of-pia')).status).toBe(200)
    const workspaceId = (await laptop.session()).workspaces[0]!.id
    const laptopOnB = sameSessionOn(b, laptop)
    const phoneOnB = sameSessionOn(b, phone)
    await warm(laptopOnB, workspaceId)
    await warm(phoneOnB, workspaceId)

    expect((await laptop.post('/api/auth/password', { currentPassword: 'first-password-of-pia', newPassword: 'second-password-of-pia' })).body).toEqual({ sessionsEnded: 1 })
    expect((await phoneOnB.get('/api/auth/session')).status).toBe(401)
    expect((await phoneOnB.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
    expect((await laptopOnB.get('/api/auth/session')).status).toBe(200)
    expect((await laptopOnB.get(`/api/workspaces/${workspaceId}`)).status).toBe(200)
  })

  it('a session B remembers is refused on B once it expires, though nothing was sent when it did', async () => {
    const client = new ApiClient(a.url)
    expect((await client.signUp({ name: 'Ines', email: email('ines') })).status).toBe(201)
    const workspaceId = (await client.session()).workspaces[0]!.id
    // The session's end brought near without a notification (triggers off for one transaction): nothing tells B when
    // it passes, as nothing tells anyone when a session's time runs out.
    await sql.query('BEGIN')
    await sql.query('SET LOCAL session_replication_role = replica')
    const { rows } = await sql.query<{ expiresAt: Date }>(`UPDATE "AuthSession" SET "expiresAt" = now() + interval '3 seconds' WHERE "userId" = (SELECT id FROM "User" WHERE email = $1) RETURNING "expiresAt"`, [email('ines')])
    await sql.query('COMMIT')
    const onB = sameSessionOn(b, client)
    await warm(onB, workspaceId)
    await new Promise(resolve => setTimeout(resolve, Math.max(0, rows[0]!.expiresAt.getTime() - Date.now()) + 200))
    expect((await onB.get('/api/auth/session')).status).toBe(401)
    expect((await onB.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
  })

  it('a role change, a workspace rename and a removal on A show on B at once', async () => {
    const owner = new ApiClient(a.url)
    expect((await owner.signUp({ name: 'Olga', email: email('olga') })).status).toBe(201)
    const workspaceId = (await owner.session()).workspaces[0]!.id
    const invite = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'editor' })
    expect(invite.status).toBe(201)
    const member = new ApiClient(a.url)
    expect((await member.signUp({ name: 'Milo', email: email('milo'), inviteToken: invite.body.token })).status).toBe(201)
    const memberOnB = sameSessionOn(b, member)
    await warm(memberOnB, workspaceId)
    const shared = async () => (await memberOnB.session()).workspaces.find(workspace => workspace.id === workspaceId)
    expect(await shared()).toMatchObject({ role: 'editor' })

    const members = (await owner.get(`/api/workspaces/${workspaceId}/members`)).body as { id: string, user: { email: string } }[]
    const membership = members.find(entry => entry.user.email === email('milo'))!
    // A workspace route that needs a role: allowed on B the moment A promotes, refused the moment A demotes.
    expect((await memberOnB.get(`/api/workspaces/${workspaceId}/members`)).status).toBe(403)
    expect((await owner.patch(`/api/workspaces/${workspaceId}/members/${membership.id}`, { role: 'admin' })).status).toBe(200)
    expect((await memberOnB.get(`/api/workspaces/${workspaceId}/members`)).status).toBe(200)
    expect(await shared()).toMatchObject({ role: 'admin' })
    expect((await owner.patch(`/api/workspaces/${workspaceId}/members/${membership.id}`, { role: 'viewer' })).status).toBe(200)
    expect((await memberOnB.get(`/api/workspaces/${workspaceId}/members`)).status).toBe(403)
    expect(await shared()).toMatchObject({ role: 'viewer' })

    expect((await owner.patch(`/api/workspaces/${workspaceId}`, { name: 'Renamed by Olga' })).status).toBe(200)
    expect(await shared()).toMatchObject({ name: 'Renamed by Olga', role: 'viewer' })

    expect((await owner.delete(`/api/workspaces/${workspaceId}/members/${membership.id}`)).status).toBe(200)
    expect(await shared()).toBeUndefined()
    expect((await memberOnB.get(`/api/workspaces/${workspaceId}`)).status).toBe(404)
  })

  // The tests above would pass without any cache: this one shows that B answers a remembered session from memory, by
  // ending it in a way that sends no notification (triggers off for one transaction). On the embedded PGlite a
  // notification never reaches another connection, so there the cache stays off and B asks the database every time.
  it(kind === 'postgres' ? 'B answers a remembered session from memory' : 'B asks the database every time (no cache on PGlite)', async () => {
    const client = new ApiClient(a.url)
    expect((await client.signUp({ name: 'Nora', email: email('nora') })).status).toBe(201)
    const workspaceId = (await client.session()).workspaces[0]!.id
    const onB = sameSessionOn(b, client)
    await warm(onB, workspaceId)
    await sql.query('BEGIN')
    await sql.query('SET LOCAL session_replication_role = replica')
    await sql.query(`UPDATE "AuthSession" SET "revokedAt" = now() WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [email('nora')])
    await sql.query('COMMIT')
    expect((await onB.get('/api/auth/session')).status).toBe(kind === 'postgres' ? 200 : 401)
  })

  /** The process id of the backend that holds `app`'s LISTEN connection, if it has one now. */
  async function listenerOf(app: RunningApp): Promise<number | undefined> {
    const { rows } = await sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [`reelwise-session-cache ${app.child.pid}`])
    return rows[0]?.pid
  }

  it.skipIf(kind === 'pglite')('a session ended while B\'s listening connection is down is refused on B during the drop and after it listens again', async () => {
    const client = new ApiClient(a.url)
    expect((await client.signUp({ name: 'Dora', email: email('dora') })).status).toBe(201)
    const workspaceId = (await client.session()).workspaces[0]!.id
    const onB = sameSessionOn(b, client)
    await warm(onB, workspaceId)
    const listener = await listenerOf(b)
    expect(listener).toBeTypeOf('number')

    await sql.query('SELECT pg_terminate_backend($1)', [listener])
    // Ended while nobody on B listens: this notification is lost to B.
    await sql.query(`UPDATE "AuthSession" SET "revokedAt" = now(), "revokedReason" = 'test' WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [email('dora')])
    expect(await listenerOf(b), 'B listened again before the session ended, so this run did not test the drop').toBeUndefined()
    expect((await onB.get('/api/auth/session')).status).toBe(401)
    expect((await onB.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)

    await expect.poll(() => listenerOf(b), { timeout: 20_000 }).toBeTypeOf('number')
    expect(await listenerOf(b)).not.toBe(listener)
    expect((await onB.get('/api/auth/session')).status).toBe(401)
    expect((await onB.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
  })
})

// The embedded PGlite runs in the app's process, served to every connection from one session: there the process reads
// the notifications from PGlite's answers (server/services/db/embedded.ts), so it remembers sessions too. Its own
// database each time, so this runs once (in the PGlite project).
describe.skipIf(kind === 'postgres')('remembered sessions on the embedded database', () => {
  let dir: string
  let app: RunningApp
  const email = (name: string) => `${name}@embedded-cache.test`

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-session-cache-embedded-'))
    app = await startBuiltApp({ APP_ROLE: 'web', DATA_DIR: dir, SECRET_KEY: randomBytes(48).toString('base64') })
  }, 120_000)
  afterAll(async () => {
    await app?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function warm(client: ApiClient, workspaceId: string) {
    for (let round = 0; round < 2; round++) {
      expect((await client.get('/api/auth/session')).status).toBe(200)
      expect((await client.get(`/api/workspaces/${workspaceId}`)).status).toBe(200)
    }
  }

  it('remembers sessions, and a sign-out, a password change, a role change, a removal and signing out everywhere count at once', async () => {
    await expect.poll(() => app.output()).toContain('[auth] session cache on: reading revocations from the embedded database')
    const laptop = new ApiClient(app.url)
    expect((await laptop.signUp({ name: 'Ella', email: email('ella'), password: 'first-password-of-ella' })).status).toBe(201)
    const phone = new ApiClient(app.url)
    expect((await phone.signIn(email('ella'), 'first-password-of-ella')).status).toBe(200)
    const tablet = new ApiClient(app.url)
    expect((await tablet.signIn(email('ella'), 'first-password-of-ella')).status).toBe(200)
    const workspaceId = (await laptop.session()).workspaces[0]!.id
    for (const client of [laptop, phone, tablet]) await warm(client, workspaceId)

    expect((await tablet.post('/api/auth/logout')).status).toBe(200)
    expect((await tablet.get('/api/auth/session')).status).toBe(401)
    expect((await tablet.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)

    expect((await laptop.post('/api/auth/password', { currentPassword: 'first-password-of-ella', newPassword: 'second-password-of-ella' })).body).toEqual({ sessionsEnded: 1 })
    expect((await phone.get('/api/auth/session')).status).toBe(401)
    expect((await phone.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
    await warm(laptop, workspaceId)

    const invite = await laptop.post(`/api/workspaces/${workspaceId}/invites`, { role: 'editor' })
    expect(invite.status).toBe(201)
    const member = new ApiClient(app.url)
    expect((await member.signUp({ name: 'Emil', email: email('emil'), inviteToken: invite.body.token })).status).toBe(201)
    await warm(member, workspaceId)
    const members = (await laptop.get(`/api/workspaces/${workspaceId}/members`)).body as { id: string, user: { email: string } }[]
    const membership = members.find(entry => entry.user.email === email('emil'))!
    expect((await member.get(`/api/workspaces/${workspaceId}/members`)).status).toBe(403)
    expect((await laptop.patch(`/api/workspaces/${workspaceId}/members/${membership.id}`, { role: 'admin' })).status).toBe(200)
    expect((await member.get(`/api/workspaces/${workspaceId}/members`)).status).toBe(200)
    expect((await laptop.patch(`/api/workspaces/${workspaceId}/members/${membership.id}`, { role: 'viewer' })).status).toBe(200)
    expect((await member.get(`/api/workspaces/${workspaceId}/members`)).status).toBe(403)
    expect((await laptop.delete(`/api/workspaces/${workspaceId}/members/${membership.id}`)).status).toBe(200)
    expect((await member.get(`/api/workspaces/${workspaceId}`)).status).toBe(404)
    expect((await member.session()).workspaces.find(workspace => workspace.id === workspaceId)).toBeUndefined()

    expect((await laptop.post('/api/auth/logout-all')).body).toEqual({ sessionsEnded: 1 })
    expect((await laptop.get('/api/auth/session')).status).toBe(401)
    expect((await laptop.get(`/api/workspaces/${workspaceId}`)).status).toBe(401)
  })
})
