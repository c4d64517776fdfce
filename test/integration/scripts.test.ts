// Scripts through the built app (APP_ROLE=all, so the ai.scripts job runs here, with the local provider): a batch of 5
// is written as 5 rows sharing a batch id, each a valid shot list following the measured patterns; an identical batch
// comes from the cache; edits carry a version (409 when stale); Markdown and PDF exports hold the hook, the shots and
// the call to action; "Send to the Studio" makes a draft of the chosen footage with the script's hook text and
// captions. Viewers read and export but cannot write; another workspace's footage and scripts are out of reach.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { timingProblems, type BatchStarted, type ScriptDetail, type ScriptList, type SentToStudio } from '#shared/scripts'
import type { RecipeSummary } from '#shared/studio'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai'
import { pdfTextCandidates } from '../support/pdf-text'
import { createSecretBox } from '../../server/services/security/secrets'
import { DEV_ENCRYPTION_KEY } from '../../server/services/config/env'
import { createPrisma } from '../support/scratch'

describe(`Scripts on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let editor: ApiClient
  let viewer: ApiClient
  let outsider: ApiClient
  let workspaceId: string
  let footageId: string
  let referenceId: string
  let outsiderFootageId: string
  let batch: BatchStarted
  let scripts: ScriptDetail[] = []
  let fake: FakeOpenAi
  const base = () => `/api/workspaces/${workspaceId}/scripts`
  const run = randomUUID().slice(0, 8)

  async function waitForBatch(batchId: string, count: number, client = editor, workspace = workspaceId): Promise<ScriptDetail[]> {
    const path = `/api/workspaces/${workspace}/scripts`
    for (let tries = 0; tries < 240; tries++) {
      const list = (await client.get<ScriptList>(`${path}?batchId=${batchId}`)).body
      const state = (await db.jobRun.findUnique({ where: { id: batchId }, select: { state: true, error: true } }))
      if (state?.state === 'failed') throw new Error(`The batch failed: ${state.error}`)
      if (list.scripts.length === count && state?.state === 'succeeded') {
        return Promise.all(list.scripts.map(async script => (await client.get<ScriptDetail>(`${path}/${script.id}`)).body))
      }
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    throw new Error('The batch did not finish within a minute')
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-scripts-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'all' })
    db = createPrisma(inject('databaseUrl'))
    editor = new ApiClient(app.url)
    expect((await editor.signUp({ name: 'Sam', email: `sam-${run}@scripts.test` })).status).toBe(201)
    workspaceId = (await editor.session()).workspaces[0]!.id
    viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vi', email: `vi-${run}@scripts.test` })).status).toBe(201)
    await db.membership.create({ data: { workspaceId, userId: (await viewer.session()).user.id, role: 'viewer' } })
    outsider = new ApiClient(app.url)
    expect((await outsider.signUp({ name: 'Out', email: `out-${run}@scripts.test` })).status).toBe(201)
    const outsiderWorkspaceId = (await outsider.session()).workspaces[0]!.id

    await db.brandProfile.create({ data: { workspaceId, name: 'Knife Club', niche: 'home cooking', pillars: ['Knife skills', 'Weeknight dinners'], defaultCta: 'Follow for a recipe a day', platforms: ['tiktok'] } })
    const video = { kind: 'footage' as const, status: 'ready' as const, sizeBytes: 1000n, durationMs: 30_000, width: 1920, height: 1080, fps: 30, videoCodec: 'h264', audioCodec: 'aac' }
    footageId = (await db.video.create({ data: { ...video, workspaceId, title: 'Onion take 1', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4` } })).id
    referenceId = (await db.video.create({ data: { ...video, workspaceId, kind: 'reference', title: 'A creator we like', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4` } })).id
    outsiderFootageId = (await db.video.create({ data: { ...video, workspaceId: outsiderWorkspaceId, title: 'Not yours', storageKey: `ws/${outsiderWorkspaceId}/videos/${randomUUID()}/source.mp4` } })).id
    // The footage was analysed: 0.7 s of silence before the first word.
    await db.videoAnalysis.create({ data: { workspaceId, videoId: footageId, status: 'succeeded', segments: { cuts: [], shots: [], silences: [{ start: 0, end: 0.7 }] } } })
    // Measured patterns on the reference: a fast first cut (0.8 s) and short shots (1.6 s).
    const fast = await db.pattern.create({ data: { workspaceId, key: 'hook.first_cut<=1s', kind: 'hook', label: 'First cut within 1 s' } })
    const shots = await db.pattern.create({ data: { workspaceId, key: 'pacing.median_shot=1.5-3s', kind: 'pacing', label: 'Median shot 1.5–3 s' } })
    await db.patternEvidence.create({ data: { workspaceId, patternId: fast.id, source: 'analysis', videoId: referenceId, value: { firstCutSeconds: 0.8 } } })
    await db.patternEvidence.create({ data: { workspaceId, patternId: shots.id, source: 'analysis', videoId: referenceId, value: { medianShotSeconds: 1.6 } } })
  }, 180_000)

  afterAll(async () => {
    await fake?.close()
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('writes a batch of 5 with the local provider: 5 rows, one batch id, valid shot lists that follow the measured patterns', async () => {
    const started = await editor.post<BatchStarted>(`${base()}/batches`, { count: 5, local: true, targetDurationSec: 30 })
    expect(started.status, JSON.stringify(started.body)).toBe(202)
    batch = started.body
    expect(batch.jobId).toBe(batch.batchId)
    scripts = await waitForBatch(batch.batchId, 5)
    expect(await db.script.count({ where: { workspaceId, batchId: batch.batchId } })).toBe(5)
    expect(scripts.map(script => script.slot)).toEqual([0, 1, 2, 3, 4])
    // The brand's pillars, in turn.
    expect(scripts.map(script => script.pillar)).toEqual(['Knife skills', 'Weeknight dinners', 'Knife skills', 'Weeknight dinners', 'Knife skills'])
    for (const script of scripts) {
      expect(timingProblems({ shots: script.shots, targetDurationSec: script.targetDurationSec!, patterns: script.patterns })).toEqual([])
      expect(script.targetDurationSec).toBe(30)
      expect(script.shots[0]!.durationSec).toBe(0.8)
      expect(script.platform).toBe('tiktok')
      expect(script.callToAction).toBe('Follow for a recipe a day')
      expect(script.patterns.map(pattern => pattern.key).sort()).toEqual(['hook.first_cut<=1s', 'pacing.median_shot=1.5-3s'])
      expect(script.provenance).toMatchObject({ provider: 'local', model: 'reelwise-templates-1', cacheHit: false })
    }
    expect(new Set(scripts.map(script => script.title)).size).toBe(5)
    expect(await db.aiCall.count({ where: { workspaceId, purpose: 'script.generate', cacheHit: false } })).toBe(5)

    // The same request again: every script comes from the cache, and the ledger records the hits.
    const again = (await editor.post<BatchStarted>(`${base()}/batches`, { count: 5, local: true, targetDurationSec: 30 })).body
    const cached = await waitForBatch(again.batchId, 5)
    expect(cached.every(script => script.provenance?.cacheHit)).toBe(true)
    expect(await db.aiCall.count({ where: { workspaceId, purpose: 'script.generate', cacheHit: true } })).toBe(5)
    const list = (await editor.get<ScriptList>(base())).body
    expect(list.scripts).toHaveLength(10)
    // Newest batch first, each in slot order.
    expect(list.scripts.slice(0, 5).map(script => script.batchId)).toEqual(Array(5).fill(again.batchId))
  }, 120_000)

  it('refuses a batch of 11 or 0 with the field named', async () => {
    const tooMany = await editor.post(`${base()}/batches`, { count: 11 })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.message).toBe('How many: at most 10 scripts in one batch.')
    expect((await editor.post(`${base()}/batches`, { count: 0 })).status).toBe(400)
  })

  it('saves an edit with its version, retimes the shots, and refuses a stale one with 409 changing nothing', async () => {
    const script = scripts[0]!
    const reordered = [script.shots[1]!, script.shots[0]!, ...script.shots.slice(2)].map(shot => ({ ...shot, atSec: 99 }))
    const saved = await editor.patch<ScriptDetail>(`${base()}/${script.id}`, { version: 1, title: 'Onions, fast', status: 'approved', shots: reordered })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    expect(saved.body).toMatchObject({ title: 'Onions, fast', status: 'approved', version: 2 })
    expect(saved.body.shots[0]!.shot).toBe(script.shots[1]!.shot)
    expect(saved.body.shots[0]!.atSec).toBe(0)
    expect(saved.body.shots[1]!.atSec).toBe(script.shots[1]!.durationSec)

    const stale = await editor.patch(`${base()}/${script.id}`, { version: 1, title: 'From the other tab' })
    expect(stale.status).toBe(409)
    expect(stale.body.message).toContain('version 2')
    expect((await editor.get<ScriptDetail>(`${base()}/${script.id}`)).body.title).toBe('Onions, fast')

    const empty = await editor.patch(`${base()}/${script.id}`, { version: 2, shots: [] })
    expect(empty.status).toBe(400)
    expect(empty.body.message).toBe('Shots: keep at least one shot.')
  })

  it('exports Markdown with the hook, every shot and the call to action, as a download named after the script', async () => {
    const script = (await editor.get<ScriptDetail>(`${base()}/${scripts[1]!.id}`)).body
    const response = await viewer.get<string>(`${base()}/${script.id}/export.md`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/markdown')
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9-]+\.md"/)
    const markdown = response.body
    expect(markdown).toContain(`# ${script.title}`)
    expect(markdown).toContain(`**Hook:** ${script.hook}`)
    for (const shot of script.shots) expect(markdown).toContain(shot.shot.replace(/\|/g, '\\|'))
    expect(markdown).toContain('**Call to action:** Follow for a recipe a day')
    expect(markdown).toContain('Local templates (no AI model; measured numbers only)')

    const whole = await editor.get<string>(`${base()}/batches/${batch.batchId}/export.md`)
    expect(whole.status).toBe(200)
    for (const each of scripts.slice(1)) expect(whole.body).toContain(`## ${each.title}`)
    expect((await editor.get(`${base()}/batches/${randomUUID()}/export.md`)).status).toBe(404)
  })

  it('exports a PDF whose text holds the hook, in a font that draws accents and symbols', async () => {
    const script = scripts[2]!
    const hook = 'Crème brûlée in 3 steps — no torch ✓'
    expect((await editor.patch(`${base()}/${script.id}`, { version: 1, hook })).status).toBe(200)
    const response = await fetch(`${app.url}${base()}/${script.id}/export.pdf`, { headers: { authorization: `Bearer ${editor.token}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/pdf')
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9-]+\.pdf"/)
    const pdf = Buffer.from(await response.arrayBuffer())
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.length).toBeGreaterThan(3000)
    const readings = pdfTextCandidates(pdf)
    expect(readings.some(text => text.includes(hook)), readings.join('\n---\n').slice(0, 2000)).toBe(true)
  })

  it('sends a script to the Studio: a draft of the footage with the script\'s hook text, captions from its spoken lines, and its opening', async () => {
    const script = (await editor.get<ScriptDetail>(`${base()}/${scripts[3]!.id}`)).body
    // The creator fills in the placeholders before filming.
    const shots = script.shots.map((shot, index) => ({ ...shot, spoken: index === 0 ? 'Stop dicing onions like this' : index === 1 ? 'Curl your fingers and rock the blade' : shot.spoken }))
    const edited = await editor.patch<ScriptDetail>(`${base()}/${script.id}`, { version: script.version, hook: 'Stop dicing onions like this', shots })
    expect(edited.status).toBe(200)

    const sent = await editor.post<SentToStudio>(`${base()}/${script.id}/studio`, { videoId: footageId })
    expect(sent.status, JSON.stringify(sent.body)).toBe(201)
    expect(sent.body.videoId).toBe(footageId)
    expect(sent.body.filled.join('\n')).toContain('Hook text: “Stop dicing onions like this”')
    expect(sent.body.filled.join('\n')).toContain('Opening: starts at 0.6 s')
    expect(sent.body.filled.join('\n')).toContain('Captions: 3 from the spoken lines')

    const draft = (await editor.get<RecipeSummary>(`/api/workspaces/${workspaceId}/studio/recipes/${sent.body.recipeId}`)).body
    expect(draft.sourceVideoId).toBe(footageId)
    expect(draft.name).toBe(script.title)
    expect(draft.patternKeys.sort()).toEqual(['hook.first_cut<=1s', 'pacing.median_shot=1.5-3s'])
    expect(draft.recipe.hook).toMatchObject({ text: 'Stop dicing onions like this', position: 'top' })
    expect(draft.recipe.trim.start).toBe(0.6)
    // Captions at the shots' times, shifted by the trimmed opening; placeholders are not captions.
    const cues = draft.recipe.captions?.cues ?? []
    expect(cues.slice(0, 2)).toEqual([
      { start: 0.6, end: 1.4, text: 'Stop dicing onions like this' },
      { start: 1.4, end: expect.closeTo(0.6 + edited.body.shots[1]!.atSec + edited.body.shots[1]!.durationSec, 1), text: 'Curl your fingers and rock the blade' },
    ])
    // The call to action is said in the last shot; its caption stops where the 30 s footage ends.
    expect(cues).toHaveLength(3)
    expect(cues[2]).toMatchObject({ text: 'Follow for a recipe a day', end: 30 })
    expect(draft.recipe.endCard?.text).toBe('Follow for a recipe a day')
    expect(draft.recipe.reframe).toMatchObject({ mode: 'crop', aspect: '9:16' })
    expect(draft.recipe.platform).toBe('tiktok')
    expect((await db.editRecipe.findUniqueOrThrow({ where: { id: sent.body.recipeId } })).scriptId).toBe(script.id)
    expect((await editor.get<ScriptDetail>(`${base()}/${script.id}`)).body.recipes).toEqual([{ id: sent.body.recipeId, videoId: footageId, name: script.title }])
  })

  it('refuses a reference video (409) and another workspace\'s footage (404) as the Studio draft\'s footage', async () => {
    const reference = await editor.post(`${base()}/${scripts[4]!.id}/studio`, { videoId: referenceId })
    expect(reference.status).toBe(409)
    expect(reference.body.message).toContain('reference video')
    const foreign = await editor.post(`${base()}/${scripts[4]!.id}/studio`, { videoId: outsiderFootageId })
    expect(foreign.status).toBe(404)
    expect(await db.editRecipe.count({ where: { sourceVideoId: outsiderFootageId } })).toBe(0)
  })

  it('lets a viewer read and export, and refuses their writes', async () => {
    const script = scripts[4]!
    expect((await viewer.get(`${base()}`)).status).toBe(200)
    expect((await viewer.get(`${base()}/${script.id}`)).status).toBe(200)
    expect((await viewer.post(`${base()}/batches`, { count: 1, local: true })).status).toBe(403)
    expect((await viewer.patch(`${base()}/${script.id}`, { version: 1, title: 'Mine now' })).status).toBe(403)
    expect((await viewer.post(`${base()}/${script.id}/studio`, { videoId: footageId })).status).toBe(403)
    expect((await editor.get<ScriptDetail>(`${base()}/${script.id}`)).body.title).not.toBe('Mine now')
  })

  it('keeps another workspace out: its member sees no script of this one', async () => {
    const outsiderWorkspace = (await outsider.session()).workspaces[0]!.id
    expect((await outsider.get(`/api/workspaces/${outsiderWorkspace}/scripts/${scripts[0]!.id}`)).status).toBe(404)
    expect((await outsider.get<ScriptList>(`/api/workspaces/${outsiderWorkspace}/scripts`)).body.scripts).toEqual([])
    expect([403, 404]).toContain((await outsider.get(`${base()}/${scripts[0]!.id}`)).status)
  })

  describe('with the openai provider pointed at a fake', () => {
    let pat: ApiClient
    let patWorkspace: string
    const patScripts = () => `/api/workspaces/${patWorkspace}/scripts`

    beforeAll(async () => {
      fake = await startFakeOpenAi()
      pat = new ApiClient(app.url)
      expect((await pat.signUp({ name: 'Pat', email: `pat-${run}@scripts.test` })).status).toBe(201)
      patWorkspace = (await pat.session()).workspaces[0]!.id
      await db.aiSettings.create({ data: { workspaceId: patWorkspace, provider: 'openai', model: 'gpt-5-mini', baseUrl: fake.url, apiKeyEncrypted: createSecretBox([DEV_ENCRYPTION_KEY]).encrypt('sk-test-scripts-1234') } })
    })

    it('names the provider and model that wrote each script, and drops a pattern key the model made up', async () => {
      const shots = [
        { atSec: 0, durationSec: 2, shot: 'Close-up', onScreenText: 'Stop scrolling', spoken: 'Stop scrolling', broll: '' },
        { atSec: 2, durationSec: 25, shot: 'Talk to camera', onScreenText: '', spoken: '[your three tips]', broll: 'Hands' },
        { atSec: 27, durationSec: 3, shot: 'Call to action', onScreenText: 'Follow', spoken: 'Follow', broll: '' },
      ]
      fake.respondWith('responses', { kind: 'answer', output: { title: 'From the model', hook: 'Stop scrolling', targetDurationSec: 30, shots, callToAction: 'Follow', patterns: [{ key: 'hook.made_up', label: 'Made up', how: 'Invented' }] } })
      const started = (await pat.post<BatchStarted>(`${patScripts()}/batches`, { count: 2 })).body
      const written = await waitForBatch(started.batchId, 2, pat, patWorkspace)
      expect(fake.calls('responses')).toBe(2)
      for (const script of written) {
        expect(script.provenance).toMatchObject({ provider: 'openai', model: 'gpt-5-mini', cacheHit: false })
        expect(script.patterns).toEqual([])
        expect(script.title).toBe('From the model')
      }
    }, 60_000)

    it('after a refusal by the provider, says so in plain words with the local generator on offer, which then works', async () => {
      fake.respondWith('responses', { kind: 'unauthorized' })
      const started = (await pat.post<BatchStarted>(`${patScripts()}/batches`, { count: 3, targetDurationSec: 20 })).body
      for (let tries = 0; tries < 240 && (await db.jobRun.findUnique({ where: { id: started.batchId } }))?.state !== 'failed'; tries++) await new Promise(resolve => setTimeout(resolve, 250))
      const list = (await pat.get<ScriptList>(patScripts())).body
      expect(list.lastFailure).toMatchObject({ batchId: started.batchId, reason: 'auth', localAvailable: true })
      expect(list.lastFailure!.message).not.toMatch(/sk-test|Bearer/)
      expect(list.scripts.filter(script => script.batchId === started.batchId)).toEqual([])

      const local = (await pat.post<BatchStarted>(`${patScripts()}/batches`, { count: 3, targetDurationSec: 20, local: true })).body
      const written = await waitForBatch(local.batchId, 3, pat, patWorkspace)
      expect(written.every(script => script.provenance?.provider === 'local')).toBe(true)
      // A later batch settled the failure: the page no longer shows it.
      expect((await pat.get<ScriptList>(patScripts())).body.lastFailure).toBeNull()
    }, 60_000)
  })
})
