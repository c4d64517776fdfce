// Captions from speech through the built app (APP_ROLE=all: its worker runs ai.transcribe) on a clip with synthesised
// speech: Whisper at the loopback OpenAI fake (words land as cues, the call is in the ledger, the same file again is
// served from the stored transcript with no HTTP call, the budget stops a new one), the script timed over the speech
// the analysis measured (approximate, inside the speech), and PocketSphinx offline. A database of its own: another
// file's app working ai.transcribe would look for this footage in its own store.
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { speechSpans, type Span } from '../../server/services/ai/speech/align'
import { DEV_ENCRYPTION_KEY } from '../../server/services/config/env'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createSecretBox } from '../../server/services/security/secrets'
import { videoSourceKey } from '../../server/services/media/storage/keys'
import type { RecipeSummary } from '#shared/studio'
import { cuesFromWords, type TranscriptSummary } from '#shared/transcript'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini'
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai'
import { waitUntil } from '../support/job-workers'
import { generateClip, type GeneratedClip } from '../support/media'
import { createPrisma, createScratchDatabase, type Scratch } from '../support/scratch'

const OPENAI_KEY = `sk-test-${randomUUID()}`
const FIRST_LINE = 'Stop scrolling. This is the fastest way to edit, really.'
const SECOND_LINE = 'Follow for part two.'

describe(`captions from speech on ${inject('databaseKind')}`, () => {
  let scratch: Scratch
  let db: PrismaClient
  let dataDir: string
  let fake: FakeOpenAi
  let gemini: FakeGemini
  let app: RunningApp
  let editor: ApiClient
  let workspaceId: string
  let clip: GeneratedClip
  let sha256: string
  let footageId: string
  let spans: Span[]

  const api = () => `/api/workspaces/${workspaceId}`

  async function footage(title: string, hash: string): Promise<string> {
    const video = await db.video.create({
      data: { workspaceId, kind: 'footage', status: 'ready', title, durationMs: Math.round(clip.durationSeconds * 1000), width: 320, height: 240, fps: 25, videoCodec: 'h264', audioCodec: 'aac', sha256: hash, sizeBytes: 1000n },
    })
    const key = videoSourceKey(workspaceId, video.id, 'mp4')
    await createLocalMediaStore({ root: join(dataDir, 'media'), appUrl: 'http://127.0.0.1', signingKey: 'transcribe' }).putFile(key, clip.path)
    await db.video.update({ where: { id: video.id }, data: { storageKey: key } })
    return video.id
  }

  async function draft(videoId: string, name: string): Promise<RecipeSummary> {
    const created = await editor.post<RecipeSummary>(`${api()}/studio/recipes`, { videoId, name, recipe: {} })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return created.body
  }

  /** Asks for a transcription and waits for its job; returns the job's end and the footage's newest transcript. */
  async function transcribe(recipe: RecipeSummary, body: object) {
    const started = await editor.post<{ jobId: string, method: string }>(`${api()}/studio/recipes/${recipe.id}/transcribe`, body)
    expect(started.status, JSON.stringify(started.body)).toBe(202)
    let run: { state: string, error: string | null } | null = null
    await waitUntil(async () => {
      run = await db.jobRun.findUnique({ where: { id: started.body.jobId }, select: { state: true, error: true } })
      return run?.state === 'succeeded' || run?.state === 'failed'
    }, 120_000, 'the transcription job to end')
    const latest = await editor.get<{ transcript: TranscriptSummary | null }>(`${api()}/videos/${recipe.sourceVideoId}/transcript`)
    return { method: started.body.method, run: run!, transcript: latest.body.transcript! }
  }

  const ledger = () => db.aiCall.findMany({ where: { workspaceId, purpose: 'captions.transcribe' }, orderBy: { createdAt: 'asc' } })
  const inSpeech = (time: number) => spans.some(span => time >= span.start - 0.001 && time <= span.end + 0.001)

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject('databaseKind'))
    await migrateIfBehind(scratch.url, await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations')))
    db = createPrisma(scratch.url)
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-transcribe-'))
    fake = await startFakeOpenAi()
    gemini = await startFakeGemini()
    // One second of silence, a sentence, a pause, a sentence: speech a recogniser can hear and silences the analysis measures.
    clip = await generateClip(join(dataDir, 'talk.mp4'), {
      width: 320, height: 240, fps: 25, shots: [4.5, 4.5],
      audio: [{ silence: true, seconds: 1 }, { speech: FIRST_LINE, seconds: 4 }, { silence: true, seconds: 1.5 }, { speech: SECOND_LINE, seconds: 2.5 }],
    })
    sha256 = createHash('sha256').update(await readFile(clip.path)).digest('hex')
    app = await startBuiltApp({ APP_ROLE: 'all', DATA_DIR: dataDir, DATABASE_URL: scratch.url, AI_PROVIDER: 'openai', OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: fake.url })
    editor = new ApiClient(app.url)
    expect((await editor.signUp({ name: 'Tess', email: `tess-${randomUUID()}@transcribe.test` })).status).toBe(201)
    workspaceId = (await editor.session()).workspaces[0]!.id
    footageId = await footage('Talking head', sha256)
    // The analysis measures the silences the script is timed around.
    expect((await editor.post(`${api()}/videos/${footageId}/analyse`, {})).status).toBe(202)
    await waitUntil(async () => (await db.videoAnalysis.count({ where: { videoId: footageId, status: { in: ['succeeded', 'failed'] } } })) === 1, 120_000, 'the analysis')
    const analysis = await db.videoAnalysis.findFirstOrThrow({ where: { videoId: footageId } })
    expect(analysis.status, analysis.error ?? '').toBe('succeeded')
    spans = speechSpans((analysis.segments as unknown as { silences: Span[] }).silences, clip.durationSeconds)
  }, 240_000)

  afterAll(async () => {
    await app?.stop()
    await db?.$disconnect()
    await scratch?.drop()
    await fake?.close()
    await gemini?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('measures the speech where the clip speaks', () => {
    expect(spans.length).toBe(2)
    expect(spans[0]!.start).toBeGreaterThanOrEqual(0.9)
    expect(spans[1]!.start).toBeGreaterThan(5)
  })

  it('transcribes with Whisper at the fake: the words become cues, the call is in the ledger, the same file again costs nothing, and the budget stops a new one', async () => {
    // What Whisper answers: words without punctuation, the text with it.
    const said = `${FIRST_LINE} ${SECOND_LINE}`.split(' ')
    fake.transcript = {
      text: `${FIRST_LINE} ${SECOND_LINE}`,
      language: 'english',
      words: said.map((word, index) => {
        const start = index < 10 ? 1.1 + index * 0.33 : 6.6 + (index - 10) * 0.4
        return { word: word.replace(/[.,]/g, ''), start: Number(start.toFixed(2)), end: Number((start + 0.28).toFixed(2)) }
      }),
    }
    const recipe = await draft(footageId, 'Whisper captions')
    const first = await transcribe(recipe, { method: 'auto' })
    expect(first.method).toBe('openai')
    expect(first.run, first.run.error ?? '').toMatchObject({ state: 'succeeded' })
    expect(first.transcript).toMatchObject({ method: 'openai', provider: 'openai', model: 'whisper-1', approximate: false, language: 'english' })
    expect(first.transcript.words.map(word => word.word)).toEqual(said)
    expect(fake.calls('transcriptions')).toBe(1)
    const sent = fake.requests.find(request => request.endpoint === 'transcriptions')!
    expect(sent.body).toMatchObject({ model: 'whisper-1', response_format: 'verbose_json' })
    expect(JSON.stringify(sent.body)).toContain('word')
    // Mono 16 kHz at 32 kbit/s: about 4 KB a second, far under OpenAI's 25 MB.
    expect(sent.body.file.size).toBeGreaterThan(20_000)
    expect(sent.body.file.size).toBeLessThan(clip.durationSeconds * 5000)
    expect(fake.leaksOf(OPENAI_KEY)).toEqual([])

    // The Studio groups the words into cues and saves them with the draft; the word times stay.
    const cues = cuesFromWords(first.transcript.words)
    expect(cues.map(cue => cue.text)).toEqual(['Stop scrolling.', 'This is the fastest way to edit, really.', 'Follow for part two.'])
    const saved = await editor.patch<RecipeSummary>(`${api()}/studio/recipes/${recipe.id}`, { version: recipe.version, recipe: { captions: { style: 'highlight', cues } } })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    expect(saved.body.recipe.captions!.cues[0]).toEqual({ start: 1.1, end: 1.76, text: 'Stop scrolling.', words: [{ start: 1.1, end: 1.38, text: 'Stop' }, { start: 1.43, end: 1.71, text: 'scrolling.' }] })

    const [call] = await ledger()
    expect(call).toMatchObject({ provider: 'openai', model: 'whisper-1', purpose: 'captions.transcribe', cacheHit: false, status: 'succeeded' })
    // whisper-1 by the second it bills: $0.36 an hour, and the fake bills 9 s (its usage.seconds).
    expect(Number(call!.costUsd)).toBeCloseTo(0.36 * 9 / 3600, 6)

    // Again: the stored transcript, no HTTP call, a cache hit in the ledger.
    const again = await transcribe(recipe, { method: 'auto' })
    expect(again.run.state).toBe('succeeded')
    expect(again.transcript.id).toBe(first.transcript.id)
    expect(fake.calls('transcriptions')).toBe(1)
    expect((await ledger()).map(row => [row.cacheHit, Number(row.costUsd)])).toEqual([[false, Number(call!.costUsd)], [true, 0]])

    // Another upload of the same file: its own transcript row, from the stored words.
    const copyId = await footage('Same file, uploaded again', sha256)
    const copy = await transcribe(await draft(copyId, 'Copy'), { method: 'openai' })
    expect(copy.transcript).toMatchObject({ videoId: copyId, provider: 'openai', model: 'whisper-1' })
    expect(copy.transcript.words).toEqual(first.transcript.words)
    expect(fake.calls('transcriptions')).toBe(1)

    // The month's budget spent: a new file is refused at once, in words; the stored one is still served.
    await db.aiSettings.create({ data: { workspaceId, provider: 'openai', baseUrl: fake.url, monthlyBudgetUsd: 0.0001 } })
    const otherId = await footage('Another take', 'f'.repeat(64))
    const refused = await editor.post(`${api()}/studio/recipes/${(await draft(otherId, 'Over budget')).id}/transcribe`, { method: 'auto' })
    expect(refused.status).toBe(402)
    expect(refused.body.statusMessage).toMatch(/used its AI budget for the month .* Settings → AI/)
    expect((await transcribe(recipe, { method: 'auto' })).run.state).toBe('succeeded')
    expect(fake.calls('transcriptions')).toBe(1)
    await db.aiSettings.deleteMany({ where: { workspaceId } })
  }, 300_000)

  it('transcribes with the workspace\'s Gemini key: the words with their times, the tokens priced in the ledger', async () => {
    const key = `gemini-test-${randomUUID()}`
    await db.aiSettings.create({ data: { workspaceId, provider: 'gemini', model: 'gemini-2.5-flash', baseUrl: gemini.url, apiKeyEncrypted: createSecretBox([DEV_ENCRYPTION_KEY]).encrypt(key) } })
    gemini.script('generateContent', {
      kind: 'answer',
      output: { language: 'English', duration: 9, text: 'Stop scrolling. Follow for part two.', words: [{ word: 'Stop', start: 1.1, end: 1.4 }, { word: 'scrolling.', start: 1.4, end: 1.9 }, { word: 'Follow', start: 6.6, end: 6.9 }, { word: 'for', start: 6.9, end: 7 }, { word: 'part', start: 7, end: 7.3 }, { word: 'two.', start: 7.3, end: 7.7 }] },
      usage: { promptTokens: 320, outputTokens: 90 },
    })
    const videoId = await footage('Gemini take', 'd'.repeat(64))
    const heard = await transcribe(await draft(videoId, 'Gemini'), { method: 'auto' })
    expect(heard.method).toBe('gemini')
    expect(heard.run, heard.run.error ?? '').toMatchObject({ state: 'succeeded' })
    expect(heard.transcript).toMatchObject({ method: 'gemini', provider: 'gemini', model: 'gemini-2.5-flash', approximate: false })
    expect(heard.transcript.note).toMatch(/coarser than Whisper/)
    expect(cuesFromWords(heard.transcript.words).map(cue => cue.text)).toEqual(['Stop scrolling.', 'Follow for part two.'])
    expect(gemini.calls('generateContent')).toBe(1)
    expect(gemini.leaksOf(key)).toEqual([])
    const call = (await ledger()).at(-1)!
    expect(call).toMatchObject({ provider: 'gemini', purpose: 'captions.transcribe', inputTokens: 320, outputTokens: 90, cacheHit: false })
    expect(Number(call.costUsd)).toBeGreaterThan(0)
    await db.aiSettings.deleteMany({ where: { workspaceId } })
  }, 120_000)

  it('times the script\'s spoken lines over the measured speech, marked approximate, and says what it needs', async () => {
    const recipe = await draft(footageId, 'From the script')
    const script = await db.script.create({ data: { workspaceId, title: 'Editing fast', hook: 'Stop scrolling', shots: [{ shot: 'Face to camera', spoken: FIRST_LINE }, { shot: 'Point down', spoken: SECOND_LINE }] } })
    await db.editRecipe.update({ where: { id: recipe.id }, data: { scriptId: script.id } })
    const timed = await transcribe(recipe, { method: 'script' })
    expect(timed.run, timed.run.error ?? '').toMatchObject({ state: 'succeeded' })
    expect(timed.transcript).toMatchObject({ method: 'script', provider: 'local', model: 'script-alignment', approximate: true })
    expect(timed.transcript.note).toMatch(/approximate/)
    expect(timed.transcript.words.map(word => word.word).join(' ')).toBe(`${FIRST_LINE} ${SECOND_LINE}`)
    for (const word of timed.transcript.words) expect(inSpeech(word.start) && inSpeech(word.end), `${word.word} at ${word.start}–${word.end}`).toBe(true)
    // The second sentence starts after the pause, where the clip says it.
    expect(timed.transcript.words.find(word => word.word === 'Follow')!.start).toBeCloseTo(spans[1]!.start, 2)
    const cues = cuesFromWords(timed.transcript.words)
    for (const cue of cues) expect(inSpeech(cue.start) && inSpeech(cue.words!.at(-1)!.end), `${cue.text} at ${cue.start}`).toBe(true)
    // Script time is free: a ledger row at no cost.
    expect((await ledger()).at(-1)).toMatchObject({ provider: 'local', model: 'script-alignment', cacheHit: false })

    // Pasted text instead of a script.
    const pasted = await transcribe(await draft(footageId, 'Pasted'), { method: 'script', text: 'Three tips. One more.' })
    expect(pasted.transcript.words.map(word => word.word)).toEqual(['Three', 'tips.', 'One', 'more.'])

    // Neither script nor text: refused at once, saying what is needed.
    const bare = await editor.post(`${api()}/studio/recipes/${(await draft(footageId, 'Bare')).id}/transcribe`, { method: 'script' })
    expect(bare.status).toBe(422)
    expect(bare.body.statusMessage).toMatch(/nothing to time.*Paste what is said/)
    // Footage never analysed: the speech is unknown, and the message says to analyse it.
    const unanalysed = await footage('Not analysed', 'e'.repeat(64))
    const early = await editor.post(`${api()}/studio/recipes/${(await draft(unanalysed, 'Early')).id}/transcribe`, { method: 'script', text: 'Hello there.' })
    expect(early.status).toBe(409)
    expect(early.body.statusMessage).toMatch(/Analyse it in the Library first/)
  }, 180_000)

  it('recognises the speech offline with PocketSphinx: a draft with word times, free, and stored for the next time', async () => {
    const recipe = await draft(footageId, 'Offline')
    const heard = await transcribe(recipe, { method: 'offline' })
    expect(heard.run, heard.run.error ?? '').toMatchObject({ state: 'succeeded' })
    expect(heard.transcript).toMatchObject({ method: 'offline', provider: 'local', model: 'pocketsphinx-en-us', approximate: false })
    expect(heard.transcript.note).toMatch(/PocketSphinx.*check the words/)
    const words = heard.transcript.words.map(word => word.word.toLowerCase())
    // Synthesised speech, heard roughly: most of the first sentence's plain words come through, at their times.
    for (const expected of ['stop', 'this', 'is', 'the', 'fastest', 'way']) expect(words).toContain(expected)
    const fastest = heard.transcript.words.find(word => word.word.toLowerCase() === 'fastest')!
    expect(fastest.start).toBeGreaterThan(2.2)
    expect(fastest.end).toBeLessThan(4)
    for (const word of heard.transcript.words) expect(word.end).toBeLessThanOrEqual(clip.durationSeconds + 0.05)
    expect((await ledger()).at(-1)).toMatchObject({ provider: 'local', model: 'pocketsphinx-en-us', cacheHit: false })
    const again = await transcribe(recipe, { method: 'offline' })
    expect(again.transcript.id).toBe(heard.transcript.id)
    expect((await ledger()).at(-1)).toMatchObject({ model: 'pocketsphinx-en-us', cacheHit: true })
  }, 180_000)
})
