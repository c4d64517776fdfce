// The AI's reading of a video through the built app (APP_ROLE=all works the queues): a finished analysis is read at
// once by the local provider, which states only measured facts and files no semantic pattern; with the workspace on
// an OpenAI-compatible server (the loopback fake), "Read with AI" files the video under hook type, topic and format
// buckets with semantic evidence and the reading's provenance; a newer reading replaces the older one's evidence; an
// answer that does not fit the schema is asked again once, then fails in plain words and leaves the last reading.
// A database of its own: another file's app working the same queues would not find this app's video files.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { videoSourceKey } from '../../server/services/media/storage/keys'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createSecretBox } from '../../server/services/security/secrets'
import type { ReadingContent, VideoReadingView } from '#shared/semantics'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai'
import { waitUntil } from '../support/job-workers'
import { generateClip } from '../support/media'
import { createPrisma, createScratchDatabase, type Scratch } from '../support/scratch'

const ENCRYPTION_KEY = Buffer.alloc(32, 'reading-test').toString('base64')

const unread = { source: null, note: 'Could not tell.' }
const firstReading: ReadingContent = {
  hook: { type: 'question', line: 'Why is your knife always dull?', source: 'read', note: 'Opens on a question to the viewer.' },
  topic: { value: 'Knife skills', source: 'read', note: null },
  format: { value: 'tutorial', source: 'read', note: 'Shows the steps one by one.' },
  callToAction: { type: null, words: null, ...unread },
  onScreenText: { lines: null, ...unread },
  emotionalArc: { beats: ['curiosity', 'payoff'], source: 'read', note: null },
}
const secondReading: ReadingContent = {
  ...firstReading,
  hook: { type: 'bold_claim', line: 'You are holding your knife wrong.', source: 'read', note: null },
  topic: { value: 'knife-skills', source: 'read', note: null },
  format: { value: 'list', source: 'read', note: null },
  callToAction: { type: 'follow', words: 'Follow for part two', source: 'read', note: null },
}

describe(`the AI's reading of a video, on ${inject('databaseKind')}`, () => {
  let scratch: Scratch
  let db: PrismaClient
  let dataDir: string
  let app: RunningApp
  let fake: FakeOpenAi
  let api: ApiClient
  let workspaceId: string
  let videoId: string

  const readingPath = () => `/api/workspaces/${workspaceId}/videos/${videoId}/reading`
  const view = async () => (await api.get<VideoReadingView>(readingPath())).body
  const semanticEvidence = () => db.patternEvidence.findMany({ where: { workspaceId, videoId, source: 'semantic' }, include: { pattern: true }, orderBy: { createdAt: 'asc' } })

  async function jobSettles(jobId: string): Promise<{ state: string, error: string | null }> {
    let run: { state: string, error: string | null } | null = null
    await waitUntil(async () => {
      run = await db.jobRun.findUnique({ where: { id: jobId }, select: { state: true, error: true } })
      return run?.state === 'succeeded' || run?.state === 'failed'
    }, 60_000, `reading job ${jobId} to settle`)
    return run!
  }

  async function readWithAi(): Promise<{ state: string, error: string | null }> {
    const queued = await api.post(readingPath(), {})
    expect(queued.status, JSON.stringify(queued.body)).toBe(202)
    return jobSettles(queued.body.jobId)
  }

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject('databaseKind'))
    await migrateIfBehind(scratch.url, await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations')))
    db = createPrisma(scratch.url)
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-reading-'))
    fake = await startFakeOpenAi()
    app = await startBuiltApp({ APP_ROLE: 'all', DATA_DIR: dataDir, DATABASE_URL: scratch.url, ENCRYPTION_KEY })
    api = new ApiClient(app.url)
    expect((await api.signUp({ name: 'Rhea', email: `rhea-${randomUUID()}@reading.test` })).status).toBe(201)
    workspaceId = (await api.session()).workspaces[0]!.id

    // A 9:16 clip with cuts at 0.8 s and 2.4 s and sound throughout, stored where the app keeps its media.
    const clip = await generateClip(join(dataDir, 'clip.mp4'), { width: 360, height: 640, fps: 30, shots: [0.8, 1.6, 3.6], audio: [{ tone: -18, seconds: 6 }] })
    const video = await db.video.create({ data: { workspaceId, kind: 'reference', status: 'uploaded', title: 'Knife skills 101', durationMs: Math.round(clip.durationSeconds * 1000), audioCodec: 'aac', mimeType: 'video/mp4', width: 360, height: 640 } })
    videoId = video.id
    const key = videoSourceKey(workspaceId, videoId, 'mp4')
    await createLocalMediaStore({ root: join(dataDir, 'media'), appUrl: app.url, signingKey: 'reading-test' }).putFile(key, clip.path)
    await db.video.update({ where: { id: videoId }, data: { storageKey: key } })
  }, 180_000)

  afterAll(async () => {
    await app?.stop()
    await fake?.close()
    await db?.$disconnect()
    await scratch?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('reads every finished analysis locally: measured facts only, provenance local, no semantic pattern', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    const analysed = await api.post(`/api/workspaces/${workspaceId}/videos/${videoId}/analyse`, {})
    expect(analysed.status).toBe(202)
    await waitUntil(async () => Boolean((await view()).reading), 90_000, 'the local reading after the analysis')

    const { reading, job, workspaceProvider } = await view()
    expect(workspaceProvider).toBe('local')
    expect(job).toBeNull()
    expect(reading!.provenance).toMatchObject({ provider: 'local', model: 'reelwise-templates-1', promptVersion: 'video-reading/1' })
    expect(reading!.analysisId).toBe(analysed.body.analysisId)
    const { content } = reading!
    expect(content.hook).toMatchObject({ type: 'unknown', line: null, source: 'measured' })
    expect(content.hook.note).toMatch(/first visual cut at 0\.8 s/)
    for (const field of [content.topic, content.format, content.callToAction, content.emotionalArc, content.onScreenText]) {
      expect(field.source).toBeNull()
      expect(field.note).toMatch(/needs an AI provider/)
    }
    expect([content.topic.value, content.format.value, content.callToAction.type, content.emotionalArc.beats, content.onScreenText.lines]).toEqual([null, null, null, null, null])

    // Only the analysis's measured buckets exist; the reading states no semantic finding.
    expect(reading!.patterns).toEqual([])
    expect(await semanticEvidence()).toEqual([])
    const kinds = (await db.pattern.findMany({ where: { workspaceId }, select: { kind: true, key: true } }))
    expect(kinds.length).toBeGreaterThan(0)
    expect(kinds.filter(pattern => ['topic', 'cta'].includes(pattern.kind) || /^(hook\.type|format=|arc=)/.test(pattern.key))).toEqual([])
    const row = await db.videoReading.findFirstOrThrow({ where: { workspaceId, videoId } })
    expect(await db.aiCall.findUniqueOrThrow({ where: { id: row.aiCallId! } })).toMatchObject({ provider: 'local', purpose: 'video.reading', status: 'succeeded' })
  })

  it('with the workspace on an OpenAI-compatible server, files the read hook type, topic and format with semantic evidence and provenance', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    await db.aiSettings.create({ data: { workspaceId, provider: 'openai', model: 'gpt-5-mini', baseUrl: fake.url, apiKeyEncrypted: createSecretBox([ENCRYPTION_KEY]).encrypt('sk-test-reading-123456') } })
    expect((await view()).workspaceProvider).toBe('openai')
    fake.script('responses', { kind: 'answer', output: firstReading })
    const run = await readWithAi()
    expect(run, run.error ?? '').toMatchObject({ state: 'succeeded' })
    expect(fake.calls('responses')).toBe(1)
    // The model was given the measurements (it cannot watch the video) and never the key in the body.
    const sent = JSON.stringify(fake.requests[0]!.body)
    expect(sent).toContain('firstCutSeconds')
    expect(sent).toContain('You cannot see the video')
    expect(fake.leaksOf('sk-test-reading-123456')).toEqual([])

    const { reading } = await view()
    expect(reading!.provenance).toMatchObject({ provider: 'openai', model: 'gpt-5-mini', promptVersion: 'video-reading/1', cacheHit: false })
    expect(reading!.content.topic).toEqual({ value: 'Knife skills', source: 'read', note: null })
    expect(reading!.patterns.map(pattern => pattern.key)).toEqual(['hook.type=question', 'topic=knife-skills', 'format=tutorial', 'arc=curiosity-to-payoff'])
    const evidence = await semanticEvidence()
    expect(evidence.map(item => [item.pattern.key, item.pattern.kind, item.readingId])).toEqual([
      ['hook.type=question', 'hook', reading!.id],
      ['topic=knife-skills', 'topic', reading!.id],
      ['format=tutorial', 'format', reading!.id],
      ['arc=curiosity-to-payoff', 'format', reading!.id],
    ])
    const row = await db.videoReading.findUniqueOrThrow({ where: { id: reading!.id } })
    expect(row).toMatchObject({ provider: 'openai', model: 'gpt-5-mini', promptVersion: 'video-reading/1' })
    expect(await db.aiCall.findUniqueOrThrow({ where: { id: row.aiCallId! } })).toMatchObject({ provider: 'openai', purpose: 'video.reading', cacheHit: false, status: 'succeeded' })
    // The measured buckets stay beside the read ones.
    expect(await db.patternEvidence.count({ where: { workspaceId, videoId, source: 'analysis' } })).toBeGreaterThan(0)
  })

  it('a newer reading (after a transcript arrived) replaces the older one\'s evidence; "knife-skills" lands in the same topic', async () => {
    const before = (await view()).reading!
    // New input (the spoken words), so not a cache hit: the model reads again.
    await db.transcript.create({ data: { workspaceId, videoId, provider: 'openai', model: 'whisper-1', text: 'You are holding your knife wrong', words: [{ word: 'You', start: 0.1, end: 0.3 }, { word: 'are', start: 0.3, end: 0.5 }, { word: 'holding', start: 0.5, end: 0.9 }] } })
    fake.script('responses', { kind: 'answer', output: secondReading })
    expect((await readWithAi()).state).toBe('succeeded')
    expect(fake.calls('responses')).toBe(2)
    expect(JSON.stringify(fake.requests.at(-1)!.body)).toContain('holding')

    const { reading, hasTranscript } = await view()
    expect(hasTranscript).toBe(true)
    expect(reading!.id).not.toBe(before.id)
    const evidence = await semanticEvidence()
    expect(evidence.every(item => item.readingId === reading!.id)).toBe(true)
    expect(evidence.map(item => item.pattern.key)).toEqual(['hook.type=bold_claim', 'topic=knife-skills', 'format=list', 'cta.type=follow', 'arc=curiosity-to-payoff'])
    // One topic bucket for both spellings, holding this video once.
    const topics = await db.pattern.findMany({ where: { workspaceId, kind: 'topic' }, include: { _count: { select: { evidence: true } } } })
    expect(topics.map(topic => [topic.key, topic.label, topic._count.evidence])).toEqual([['topic=knife-skills', 'Topic: Knife skills', 1]])
    // The first reading's buckets remain (other videos may join them) but no longer hold this video.
    expect(await db.patternEvidence.count({ where: { workspaceId, pattern: { key: 'hook.type=question' } } })).toBe(0)
  })

  it('asks again once when the answer does not fit the schema, then fails in plain words and keeps the last reading', async () => {
    const before = (await view()).reading!
    const evidenceBefore = (await semanticEvidence()).map(item => item.id)
    await api.patch(`/api/workspaces/${workspaceId}/videos/${videoId}`, { title: 'Knife skills, part 2' })
    const callsBefore = fake.calls('responses')
    fake.script('responses', { kind: 'schemaInvalid' }, { kind: 'schemaInvalid' })
    const run = await readWithAi()
    expect(run.state).toBe('failed')
    expect(fake.calls('responses') - callsBefore).toBe(2)
    // The re-ask carried the first reply and why it did not fit.
    expect(JSON.stringify(fake.requests.at(-1)!.body)).toContain('did not match the required JSON schema')

    const after = await view()
    expect(after.job).toMatchObject({ state: 'failed', error: expect.stringMatching(/did not fit the expected shape twice\. Try again, or use the local generator\./) })
    expect(after.job!.error).not.toMatch(/Details for admins|stack|at /)
    expect(after.reading!.id).toBe(before.id)
    expect((await semanticEvidence()).map(item => item.id)).toEqual(evidenceBefore)
    // Not retried: a third and fourth call would have come within the retry delay.
    await new Promise(resolve => setTimeout(resolve, 25_000))
    expect(fake.calls('responses') - callsBefore).toBe(2)
  }, 60_000)

  it('keeps a model\'s reading when the workspace goes back to local and the video is analysed again', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    const before = (await view()).reading!
    await db.aiSettings.update({ where: { workspaceId }, data: { provider: 'local' } })
    const analysed = await api.post(`/api/workspaces/${workspaceId}/videos/${videoId}/analyse`, {})
    expect(analysed.status).toBe(202)
    await waitUntil(async () => (await db.jobRun.findUnique({ where: { id: analysed.body.analysisId }, select: { state: true } }))?.state === 'succeeded', 90_000, 'the reading after the second analysis')
    expect((await view()).reading!.id).toBe(before.id)
    expect((await semanticEvidence()).length).toBe(5)
    // Asked for, the local reading runs, and replaces the semantic evidence with none.
    expect((await readWithAi()).state).toBe('succeeded')
    const { reading } = await view()
    expect(reading!.provenance.provider).toBe('local')
    expect(await semanticEvidence()).toEqual([])
  }, 120_000)
})
