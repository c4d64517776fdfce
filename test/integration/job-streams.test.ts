import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { createJobStreamSlots, JOB_STREAM_LEASE_MS, JOB_STREAMS_PER_USER } from '../../server/services/jobs/streams'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

interface OpenStream { status: number, body: string, ended: Promise<{ text: string, afterMs: number }>, close: () => void }

// Opens a stream at `appUrl` and waits for its first event (or its refusal); `ended` settles when the server closes it.
async function openStreamAt(appUrl: string, opened: AbortController[], client: ApiClient, workspaceId: string, jobId: string): Promise<OpenStream> {
  const controller = new AbortController()
  opened.push(controller)
  const started = Date.now()
  const response = await fetch(`${appUrl}/api/workspaces/${workspaceId}/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${client.token}` }, signal: controller.signal })
  if (response.status !== 200) return { status: response.status, body: await response.text(), ended: Promise.resolve({ text: '', afterMs: 0 }), close: () => controller.abort() }
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!text.includes('event: progress')) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value)
  }
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value)
      }
    }
    catch {
      // Aborted by the test.
    }
    return { text, afterMs: Date.now() - started }
  })()
  return { status: 200, body: text, ended, close: () => controller.abort() }
}

// The job progress stream (server-sent events) holds a connection and a database poll per open stream, so it is bounded:
// a per-user cap, a membership check while open, and a maximum lifetime after which the browser reconnects.
describe(`job progress streams on ${inject('databaseKind')}`, () => {
  const url = inject('databaseUrl')
  const lifetimeSeconds = 12
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let owner: ApiClient
  let workspaceId: string
  const opened: AbortController[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-streams-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: url, JOB_STREAM_MAX_SECONDS: String(lifetimeSeconds) })
    db = createPrisma(url)
    owner = new ApiClient(app.url)
    await owner.signUp({ name: 'Stella', email: `stella-${Date.now()}@streams.test` })
    workspaceId = (await owner.session()).workspaces[0]!.id
  }, 120_000)

  afterAll(async () => {
    for (const controller of opened) controller.abort()
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const openStream = (client: ApiClient, jobId: string) => openStreamAt(app.url, opened, client, workspaceId, jobId)

  // A job that waits for ever: no worker takes this queue, so its stream stays open until something closes it.
  async function waitingJob(): Promise<string> {
    const id = randomUUID()
    await db.jobRun.create({ data: { id, queue: 'test.streams', workspaceId } })
    return id
  }

  it(`refuses a user's stream beyond ${JOB_STREAMS_PER_USER} open ones with a clear 429, and accepts one again once a stream closes`, async () => {
    const jobId = await waitingJob()
    const streams: OpenStream[] = []
    for (let index = 0; index < JOB_STREAMS_PER_USER; index++) streams.push(await openStream(owner, jobId))
    expect(streams.map(stream => stream.status)).toEqual(Array.from({ length: JOB_STREAMS_PER_USER }, () => 200))

    const refused = await openStream(owner, jobId)
    expect(refused.status).toBe(429)
    expect(JSON.parse(refused.body).statusMessage).toMatch(/Too many live job views are open.*Close some tabs/)

    streams[0]!.close()
    let again: OpenStream | undefined
    await expect.poll(async () => {
      again = await openStream(owner, jobId)
      return again.status
    }, { timeout: 5000, interval: 250 }).toBe(200)
    for (const stream of [...streams, again!]) stream.close()
  })

  it('closes the stream of a member removed from the workspace within seconds', async () => {
    const invite = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
    const viewer = new ApiClient(app.url)
    const email = `vera-${Date.now()}@streams.test`
    expect((await viewer.signUp({ name: 'Vera', email, inviteToken: invite.body.token })).status).toBe(201)
    const stream = await openStream(viewer, await waitingJob())
    expect(stream.status).toBe(200)

    const members = (await owner.get(`/api/workspaces/${workspaceId}/members`)).body as { id: string, user: { email: string } }[]
    const removedAt = Date.now()
    expect((await owner.delete(`/api/workspaces/${workspaceId}/members/${members.find(member => member.user.email === email)!.id}`)).status).toBe(200)
    const outcome = await Promise.race([stream.ended, new Promise<undefined>(done => setTimeout(done, 6000))])
    expect(outcome, 'the removed member\'s stream was still open 6 s after the removal').toBeDefined()
    expect(Date.now() - removedAt).toBeLessThan(6000)
    stream.close()
  })

  it(`ends a stream after JOB_STREAM_MAX_SECONDS (${lifetimeSeconds} s), telling the browser to reconnect`, async () => {
    const stream = await openStream(owner, await waitingJob())
    const outcome = await Promise.race([stream.ended, new Promise<undefined>(done => setTimeout(done, (lifetimeSeconds + 8) * 1000))])
    expect(outcome, 'the stream outlived its maximum lifetime').toBeDefined()
    expect(outcome!.afterMs).toBeGreaterThanOrEqual(lifetimeSeconds * 1000 - 500)
    // EventSource reconnects on its own after `retry` ms; the reconnected stream starts with the job's current state.
    expect(outcome!.text).toMatch(/^retry: \d+$/m)
    expect(outcome!.text).toContain('event: reconnect')
  }, (lifetimeSeconds + 15) * 1000)
})

// With REDIS_URL the cap holds across web instances: open streams are counted per user in Redis, each slot with a
// lease its instance renews, so an instance that dies without closing its streams gives them back when the lease ends.
describe(`job progress streams across two web instances sharing Redis, on ${inject('databaseKind')}`, () => {
  const url = inject('databaseUrl')
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
  let first: RunningApp
  let second: RunningApp
  let dataDir: string
  let db: PrismaClient
  let owner: ApiClient
  let workspaceId: string
  const opened: AbortController[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-streams-redis-'))
    const env = { DATABASE_URL: url, APP_ROLE: 'web', REDIS_URL: redisUrl }
    ;[first, second] = await Promise.all([
      startBuiltApp({ ...env, DATA_DIR: join(dataDir, 'first') }),
      startBuiltApp({ ...env, DATA_DIR: join(dataDir, 'second') }),
    ])
    db = createPrisma(url)
    owner = new ApiClient(first.url)
    await owner.signUp({ name: 'Rhea', email: `rhea-${Date.now()}@streams.test` })
    workspaceId = (await owner.session()).workspaces[0]!.id
  }, 120_000)

  afterAll(async () => {
    for (const controller of opened) controller.abort()
    await db?.$disconnect()
    await Promise.all([first?.stop(), second?.stop()])
    await rm(dataDir, { recursive: true, force: true })
  })

  it(`refuses the ${JOB_STREAMS_PER_USER + 1}th stream across both instances, and a killed instance's streams count no longer once their lease ends`, async () => {
    const jobId = randomUUID()
    await db.jobRun.create({ data: { id: jobId, queue: 'test.streams', workspaceId } })
    const at = (app: RunningApp) => openStreamAt(app.url, opened, owner, workspaceId, jobId)

    const onFirst = [await at(first), await at(first), await at(first)]
    const onSecond = [await at(second), await at(second)]
    expect([...onFirst, ...onSecond].map(stream => stream.status)).toEqual([200, 200, 200, 200, 200])
    const refusedFirst = await at(first)
    const refusedSecond = await at(second)
    expect([refusedFirst.status, refusedSecond.status]).toEqual([429, 429])
    expect(JSON.parse(refusedSecond.body).statusMessage).toMatch(/Too many live job views are open.*Close some tabs/)

    // A stream closed on one instance frees a slot on the other.
    onFirst[0]!.close()
    await expect.poll(async () => {
      const stream = await at(second)
      if (stream.status === 200) onSecond.push(stream)
      return stream.status
    }, { timeout: 5000, interval: 250 }).toBe(200)

    // The second instance dies holding three streams, without a chance to give them back.
    const exited = once(second.child, 'exit')
    process.kill(-second.child.pid!, 'SIGKILL')
    await exited
    const killedAt = Date.now()
    // Within the lease (and a renewal's slack), the first instance takes three more streams, and then no sixth.
    for (let index = 0; index < 3; index++) {
      await expect.poll(async () => {
        const stream = await at(first)
        return stream.status
      }, { timeout: JOB_STREAM_LEASE_MS + 15_000, interval: 1000 }).toBe(200)
    }
    expect(Date.now() - killedAt).toBeLessThan(JOB_STREAM_LEASE_MS + 15_000)
    expect((await at(first)).status).toBe(429)
  }, JOB_STREAM_LEASE_MS + 60_000)
})

describe(`job stream slots when Redis does not answer, on ${inject('databaseKind')}`, () => {
  it('fall back to this process\'s own count: the cap still holds, and the fallback is logged', async () => {
    // Nothing listens on port 1: every command fails (after one retry, or the command time-out).
    const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, commandTimeout: 1000, retryStrategy: () => 200 })
    redis.on('error', () => {})
    const warnings: string[] = []
    const slots = createJobStreamSlots({ redis, warn: message => warnings.push(message) })
    try {
      const userId = randomUUID()
      const taken = []
      for (let index = 0; index < JOB_STREAMS_PER_USER; index++) taken.push(await slots.claim(userId))
      expect(taken.every(release => typeof release === 'function')).toBe(true)
      expect(await slots.claim(userId)).toBeUndefined()
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/Redis did not answer.*counting this instance's streams only/)
      taken[0]!()
      expect(typeof await slots.claim(userId)).toBe('function')
    }
    finally {
      await slots.close()
      redis.disconnect()
    }
  }, 30_000)
})
