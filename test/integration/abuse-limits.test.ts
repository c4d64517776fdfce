import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ApiClient, type ApiResponse } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const run = Math.random().toString(36).slice(2, 8)
const email = (name: string) => `${name}-${run}@limits.test`
// An address the client makes up: a new one on every request.
const madeUp = () => `${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`
// Counters in Redis outlive a run, so each run's "real" addresses are its own.
const realAddress = () => `198.51.${randomBytes(1)[0]}.${randomBytes(1)[0]}`
// The app sits behind one proxy (TRUST_PROXY=true): whatever the client wrote, the proxy appends the address it saw.
const viaProxy = (address: string) => ({ 'x-forwarded-for': `${madeUp()}, ${address}` })

// What a script can do to the sign-in, sign-up and analysis routes, on the built app behind a trusted proxy.
describe.each([
  { store: 'the database', redis: false },
  { store: 'Redis', redis: true },
])(`abuse limits with counters in $store on ${inject('databaseKind')}`, ({ redis }) => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  const suffix = redis ? 'r' : 'd'

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-limits-'))
    // APP_ROLE=web: analyses are queued here and never run, which is all these tests need.
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), TRUST_PROXY: 'true', APP_ROLE: 'web', ...(redis ? { REDIS_URL: redisUrl } : {}) })
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('verifies at most 10 passwords when 60 wrong ones arrive at once for one account', async () => {
    const victim = email(`victim-${suffix}`)
    expect((await new ApiClient(app.url, viaProxy(realAddress())).signUp({ name: 'Vera', email: victim, password: 'the-right-password-1' })).status).toBe(201)
    const user = await db.user.findUniqueOrThrow({ where: { email: victim } })
    // From 60 addresses, so only the per-account limit is in play.
    const responses = await Promise.all(Array.from({ length: 60 }, (_, attempt) =>
      new ApiClient(app.url, { 'x-forwarded-for': madeUp() }).signIn(victim, `wrong-password-${attempt}`)))
    const statuses = responses.map(response => response.status)
    expect(statuses.filter(status => status === 401)).toHaveLength(10)
    expect(statuses.filter(status => status === 429)).toHaveLength(50)
    // Every verified wrong password leaves one audit event: ten, not sixty.
    expect(await db.auditEvent.count({ where: { action: 'auth.sign_in_failed', actorId: user.id } })).toBe(10)
    const refused = responses.find(response => response.status === 429)!
    expect(refused.body.statusMessage).toMatch(/^Too many failed sign-ins for this account\. Try again in \d+ minutes, or reset your password\.$/)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    // Locked means locked, even for the right password.
    expect((await new ApiClient(app.url, { 'x-forwarded-for': madeUp() }).signIn(victim, 'the-right-password-1')).status).toBe(429)
  })

  it('does not let a made-up X-Forwarded-For escape the per-address limit', async () => {
    const address = realAddress()
    const statuses: number[] = []
    for (let attempt = 0; attempt < 11; attempt++) {
      const response = await new ApiClient(app.url, viaProxy(address)).signUp({ name: 'Spoof', email: email(`spoof-${suffix}-${attempt}`) })
      statuses.push(response.status)
    }
    expect(statuses).toEqual([...Array(10).fill(201), 429])
  })

  it('records the address the proxy saw, not the one the client wrote, in the audit trail and the session', async () => {
    const address = realAddress()
    const client = new ApiClient(app.url, { 'x-forwarded-for': `203.0.113.66, ${address}` })
    await client.signUp({ name: 'Audrey', email: email(`audrey-${suffix}`) })
    expect((await client.signIn(email(`audrey-${suffix}`))).status).toBe(200)
    const user = await db.user.findUniqueOrThrow({ where: { email: email(`audrey-${suffix}`) } })
    const events = await db.auditEvent.findMany({ where: { actorId: user.id, action: { in: ['auth.sign_up', 'auth.sign_in'] } } })
    expect(events.map(event => event.ip)).toEqual([address, address])
    const sessions = await db.authSession.findMany({ where: { userId: user.id } })
    expect(sessions.map(session => session.ip)).toEqual([address, address])
  })

  it('lets one user own at most 10 workspaces, even when the requests race', async () => {
    const client = new ApiClient(app.url, viaProxy(realAddress()))
    await client.signUp({ name: 'Wanda', email: email(`wanda-${suffix}`) })
    const create = (index: number) => client.post('/api/workspaces', { name: `Brand ${index}`, timeZone: 'UTC' })
    const responses = await Promise.all(Array.from({ length: 12 }, (_, index) => create(index)))
    const statuses = responses.map(response => response.status)
    // One came with the account; nine more fit.
    expect(statuses.filter(status => status === 201)).toHaveLength(9)
    const refused = responses.filter(response => response.status !== 201)
    expect(refused).toHaveLength(3)
    for (const response of refused) {
      expect(response.status).toBe(409)
      expect(response.body.statusMessage).toMatch(/You already own 10 workspaces/)
    }
    expect((await client.session()).workspaces).toHaveLength(10)
  })

  it('rate-limits re-analysis per member, with a clear 429 and Retry-After', async () => {
    const client = new ApiClient(app.url, viaProxy(realAddress()))
    await client.signUp({ name: 'Rae', email: email(`rae-${suffix}`) })
    const workspaceId = (await client.session()).workspaces[0]!.id
    const user = await db.user.findUniqueOrThrow({ where: { email: email(`rae-${suffix}`) } })
    const video = await db.video.create({ data: { workspaceId, uploadedById: user.id, kind: 'footage', status: 'ready', title: 'Clip', storageKey: `ws/${workspaceId}/videos/missing/original` } })
    const statuses: number[] = []
    let refused: ApiResponse | undefined
    for (let attempt = 0; attempt < 21; attempt++) {
      const response = await client.post(`/api/workspaces/${workspaceId}/videos/${video.id}/analyse`, {})
      statuses.push(response.status)
      if (response.status === 429) refused = response
    }
    expect(statuses).toEqual([...Array(20).fill(202), 429])
    expect(refused!.body.statusMessage).toMatch(/^You have asked for many analyses in a short time\. Try again in \d+ minutes\.$/)
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await db.videoAnalysis.count({ where: { workspaceId, videoId: video.id } })).toBe(20)
    // This web-only app never works them, and the video has no file: left queued, they would take the other test
    // files' workers (which share this database) away from their own analyses, failing and retrying.
    await db.$executeRaw`DELETE FROM pgboss.job WHERE name = 'media.analyse' AND data->>'workspaceId' = ${workspaceId}`
  })
})
