// The Studio's API on the built app (web role, so nothing renders here; studio-render.test.ts renders): an edit
// becomes one Render per variant with a queued job each, renders are canceled and deleted, music and logos are
// taken or refused by what ffprobe finds, and presets come built in or from the Library's patterns.
import { execFile } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { editRecipeSchema } from '#shared/recipe'
import type { RenderSummary, StudioAssetSummary, StudioPreset } from '#shared/studio'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

const run = promisify(execFile)

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter(entry => entry.isFile()).map(entry => join(entry.parentPath, entry.name))
}

describe(`the Studio API on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let api: ApiClient
  let workspaceId: string
  let footageId: string
  let silentFootageId: string
  let uploadingId: string
  const base = () => `/api/workspaces/${workspaceId}/studio`

  async function upload(kind: string, path: string, filename: string, query = '') {
    const response = await fetch(`${app.url}${base()}/assets?kind=${kind}&filename=${encodeURIComponent(filename)}${query}`, { method: 'POST', body: await readFile(path), headers: { 'authorization': `Bearer ${api.token}`, 'content-type': 'application/octet-stream' } })
    return { status: response.status, body: await response.json() as StudioAssetSummary & { statusMessage?: string } }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-studio-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'web' })
    db = createPrisma(inject('databaseUrl'))
    api = new ApiClient(app.url)
    expect((await api.signUp({ name: 'Erin', email: `erin-${randomUUID()}@studio.test` })).status).toBe(201)
    workspaceId = (await api.session()).workspaces[0]!.id
    const footage = { workspaceId, kind: 'footage' as const, sizeBytes: 1000n, durationMs: 8000, width: 1920, height: 1080, fps: 30, videoCodec: 'h264' }
    footageId = (await db.video.create({ data: { ...footage, status: 'ready', title: 'Talking head', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4`, audioCodec: 'aac' } })).id
    silentFootageId = (await db.video.create({ data: { ...footage, status: 'ready', title: 'B-roll', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4`, audioCodec: null } })).id
    uploadingId = (await db.video.create({ data: { ...footage, status: 'uploading', title: 'Still coming', uploadId: randomUUID() } })).id
  }, 120_000)

  afterAll(async () => {
    // Jobs left waiting would be taken by the built apps of other test files (they work every queue) and fail there.
    const left = await db?.render.findMany({ where: { workspaceId, status: 'queued' }, select: { id: true } }) ?? []
    for (const render of left) await api.post(`${base()}/renders/${render.id}/cancel`)
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const recipe = { hook: { text: 'Main hook' }, reframe: { mode: 'crop', aspect: '9:16' }, platform: 'instagram', variations: { hookText: ['Hook one', 'Hook two'] } }

  it('saves the edit and makes one render per variant, each with its keys and a queued media.render job', async () => {
    const created = await api.post(`${base()}/renders`, { videoId: footageId, name: 'Launch teaser', recipe, patternKeys: ['hook.first_cut<=1s'] })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const renders = created.body.renders as RenderSummary[]
    // The main hook line is always rendered; each other line adds a variant.
    expect(renders.map(render => [render.variantLabel, render.keys.hookText, render.status, render.platform])).toEqual([
      ['A', 'Main hook', 'queued', 'instagram'],
      ['B', 'Hook one', 'queued', 'instagram'],
      ['C', 'Hook two', 'queued', 'instagram'],
    ])
    expect(renders.every(render => render.recipeName === 'Launch teaser' && render.outputUrl === null && render.checks === null && render.progress === 0)).toBe(true)

    const saved = await db.editRecipe.findUniqueOrThrow({ where: { id: created.body.recipeId } })
    expect(saved).toMatchObject({ workspaceId, name: 'Launch teaser', patternKeys: ['hook.first_cut<=1s'] })
    expect((saved.steps as { variations: { hookText: string[] } }).variations.hookText).toEqual(['Hook one', 'Hook two'])
    for (const render of renders) {
      const row = await db.render.findUniqueOrThrow({ where: { id: render.id } })
      const params = row.params as { keys: { hookText: string }, recipe: { hook: { text: string }, variations: { hookText: string[] } } }
      // Each row carries its own resolved recipe, with the alternative applied and nothing left to vary.
      expect(params.recipe.hook.text).toBe(params.keys.hookText)
      expect(params.recipe.variations.hookText).toEqual([])
      const run = await db.jobRun.findUniqueOrThrow({ where: { id: render.jobId! } })
      expect(run).toMatchObject({ queue: 'media.render', state: 'queued', workspaceId })
      const [job] = await db.$queryRaw<{ name: string, data: { renderId: string } }[]>`SELECT name, data FROM pgboss.job WHERE id = ${render.jobId}::uuid`
      expect(job).toMatchObject({ name: 'media.render', data: { workspaceId, renderId: render.id } })
    }

    const listed = await api.get(`${base()}/renders?videoId=${footageId}`)
    expect((listed.body.renders as RenderSummary[]).map(render => render.id).sort()).toEqual(renders.map(render => render.id).sort())
    expect((await api.get(`${base()}/renders?videoId=${silentFootageId}`)).body.renders).toEqual([])
    expect((await api.get(`${base()}/renders/${renders[0]!.id}`)).body).toMatchObject({ id: renders[0]!.id, keys: { hookText: 'Main hook' } })
  })

  it('refuses edits it cannot render, saying why', async () => {
    const post = (body: object) => api.post(`${base()}/renders`, { videoId: footageId, name: 'Refused', recipe: {}, ...body })
    const tooMany = await post({ recipe: { hook: { text: 'Hi' }, captions: { cues: [{ start: 0, end: 1, text: 'Hi' }] }, variations: { hookText: ['a', 'b', 'c', 'd'], captionStyle: ['clean', 'bold', 'boxed'] } } })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.statusMessage).toMatch(/make 15 variants; at most 8/)
    const noHook = await post({ recipe: { variations: { hookText: ['a', 'b'] } } })
    expect(noHook.status).toBe(400)
    expect(noHook.body.statusMessage).toMatch(/the recipe has no hook/)
    const lateTrim = await post({ recipe: { trim: { start: 20 } } })
    expect(lateTrim.status).toBe(400)
    expect(lateTrim.body.statusMessage).toMatch(/only 8\.0 s long/)
    const unknownMusic = await post({ recipe: { music: { assetId: randomUUID() } } })
    expect(unknownMusic.status).toBe(400)
    expect(unknownMusic.body.statusMessage).toMatch(/music track in this edit is not among this workspace's Studio assets/)
    const uploading = await post({ videoId: uploadingId })
    expect(uploading.status).toBe(409)
    expect(uploading.body.statusMessage).toMatch(/still uploading/)
    expect((await post({ videoId: randomUUID() })).status).toBe(404)
    expect((await post({ name: '' })).status).toBe(400)
  })

  // Issue 12, item 3: a reference is someone's video to learn from; it is edited only once an editor makes it footage.
  it('renders a reference only once the video PATCH has made it footage', async () => {
    const referenceId = (await db.video.create({ data: { workspaceId, kind: 'reference', status: 'ready', title: 'Their reel', sizeBytes: 1000n, durationMs: 8000, storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4`, audioCodec: 'aac' } })).id
    const render = () => api.post(`${base()}/renders`, { videoId: referenceId, name: 'Remix', recipe: {} })
    const refused = await render()
    expect(refused.status).toBe(409)
    expect(refused.body.statusMessage).toMatch(/is a reference video.*Use it as footage/)
    expect(await db.render.count({ where: { workspaceId, sourceVideoId: referenceId } })).toBe(0)

    const video = `/api/workspaces/${workspaceId}/videos/${referenceId}`
    const badKind = await api.patch(video, { kind: 'clip' })
    expect(badKind.status).toBe(400)
    expect(badKind.body.statusMessage).toMatch(/Kind/i)
    expect((await api.patch(video, { kind: 'footage' })).status).toBe(200)
    expect((await api.get(video)).body.kind).toBe('footage')
    expect((await render()).status).toBe(201)
  })

  it('refuses to render, and queues nothing, once the workspace has used its storage', async () => {
    // A workspace of its own whose footage alone fills the quota (25 GB by default).
    const full = new ApiClient(app.url)
    expect((await full.signUp({ name: 'Fran', email: `fran-${randomUUID()}@studio.test` })).status).toBe(201)
    const fullId = (await full.session()).workspaces[0]!.id
    const video = await db.video.create({ data: {
      workspaceId: fullId, kind: 'footage', status: 'ready', title: 'Huge', sizeBytes: 26n * 1024n ** 3n, durationMs: 8000, width: 1920,
      height: 1080, fps: 30, videoCodec: 'h264', audioCodec: 'aac', storageKey: `ws/${fullId}/videos/${randomUUID()}/source.mp4`,
    } })
    const failed = await db.render.create({ data: { workspaceId: fullId, sourceVideoId: video.id, status: 'failed', error: 'It failed.', jobId: randomUUID() } })

    const refused = await full.post(`/api/workspaces/${fullId}/studio/renders`, { videoId: video.id, name: 'Over', recipe })
    expect(refused.status).toBe(409)
    expect(refused.body.statusMessage).toMatch(/^Your workspace has used its storage \(26 GB of its 25 GB\)\. Delete videos, renders or Studio assets you no longer need, or ask the owner to raise the quota/)
    const retried = await full.post(`/api/workspaces/${fullId}/studio/renders/${failed.id}/retry`)
    expect(retried.status).toBe(409)
    expect(retried.body.statusMessage).toMatch(/^Your workspace has used its storage/)
    // Nothing saved, nothing queued: no new render or edit, no job run, no pg-boss job.
    expect(await db.render.findMany({ where: { workspaceId: fullId }, select: { id: true, status: true } })).toEqual([{ id: failed.id, status: 'failed' }])
    expect(await db.editRecipe.count({ where: { workspaceId: fullId } })).toBe(0)
    expect(await db.jobRun.count({ where: { workspaceId: fullId } })).toBe(0)
    const [jobs] = await db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM pgboss.job WHERE data->>'workspaceId' = ${fullId}`
    expect(jobs?.count).toBe(0n)
  })

  it('cancels a waiting render and its job, then deletes it', async () => {
    const created = await api.post(`${base()}/renders`, { videoId: footageId, name: 'To cancel', recipe: {} })
    const render = created.body.renders[0] as RenderSummary
    const canceled = await api.post(`${base()}/renders/${render.id}/cancel`)
    expect(canceled.status, JSON.stringify(canceled.body)).toBe(200)
    expect(canceled.body).toMatchObject({ id: render.id, status: 'canceled' })
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: render.jobId! } })).toMatchObject({ state: 'canceled' })
    const [job] = await db.$queryRaw<{ state: string }[]>`SELECT state::text AS state FROM pgboss.job WHERE id = ${render.jobId}::uuid`
    expect(job?.state).toBe('cancelled')
    const again = await api.post(`${base()}/renders/${render.id}/cancel`)
    expect(again.status).toBe(409)
    expect(again.body.statusMessage).toMatch(/Only waiting or running renders can be canceled; this one has already been canceled/)

    expect((await api.delete(`${base()}/renders/${render.id}`)).status).toBe(200)
    expect((await api.get(`${base()}/renders/${render.id}`)).status).toBe(404)
    expect((await api.delete(`${base()}/renders/${render.id}`)).status).toBe(404)
  })

  it('takes a music track and a logo for what ffprobe finds, and refuses the rest with the reason', async () => {
    const music = join(dataDir, 'beat.mp3')
    const logo = join(dataDir, 'logo.png')
    const longTrack = join(dataDir, 'long.mp3')
    const text = join(dataDir, 'notes.mp3')
    const huge = join(dataDir, 'huge.png')
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=220:d=3', '-c:a', 'libmp3lame', '-b:a', '64k', music])
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=200x100', '-frames:v', '1', logo])
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '601', '-c:a', 'libmp3lame', '-b:a', '8k', longTrack])
    await writeFile(text, 'These are my notes, not a song.\n'.repeat(50))
    await writeFile(huge, randomBytes(6 * 1024 * 1024))

    const track = await upload('music', music, 'my_beat.mp3')
    expect(track.status, JSON.stringify(track.body)).toBe(201)
    expect(track.body).toMatchObject({ kind: 'music', name: 'my beat', width: null })
    expect(Math.abs(track.body.durationMs! - 3000)).toBeLessThan(150)
    const served = await fetch(track.body.url)
    expect(served.headers.get('content-type')).toBe('audio/mpeg')
    const image = await upload('logo', logo, 'brand.png', '&name=Brand%20mark')
    expect(image.status, JSON.stringify(image.body)).toBe(201)
    expect(image.body).toMatchObject({ kind: 'logo', name: 'Brand mark', width: 200, height: 100, durationMs: null })
    expect((await fetch(image.body.url)).headers.get('content-type')).toBe('image/png')

    // The name says nothing: a PNG called .mp3 is still a picture, a text file called .mp3 is not audio.
    const pictureAsMusic = await upload('music', logo, 'song.mp3')
    expect(pictureAsMusic.status).toBe(422)
    expect(pictureAsMusic.body.statusMessage).toMatch(/This is a PNG image, not a music track\. Upload an audio file: MP3, M4A/)
    const textAsMusic = await upload('music', text, 'notes.mp3')
    expect(textAsMusic.status).toBe(422)
    expect(textAsMusic.body.statusMessage).toMatch(/damaged or is not a music track: ffprobe could not read it/)
    const musicAsLogo = await upload('logo', music, 'logo.png')
    expect(musicAsLogo.status).toBe(422)
    expect(musicAsLogo.body.statusMessage).toMatch(/This is an audio file, not a logo image\. Upload PNG, JPEG or WebP/)
    const tooLong = await upload('music', longTrack, 'long.mp3')
    expect(tooLong.status).toBe(422)
    expect(tooLong.body.statusMessage).toMatch(/This track is 10:01 long; the Studio takes tracks up to 10:00/)
    const tooBig = await upload('logo', huge, 'huge.png')
    expect(tooBig.status).toBe(413)
    expect(tooBig.body.statusMessage).toMatch(/over 5\.0 MB, the most a logo may be/)
    const noKind = await upload('sticker', logo, 'logo.png')
    expect(noKind.status).toBe(400)

    const listed = (await api.get(`${base()}/assets`)).body.assets as StudioAssetSummary[]
    expect(listed.map(asset => asset.name).sort()).toEqual(['Brand mark', 'my beat'])
    expect(((await api.get(`${base()}/assets?kind=logo`)).body.assets as StudioAssetSummary[]).map(asset => asset.id)).toEqual([image.body.id])
    // Refused files left nothing behind: two stored assets, no staged copies.
    expect((await filesUnder(join(dataDir, 'media'))).filter(path => path.includes('/assets/'))).toHaveLength(2)
    expect((await filesUnder(join(dataDir, 'tmp'))).filter(path => path.includes('asset-'))).toEqual([])

    // A logo where music goes is refused when the edit is saved.
    const wrongKind = await api.post(`${base()}/renders`, { videoId: footageId, name: 'Wrong', recipe: { music: { assetId: image.body.id } } })
    expect(wrongKind.status).toBe(400)
    expect(wrongKind.body.statusMessage).toMatch(/is a logo\. Pick a music track there/)

    // In use by a waiting render, the track stays; once that render is canceled it can go.
    const using = await api.post(`${base()}/renders`, { videoId: footageId, name: 'With music', recipe: { music: { assetId: track.body.id }, watermark: { assetId: image.body.id } } })
    expect(using.status, JSON.stringify(using.body)).toBe(201)
    const refused = await api.delete(`${base()}/assets/${track.body.id}`)
    expect(refused.status).toBe(409)
    expect(refused.body.statusMessage).toMatch(/used by a render still in progress\. Wait for it to finish, or cancel it/)
    expect((await api.post(`${base()}/renders/${using.body.renders[0].id}/cancel`)).status).toBe(200)
    expect((await api.delete(`${base()}/assets/${track.body.id}`)).status).toBe(200)
    expect((await api.delete(`${base()}/assets/${track.body.id}`)).status).toBe(404)
    expect((await filesUnder(join(dataDir, 'media'))).filter(path => path.includes('/assets/'))).toHaveLength(1)
  }, 60_000)

  it('offers the built-in presets, and one made from the patterns of the reference videos', async () => {
    const builtIn = (await api.get(`${base()}/presets`)).body.presets as StudioPreset[]
    expect(builtIn.map(preset => preset.key)).toEqual(['fast-hook-captions', 'clean-talking-head'])
    expect(builtIn[0]!.recipe).toMatchObject({ reframe: { aspect: '9:16' }, hook: { seconds: 2.5 }, captions: { style: 'highlight', cues: [] }, loudness: { targetLufs: -14 } })

    // Two fast reference reels (first cut within a second, 20–40 cuts a minute, loud, vertical, under 15 s).
    const buckets = [
      ['hook.first_cut<=1s', 'hook', 'First cut within 1 s'],
      ['pacing.cuts_per_min=20-40', 'pacing', '20-40 cuts per minute'],
      ['audio.loudness=loud', 'audio', 'Loudness: loud'],
      ['format.aspect=9:16', 'format', 'Aspect 9:16'],
      ['duration=<15s', 'duration', 'Length <15s'],
    ] as const
    for (const title of ['Reel one', 'Reel two']) {
      const video = await db.video.create({ data: { workspaceId, kind: 'reference', status: 'ready', title, storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4` } })
      for (const [key, kind, label] of buckets) {
        const pattern = await db.pattern.upsert({ where: { workspaceId_key: { workspaceId, key } }, create: { workspaceId, key, kind, label }, update: {} })
        await db.patternEvidence.create({ data: { workspaceId, patternId: pattern.id, source: 'analysis', videoId: video.id } })
      }
    }
    const presets = (await api.get(`${base()}/presets?videoId=${footageId}`)).body.presets as StudioPreset[]
    const fromPatterns = presets.find(preset => preset.key === 'patterns-references')!
    expect(fromPatterns).toMatchObject({
      source: 'patterns',
      recipe: {
        hook: { seconds: 1.5 },
        silence: { marginSeconds: 0.1, minSilenceSeconds: 0.3 },
        loudness: { targetLufs: -14 },
        reframe: { mode: 'crop', aspect: '9:16' },
        platform: 'instagram',
        maxSeconds: 15,
      },
    })
    expect(fromPatterns.patternKeys.sort()).toEqual(buckets.map(([key]) => key).sort())
    expect(fromPatterns.description).toMatch(/First cut within 1 s \(2 of 2\) → your hook line over the first 1\.5 s/)
    expect(presets.filter(preset => preset.key.startsWith('patterns-video-')).map(preset => preset.name).sort()).toEqual(['Like “Reel one”', 'Like “Reel two”'])

    // Once the page fills in caption lines, every preset is a recipe the server takes.
    for (const preset of presets) {
      const filled = { ...preset.recipe, captions: preset.recipe.captions && { ...preset.recipe.captions, cues: [{ start: 0, end: 1, text: 'Hello' }] } }
      expect(editRecipeSchema.safeParse(filled).success, preset.key).toBe(true)
    }
    // Footage without sound gets no silence removal.
    const silent = (await api.get(`${base()}/presets?videoId=${silentFootageId}`)).body.presets as StudioPreset[]
    expect(silent.every(preset => !preset.recipe.silence)).toBe(true)
    expect(silent[0]!.description).toMatch(/no sound, so silence removal is off/)
    expect((await api.get(`${base()}/presets?videoId=${randomUUID()}`)).status).toBe(404)
  })

  it('lets a viewer look but not render, cancel or upload', async () => {
    const invite = await api.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
    const viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vic', email: `vic-${randomUUID()}@studio.test`, inviteToken: invite.body.token })).status).toBe(201)
    expect((await viewer.get(`${base()}/renders`)).status).toBe(200)
    expect((await viewer.get(`${base()}/presets`)).status).toBe(200)
    const refused = await viewer.post(`${base()}/renders`, { videoId: footageId, name: 'Nope', recipe: {} })
    expect(refused.status).toBe(403)
    expect(refused.body.statusMessage).toMatch(/needs the editor role/)
    expect((await viewer.post(`${base()}/assets?kind=logo`)).status).toBe(403)
    expect((await viewer.patch(`/api/workspaces/${workspaceId}/videos/${footageId}`, { kind: 'reference' })).status).toBe(403)
  })
})
