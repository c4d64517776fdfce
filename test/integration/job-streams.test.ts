import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { JOB_STREAMS_PER_USER } from '../../server/services/jobs/streams'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

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

  // A job that waits for ever: no worker takes this queue, so its stream stays open until something closes it.
  async function waitingJob(): Promise<string> {
    const id = randomUUID()
    await db.jobRun.create({ data: { id, queue: 'test.streams', workspaceId } })
    return id
  }

  interface OpenStream { status: number, body: string, ended: Promise<{ text: string, afterMs: number }>, close: () => void }

  // Opens a stream and waits for its first event (or its refusal); `ended` settles when the server closes it.
  async function openStream(client: ApiClient, jobId: string): Promise<OpenStream> {
    const controller = new AbortController()
    opened.push(controller)
    const started = Date.now()
    const response = await fetch(`${app.url}/api/workspaces/${workspaceId}/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${client.token}` }, signal: controller.signal })
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
