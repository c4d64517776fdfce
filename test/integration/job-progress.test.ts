import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startWorker, waitUntil } from '../support/job-workers'
import { createPrisma } from '../support/scratch'
import { testQueue } from '../support/test-queues'

const root = resolve(import.meta.dirname, '../..')

// A job's progress travels from a worker process, through JobRun, to the built app's server-sent events.
describe(`job progress on ${inject('databaseKind')}`, () => {
  const url = inject('databaseUrl')
  const queue = 'test.progress'
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let sender: JobEngine
  let worker: ReturnType<typeof startWorker>
  const owner = { client: undefined as unknown as ApiClient, workspaceId: '' }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-progress-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: url })
    db = createPrisma(url)
    sender = await startJobEngine({ connectionString: url, works: false, queues: [testQueue(queue)], handlers: {}, tracker: prismaJobTracker(db) })
    worker = startWorker({ JOB_QUEUE: queue })
    owner.client = new ApiClient(app.url)
    await owner.client.signUp({ name: 'Paula', email: `paula-${Date.now()}@progress.test` })
    owner.workspaceId = (await owner.client.session()).workspaces[0]!.id
    await worker.ready
  }, 120_000)

  afterAll(async () => {
    worker?.child.kill('SIGTERM')
    if (worker) await once(worker.child, 'exit')
    await sender?.stop(1000)
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  async function readEvents(jobId: string): Promise<{ state: string, stage: string | null, percent: number, error: string | null }[]> {
    const response = await fetch(`${app.url}/api/workspaces/${owner.workspaceId}/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${owner.client.token}` } })
    const text = await response.text()
    // A refusal answers JSON: name its status and message, so a failure here says which one it was.
    expect(response.headers.get('content-type'), `${response.status} ${text.slice(0, 300)}`).toContain('text/event-stream')
    return text.split('\n\n').filter(block => block.includes('event: progress')).map(block => JSON.parse(block.split('\n').find(line => line.startsWith('data: '))!.slice(6)))
  }

  it('streams stage and percent while the job runs, and ends with its outcome', async () => {
    // The stream opens before the job starts, and each step outlasts the stream's half-second read: on a loaded
    // machine a job that started at once had run most of its steps before the stream's first read (CI saw one).
    const jobId = (await sender.send(queue, { workspaceId: owner.workspaceId, steps: 4, stepMs: 700 }, { startAfter: new Date(Date.now() + 1500) }))!
    const events = await readEvents(jobId)
    expect(events.at(-1)).toMatchObject({ state: 'succeeded', percent: 100, error: null })
    const running = events.filter(event => event.state === 'running' && event.stage)
    expect(running.length).toBeGreaterThanOrEqual(2)
    const percents = running.map(event => event.percent)
    expect([...percents].sort((a, b) => a - b)).toEqual(percents)
  })

  it('shows a failure with its reason after the retries, and retries it on request', async () => {
    const jobId = (await sender.send(queue, { workspaceId: owner.workspaceId, fail: true }))!
    await waitUntil(async () => (await db.jobRun.findUnique({ where: { id: jobId } }))?.state === 'failed', 20_000, 'the job to fail for good')
    const run = await db.jobRun.findUniqueOrThrow({ where: { id: jobId } })
    expect(run).toMatchObject({ error: 'The test asked this job to fail.', attempts: 4 })

    const summary = await owner.client.get(`/api/workspaces/${owner.workspaceId}/jobs`)
    expect(summary.body.counts.failed).toBeGreaterThanOrEqual(1)
    expect(summary.body.recent.find((entry: { id: string }) => entry.id === jobId)?.error).toBe('The test asked this job to fail.')

    const retried = await owner.client.post(`/api/workspaces/${owner.workspaceId}/jobs/${jobId}/retry`)
    expect(retried.body).toEqual({ id: jobId, state: 'queued' })
    // It runs once more (and, asked to fail, fails again).
    await waitUntil(async () => ((await db.jobRun.findUnique({ where: { id: jobId } }))?.attempts ?? 0) > 4, 20_000, 'the retried job to run again')
  })

  it('keeps a job on its workspace\'s page when the worker started it before the sender recorded it', async () => {
    // A polling worker can fetch a job between pg-boss's insert and the sender's JobRun row (CI saw it once): the
    // row the start creates must carry the workspace and subject, or the job never shows on the Jobs page.
    const tracker = prismaJobTracker(db)
    const id = crypto.randomUUID()
    const data = { workspaceId: owner.workspaceId, videoId: crypto.randomUUID() }
    await tracker.started(id, queue, 1, data)
    await tracker.queued(id, queue, owner.workspaceId, data)
    await tracker.finished(id, { state: 'failed', error: 'Started first.' })
    expect(await db.jobRun.findUniqueOrThrow({ where: { id } })).toMatchObject({ workspaceId: owner.workspaceId, subject: { videoId: data.videoId }, state: 'failed' })
    const summary = await owner.client.get(`/api/workspaces/${owner.workspaceId}/jobs`)
    expect(summary.body.recent.find((entry: { id: string }) => entry.id === id)?.error).toBe('Started first.')
  })

  it('the CLI lists queues and failures, and cancels a waiting job', async () => {
    const cli = (...args: string[]) => new Promise<{ code: number | null, output: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/jobs.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: url } })
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.on('exit', code => done({ code, output }))
    })
    const listed = await cli('list')
    expect(listed.code).toBe(0)
    expect(listed.output).toMatch(/maintenance\.cleanup/)
    expect(listed.output).toMatch(/The test asked this job to fail\./)
    const waiting = (await sender.send(queue, { workspaceId: owner.workspaceId }, { startAfter: new Date(Date.now() + 60_000) }))!
    const canceled = await cli('cancel', waiting)
    expect(canceled.output).toContain(`${waiting} is now canceled.`)
    const wrong = await cli('retry', 'not-an-id')
    expect(wrong.code).toBe(1)
    expect(wrong.output).toMatch(/a job id is a UUID/)
  }, 60_000)

  it('cancels a job that is still waiting, and refuses to cancel a finished one', async () => {
    const jobId = (await sender.send(queue, { workspaceId: owner.workspaceId }, { startAfter: new Date(Date.now() + 60_000) }))!
    expect((await owner.client.post(`/api/workspaces/${owner.workspaceId}/jobs/${jobId}/cancel`)).body).toEqual({ id: jobId, state: 'canceled' })
    expect((await sender.boss.findJobs(queue, { id: jobId }))[0]?.state).toBe('cancelled')
    const again = await owner.client.post(`/api/workspaces/${owner.workspaceId}/jobs/${jobId}/cancel`)
    expect(again.status).toBe(409)
    expect(again.body.statusMessage).toMatch(/Only waiting or running jobs can be canceled/)
  })
})
