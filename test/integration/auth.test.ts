import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

// Sign-up, sign-in, sessions and invites through the built app's HTTP API, on a real database.
describe(`accounts over HTTP on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  const run = Math.random().toString(36).slice(2, 8)
  const email = (name: string) => `${name}-${run}@example.test`

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-auth-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl') })
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('signs up into a workspace of one\'s own, as its owner, with the password stored only as an argon2id hash', async () => {
    const client = new ApiClient(app.url)
    const response = await client.signUp({ name: 'Olga Owner', email: email('olga'), password: 'tall-green-mountain-42' })
    expect(response.status).toBe(201)
    expect(response.headers.getSetCookie().find(cookie => cookie.startsWith('rw_refresh='))).toMatch(/HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/i)
    const session = await client.session()
    expect(session.workspaces).toEqual([expect.objectContaining({ name: 'Olga\'s workspace', role: 'owner' })])
    const user = await db.user.findUniqueOrThrow({ where: { email: email('olga') } })
    expect(user.passwordHash).toMatch(/^\$argon2id\$/)
    expect(JSON.stringify(user)).not.toContain('tall-green-mountain-42')
  })

  it('refuses a weak password with a clear message and creates nothing', async () => {
    const before = await db.user.count()
    for (const [password, message] of [['short', /at least 10 characters/], ['password123', /leaked passwords/], ['aaaaaaaaaaaa', /more variety/]] as const) {
      const response = await new ApiClient(app.url).signUp({ name: 'Weak', email: email('weak'), password })
      expect(response.status).toBe(400)
      expect(JSON.stringify(response.body)).toMatch(message)
    }
    expect(await db.user.count()).toBe(before)
  })

  it('refuses a second account with the same e-mail, whatever its case', async () => {
    const response = await new ApiClient(app.url).signUp({ name: 'Again', email: email('olga').toUpperCase() })
    expect(response.status).toBe(409)
    expect(response.body.statusMessage).toMatch(/already exists\. Sign in instead/)
  })

  it('stops a wrong password after 10 tries, even a right one after that, and changes nothing', async () => {
    const client = new ApiClient(app.url)
    await client.signUp({ name: 'Guessed', email: email('guessed'), password: 'the-right-password-1' })
    const before = await db.user.findUniqueOrThrow({ where: { email: email('guessed') } })
    const statuses: number[] = []
    let lastMessage = ''
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await new ApiClient(app.url).signIn(email('guessed'), `wrong-password-${attempt}`)
      statuses.push(response.status)
      lastMessage = response.body.statusMessage
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses.slice(10)).toEqual(Array(10).fill(429))
    expect(lastMessage).toMatch(/Too many failed sign-ins for this account\. Try again in \d+ minutes/)
    expect((await new ApiClient(app.url).signIn(email('guessed'), 'the-right-password-1')).status).toBe(429)
    const after = await db.user.findUniqueOrThrow({ where: { email: email('guessed') } })
    expect(after).toEqual(before)
    expect(await db.auditEvent.count({ where: { action: 'auth.sign_in_failed', actorId: before.id } })).toBe(10)
  })

  it('says the same thing for an unknown e-mail as for a wrong password', async () => {
    const response = await new ApiClient(app.url).signIn(email('nobody'), 'whatever-it-is')
    expect(response.status).toBe(401)
    expect(response.body.statusMessage).toBe('Wrong e-mail or password.')
  })

  it('rotates the refresh token, and ends the whole session when a rotated token comes back later', async () => {
    const client = new ApiClient(app.url)
    await client.signUp({ name: 'Rita', email: email('rita') })
    const first = client.cookies.get('rw_refresh')!
    expect((await client.post('/api/auth/refresh')).status).toBe(200)
    const second = client.cookies.get('rw_refresh')!
    expect(second).not.toBe(first)
    // Pretend the first rotation happened a minute ago, past the grace for racing tabs.
    await db.refreshToken.updateMany({ where: { usedAt: { not: null }, session: { user: { email: email('rita') } } }, data: { usedAt: new Date(Date.now() - 60_000) } })
    const thief = new ApiClient(app.url)
    thief.cookies.set('rw_refresh', first)
    const stolen = await thief.post('/api/auth/refresh')
    expect(stolen.status).toBe(401)
    expect(stolen.body.statusMessage).toMatch(/used twice/)
    // The rightful holder's newer token is dead too: the chain was revoked.
    expect((await client.post('/api/auth/refresh')).status).toBe(401)
    expect((await client.get('/api/auth/session')).status).toBe(401)
  })

  it('signs out this device, and then out of every device', async () => {
    const laptop = new ApiClient(app.url)
    await laptop.signUp({ name: 'Sam', email: email('sam') })
    const phone = new ApiClient(app.url)
    await phone.signIn(email('sam'))
    const tablet = new ApiClient(app.url)
    await tablet.signIn(email('sam'))
    expect((await tablet.post('/api/auth/logout')).status).toBe(200)
    expect((await tablet.get('/api/auth/session')).status).toBe(401)
    expect((await phone.get('/api/auth/session')).status).toBe(200)
    expect((await laptop.post('/api/auth/logout-all')).body).toEqual({ sessionsEnded: 2 })
    expect((await phone.get('/api/auth/session')).status).toBe(401)
    expect((await phone.post('/api/auth/refresh')).status).toBe(401)
  })

  describe('invites', () => {
    const owner = () => new ApiClient(app.url)
    let admin: ApiClient
    let workspaceId: string

    beforeAll(async () => {
      admin = owner()
      await admin.signUp({ name: 'Ines', email: email('ines') })
      workspaceId = (await admin.session()).workspaces[0]!.id
    })

    it('joins the invite\'s workspace with its role, once', async () => {
      const invite = await admin.post(`/api/workspaces/${workspaceId}/invites`, { role: 'editor' })
      expect(invite.status).toBe(201)
      expect(invite.body.url).toContain(`/invite/${invite.body.token}`)
      const preview = await new ApiClient(app.url).get(`/api/invites/${invite.body.token}`)
      expect(preview.body).toMatchObject({ workspaceName: 'Ines\'s workspace', role: 'editor', state: 'open', problem: null })

      const eddie = new ApiClient(app.url)
      expect((await eddie.signUp({ name: 'Eddie', email: email('eddie'), inviteToken: invite.body.token })).status).toBe(201)
      expect((await eddie.session()).workspaces).toEqual([expect.objectContaining({ id: workspaceId, role: 'editor' })])

      const users = await db.user.count()
      const late = await new ApiClient(app.url).signUp({ name: 'Late', email: email('late'), inviteToken: invite.body.token })
      expect(late.status).toBe(409)
      expect(late.body.statusMessage).toBe('This invite has already been used. Ask for a new link.')
      expect(await db.user.count()).toBe(users)
    })

    it('refuses an expired or withdrawn invite, and leaves no trace', async () => {
      const expired = await admin.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
      await db.invite.update({ where: { id: expired.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
      const withdrawn = await admin.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
      expect((await admin.delete(`/api/workspaces/${workspaceId}/invites/${withdrawn.body.id}`)).status).toBe(200)
      const members = await db.membership.count({ where: { workspaceId } })

      const joiner = new ApiClient(app.url)
      await joiner.signUp({ name: 'Joiner', email: email('joiner') })
      const tooLate = await joiner.post(`/api/invites/${expired.body.token}/accept`)
      expect(tooLate.status).toBe(409)
      expect(tooLate.body.statusMessage).toBe('This invite has expired. Ask for a new link.')
      const gone = await joiner.post(`/api/invites/${withdrawn.body.token}/accept`)
      expect(gone.body.statusMessage).toBe('This invite was withdrawn. Ask for a new link.')
      expect(await db.membership.count({ where: { workspaceId } })).toBe(members)
    })

    it('keeps the last owner: they cannot leave or be demoted, until there is another owner', async () => {
      const members = (await admin.get(`/api/workspaces/${workspaceId}/members`)).body as { id: string, role: string, user: { email: string } }[]
      const self = members.find(member => member.user.email === email('ines'))!
      expect((await admin.post(`/api/workspaces/${workspaceId}/leave`)).body.statusMessage).toMatch(/at least one owner/)
      const promotion = await admin.post(`/api/workspaces/${workspaceId}/invites`, { role: 'owner' })
      const second = new ApiClient(app.url)
      await second.signUp({ name: 'Otto', email: email('otto'), inviteToken: promotion.body.token })
      const otto = ((await admin.get(`/api/workspaces/${workspaceId}/members`)).body as typeof members).find(member => member.user.email === email('otto'))!
      expect((await second.patch(`/api/workspaces/${workspaceId}/members/${self.id}`, { role: 'admin' })).status).toBe(200)
      // Now Otto is the only owner: he can neither step down nor leave.
      const stepDown = await second.patch(`/api/workspaces/${workspaceId}/members/${otto.id}`, { role: 'admin' })
      expect(stepDown.status).toBe(409)
      expect(stepDown.body.statusMessage).toMatch(/at least one owner/)
      expect((await second.post(`/api/workspaces/${workspaceId}/leave`)).status).toBe(409)
      expect((await db.membership.findUniqueOrThrow({ where: { id: otto.id } })).role).toBe('owner')
    })

    it('lets an editor read the workspace but not manage members, invite or read the audit', async () => {
      const editor = new ApiClient(app.url)
      await editor.signIn(email('eddie'))
      expect((await editor.get(`/api/workspaces/${workspaceId}`)).status).toBe(200)
      for (const response of [
        await editor.get(`/api/workspaces/${workspaceId}/members`),
        await editor.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' }),
        await editor.get(`/api/workspaces/${workspaceId}/audit`),
        await editor.patch(`/api/workspaces/${workspaceId}`, { name: 'Mine now' }),
      ]) {
        expect(response.status).toBe(403)
        expect(response.body.statusMessage).toMatch(/needs the admin role or higher in this workspace; you are an editor/)
      }
    })
  })

  it('refuses a state-changing request sent from another site', async () => {
    const client = new ApiClient(app.url, { origin: 'https://evil.example' })
    const response = await client.post('/api/auth/login', { email: email('olga'), password: 'tall-green-mountain-42' })
    expect(response.status).toBe(403)
    expect(response.body.statusMessage).toMatch(/another site/)
  })

  it('sends security headers, and a CSP with a fresh nonce on every page', async () => {
    const first = await fetch(`${app.url}/login`, { headers: { accept: 'text/html' } })
    const second = await fetch(`${app.url}/login`, { headers: { accept: 'text/html' } })
    const nonce = (response: Response) => /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1]
    expect(nonce(first)).toBeTruthy()
    expect(nonce(first)).not.toBe(nonce(second))
    expect(first.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
    expect(first.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await first.text()
    for (const tag of html.match(/<script(?![^>]*type="application\/json")[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce(first)}"`)
  })

  it('never writes a token or password to its log', () => {
    expect(app.output()).not.toMatch(/Bearer |eyJ[\w-]+\.|tall-green-mountain|rw_refresh=/)
  })
})
