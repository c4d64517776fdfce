// Reference numbers and patterns through the built app's API (web role): numbers typed on a reference's page are
// validated per field and saved, footage is refused, viewers read but cannot write; a CSV preview names each bad row's
// line, column and reason and writes nothing, the import writes only the valid rows; the patterns route's with/without
// figures equal what this test computes from the rows it inserted.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import type { ImportPreview, ImportResult, ReferencePerformanceView } from '#shared/references'
import type { PatternsView } from '#shared/patterns'
import type { VideoDetail } from '#shared/library'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

const DAY = 24 * 60 * 60 * 1000

describe(`Reference numbers and patterns on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let editor: ApiClient
  let viewer: ApiClient
  let workspaceId: string
  const run = randomUUID().slice(0, 8)
  const base = () => `/api/workspaces/${workspaceId}`

  const video = async (title: string, kind: 'reference' | 'footage' = 'reference', extra: { originalFilename?: string, deletedAt?: Date } = {}) =>
    (await db.video.create({ data: { workspaceId, kind, status: 'ready', title, sizeBytes: 1000n, storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4`, ...extra } })).id

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-refperf-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'web' })
    db = createPrisma(inject('databaseUrl'))
    editor = new ApiClient(app.url)
    expect((await editor.signUp({ name: 'Eve', email: `eve-${run}@refperf.test` })).status).toBe(201)
    workspaceId = (await editor.session()).workspaces[0]!.id
    viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vic', email: `vic-${run}@refperf.test` })).status).toBe(201)
    await db.membership.create({ data: { workspaceId, userId: (await viewer.session()).user.id, role: 'viewer' } })
  }, 120_000)

  afterAll(async () => {
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('saves numbers typed on a reference, validates each field, refuses footage and viewers', async () => {
    const referenceId = await video('Knife skills')
    const footageId = await video('My raw clip', 'footage')
    const url = `${base()}/videos/${referenceId}/performance`

    const bad = await editor.request('PUT', url, { views: 'lots', followers: '12.5', platform: 'myspace', postedAt: '01/11/2026' })
    expect(bad.status).toBe(400)
    expect(bad.body.data.issues.map((issue: { path: string[], message: string }) => [issue.path.join('.'), issue.message])).toEqual([
      ['platform', 'Platform: choose Instagram, TikTok, YouTube or Facebook.'],
      ['views', 'Views: “lots” is not a number; write it as 12400, 12,400, 1.2K or 3.4M.'],
      ['followers', 'Followers: “12.5” is not a whole number; write it as 12400, 12,400 or 12.4K.'],
      ['postedAt', 'Posted on: write the posting date as a date, e.g. 2026-11-01 (year-month-day).'],
    ])
    const future = await editor.request('PUT', url, { views: 100, postedAt: new Date(Date.now() + 5 * DAY).toISOString().slice(0, 10) })
    expect(future.status).toBe(400)
    expect(future.body.statusMessage).toMatch(/^Posted on: “\d{4}-\d{2}-\d{2}” is in the future\.$/)
    expect((await editor.request('PUT', url, {})).body.statusMessage).toBe('Give at least one number: views, likes, comments, shares, saves or followers.')
    expect(await db.referencePerformance.count({ where: { videoId: referenceId } })).toBe(0)

    const postedAt = new Date(Date.now() - 60 * DAY).toISOString()
    const saved = await editor.request<ReferencePerformanceView>('PUT', url, { platform: 'tiktok', views: '12,400', likes: '1.2K', comments: 80, followers: '3.4M', postedAt })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    expect(saved.body).toMatchObject({ platform: 'tiktok', views: 12400, likes: 1200, comments: 80, shares: null, saves: null, followers: 3_400_000, postedAt, source: 'manual' })
    // Alone on TikTok, it is its platform's median: 0, measured against 1 peer.
    expect(saved.body.score).toMatchObject({ value: 0, platformPeers: 1, note: null })
    const stored = await db.referencePerformance.findUniqueOrThrow({ where: { videoId: referenceId } })
    expect({ views: stored.views, followers: stored.followers, workspaceId: stored.workspaceId }).toEqual({ views: 12400n, followers: 3_400_000n, workspaceId })
    const detail = await viewer.get<VideoDetail>(`${base()}/videos/${referenceId}`)
    expect(detail.body.performance).toMatchObject({ views: 12400, followers: 3_400_000 })

    const footage = await editor.request('PUT', `${base()}/videos/${footageId}/performance`, { views: 100 })
    expect(footage.status).toBe(409)
    expect(footage.body.statusMessage).toMatch(/^Only reference videos carry public numbers; this one is footage/)
    expect((await viewer.request('PUT', url, { views: 1 })).status).toBe(403)
    expect((await viewer.delete(url)).status).toBe(403)
    expect((await db.referencePerformance.findUniqueOrThrow({ where: { videoId: referenceId } })).views).toBe(12400n)

    // Saving again replaces every field: one left empty is cleared.
    expect((await editor.request<ReferencePerformanceView>('PUT', url, { views: 500, followers: 100 })).body).toMatchObject({ views: 500, likes: null, platform: null, postedAt: null })
    expect((await editor.delete(url)).status).toBe(200)
    expect(await db.referencePerformance.count({ where: { videoId: referenceId } })).toBe(0)
    expect((await editor.delete(`${base()}/videos/${randomUUID()}/performance`)).status).toBe(404)
  })

  it('previews a CSV with each bad row\'s line, column and reason, writes nothing, then imports only the valid rows', async () => {
    const pasta = await video(`Pasta ${run}`, 'reference', { originalFilename: `IMG_${run}.MOV` })
    const soup = await video(`Soup ${run}`)
    const bread = await video(`Bread ${run}`)
    await video(`Twin ${run}`)
    await video(`twin ${run}`)
    await video(`Clip ${run}`, 'footage')
    // Bread has numbers already; the CSV has no likes column, so its likes stay.
    await db.referencePerformance.create({ data: { workspaceId, videoId: bread, views: 10n, likes: 7n, followers: 5n, source: 'manual' } })
    const csv = [
      'Title,Platform,Views,Followers,Posted_at,Notes',
      `img_${run},TikTok,"12,400",8K,2026-10-01,from the export`,
      `Soup ${run},reels,lots,1.2K,,`,
      `Twin ${run},tiktok,5,5,,`,
      `Nobody ${run},tiktok,5,5,,`,
      `Clip ${run},tiktok,5,5,,`,
      '',
      `${bread},youtube,3.4M,120000,2026-09-01,`,
      `Soup ${run},tiktok,9,,2999-01-01,`,
    ].join('\n')
    const before = await db.referencePerformance.count({ where: { workspaceId } })
    const preview = await editor.post<ImportPreview>(`${base()}/references/import/preview`, { csv })
    expect(preview.status, JSON.stringify(preview.body)).toBe(200)
    expect(preview.body.ignoredColumns).toEqual(['Notes'])
    expect(preview.body.rows.map(row => ({ line: row.line, video: row.video?.id ?? null, problems: row.problems }))).toEqual([
      { line: 2, video: pasta, problems: [] },
      { line: 3, video: soup, problems: [{ column: 'Views', message: '“lots” is not a number; write it as 12400, 12,400, 1.2K or 3.4M.' }] },
      { line: 4, video: null, problems: [{ column: null, message: expect.stringMatching(new RegExp(`^“Twin ${run}” matches 2 videos`)) }] },
      { line: 5, video: null, problems: [{ column: null, message: `No video titled “Nobody ${run}” (nor with that file name) is in the Library.` }] },
      { line: 6, video: expect.any(String), problems: [{ column: null, message: expect.stringMatching(/is footage; only reference videos carry public numbers/) }] },
      { line: 8, video: bread, problems: [] },
      { line: 9, video: soup, problems: [{ column: 'Posted_at', message: '“2999-01-01” is in the future.' }, { column: null, message: 'Line 3 already gives the numbers of “Soup ' + run + '”; keep one row per video.' }] },
    ])
    expect(preview.body.validRows).toBe(2)
    expect(preview.body.rows[5]!.replaces).toBe(true)
    expect(await db.referencePerformance.count({ where: { workspaceId } })).toBe(before)

    expect((await viewer.post(`${base()}/references/import/preview`, { csv })).status).toBe(403)
    expect((await viewer.post(`${base()}/references/import`, { csv })).status).toBe(403)
    expect(await db.referencePerformance.count({ where: { workspaceId } })).toBe(before)

    const imported = await editor.post<ImportResult>(`${base()}/references/import`, { csv })
    expect(imported.status, JSON.stringify(imported.body)).toBe(200)
    expect(imported.body.imported).toBe(2)
    expect(await db.referencePerformance.count({ where: { workspaceId } })).toBe(before + 1)
    const pastaRow = await db.referencePerformance.findUniqueOrThrow({ where: { videoId: pasta } })
    expect(pastaRow).toMatchObject({ workspaceId, platform: 'tiktok', views: 12400n, followers: 8000n, source: 'csv' })
    expect(pastaRow.postedAt?.toISOString()).toBe('2026-10-01T12:00:00.000Z')
    expect(await db.referencePerformance.findUniqueOrThrow({ where: { videoId: bread } })).toMatchObject({ platform: 'youtube', views: 3_400_000n, followers: 120_000n, likes: 7n, source: 'csv' })
    expect(await db.referencePerformance.count({ where: { videoId: soup } })).toBe(0)

    // Only the rows the person confirmed: line 2 again with new numbers, line 8 left out.
    const again = await editor.post<ImportResult>(`${base()}/references/import`, { csv: csv.replace('"12,400"', '13K').replace('3.4M', '1'), lines: [2] })
    expect(again.body.imported).toBe(1)
    expect((await db.referencePerformance.findUniqueOrThrow({ where: { videoId: pasta } })).views).toBe(13000n)
    expect((await db.referencePerformance.findUniqueOrThrow({ where: { videoId: bread } })).views).toBe(3_400_000n)
    const audit = await db.auditEvent.findMany({ where: { workspaceId, action: 'references.imported' }, orderBy: { createdAt: 'asc' }, select: { metadata: true } })
    expect(audit.map(event => event.metadata)).toEqual([{ imported: 2, rows: 7 }, { imported: 1, rows: 7 }])
  })

  it('refuses a file it cannot use, and one over the size limit, naming why', async () => {
    const noVideo = await editor.post(`${base()}/references/import`, { csv: 'views,likes\n1,2\n' })
    expect(noVideo.status).toBe(400)
    expect(noVideo.body.statusMessage).toMatch(/^No column names the video/)
    const large = await editor.post(`${base()}/references/import/preview`, { csv: `title,views\n${'x'.repeat(1024 * 1024 + 10)}` })
    expect(large.status).toBe(400)
    expect(large.body.statusMessage).toBe('CSV: at most 1 MB (about 2,000 rows) is read at a time; split it into smaller files.')
    const rows = await editor.post<ImportPreview>(`${base()}/references/import/preview`, { csv: `title,views\n${Array.from({ length: 2001 }, (_, index) => `v${index},1`).join('\n')}` })
    expect(rows.body.fileProblems).toEqual(['The CSV has 2,001 rows; at most 2,000 are imported at a time. Split it into smaller files.'])
  })

  it('offers a template with the references and their numbers, which the import reads back', async () => {
    const template = await viewer.get<string>(`${base()}/references/import/template`)
    expect(template.status).toBe(200)
    expect(template.headers.get('content-type')).toMatch(/^text\/csv/)
    const lines = template.body.replace(/^\uFEFF/, '').trim().split('\n')
    expect(lines[0]).toBe('id,title,platform,views,likes,comments,shares,saves,followers,posted_at')
    const references = await db.video.findMany({ where: { workspaceId, kind: 'reference', deletedAt: null }, select: { id: true } })
    expect(lines).toHaveLength(references.length + 1)
    expect(template.body).not.toContain(`Clip ${run}`)
    const preview = await editor.post<ImportPreview>(`${base()}/references/import/preview`, { csv: template.body })
    expect(preview.body.fileProblems).toEqual([])
    // Rows of references with numbers come back valid, matched by id; the rest have no numbers yet.
    expect(preview.body.rows.filter(row => !row.problems.length).every(row => row.video && row.replaces)).toBe(true)
  })

  it('ranks patterns by how the references with them performed against those without, from our rows', async () => {
    // A workspace of its own, so the figures are only this test's rows.
    const owner = new ApiClient(app.url)
    expect((await owner.signUp({ name: 'Pat', email: `pat-${run}@refperf.test` })).status).toBe(201)
    workspaceId = (await owner.session()).workspaces[0]!.id
    const now = Date.now()
    // name, platform, views, followers, age in days (null: unknown), measured buckets, read buckets
    const plan: [string, string | null, number | null, number | null, number | null, string[], string[] | null][] = [
      ['A', 'tiktok', 90_000, 10_000, 40, ['fast'], ['question']],
      ['B', 'tiktok', 30_000, 10_000, 3, ['fast'], ['question']],
      ['C', 'tiktok', 8_000, 10_000, 10, ['slow'], null],
      ['D', 'instagram', 5_000, 2_000, 60, ['fast'], ['story']],
      ['E', 'instagram', 1_000, 2_000, null, ['slow'], ['question']],
      ['F', 'instagram', 900, 3_000, 20, ['slow'], null],
      ['G', 'tiktok', null, 5_000, 30, ['fast'], null],
      ['H', null, 4_000, 1_000, 30, [], null],
    ]
    const patternIds: Record<string, string> = {}
    for (const [key, label, kind] of [['fast', 'First cut within 1 s', 'hook'], ['slow', 'No cut in the first 3 s', 'hook'], ['question', 'Hook: a question', 'hook'], ['story', 'Hook: a story opening', 'hook']] as const) {
      patternIds[key] = (await db.pattern.create({ data: { workspaceId, key: `test.${key}`, kind, label } })).id
    }
    const ids: Record<string, string> = {}
    for (const [name, platform, views, followers, age, measured, read] of plan) {
      const id = await video(name)
      ids[name] = id
      await db.referencePerformance.create({ data: {
        workspaceId, videoId: id, platform: platform as 'tiktok' | null, views: views === null ? null : BigInt(views), followers: BigInt(followers!),
        observedAt: new Date(now), postedAt: age === null ? null : new Date(now - age * DAY),
      } })
      if (measured.length) {
        const analysis = await db.videoAnalysis.create({ data: { workspaceId, videoId: id, status: 'succeeded' } })
        for (const bucket of measured) await db.patternEvidence.create({ data: { workspaceId, patternId: patternIds[bucket]!, source: 'analysis', videoId: id, analysisId: analysis.id, value: { firstCutSeconds: 0.8 }, note: 'first cut at 0.8 s' } })
      }
      if (read) {
        const reading = await db.videoReading.create({ data: { workspaceId, videoId: id, provider: 'openai', model: 'gpt-5-mini', promptVersion: 'video-reading@1', content: {} } })
        for (const bucket of read) await db.patternEvidence.create({ data: { workspaceId, patternId: patternIds[bucket]!, source: 'semantic', videoId: id, readingId: reading.id, value: { hookType: bucket }, note: `the hook reads as ${bucket}` } })
      }
    }
    // A deleted video's evidence counts for nothing; footage shows the pattern but has no score.
    const gone = await video('Gone', 'reference', { deletedAt: new Date() })
    await db.referencePerformance.create({ data: { workspaceId, videoId: gone, platform: 'tiktok', views: 1n, followers: 1_000_000n } })
    await db.patternEvidence.create({ data: { workspaceId, patternId: patternIds.slow!, source: 'analysis', videoId: gone } })
    const footage = await video('Raw', 'footage')
    await db.patternEvidence.create({ data: { workspaceId, patternId: patternIds.fast!, source: 'analysis', videoId: footage } })

    // The figures, computed here from the rows above.
    const raw = new Map<string, number>()
    for (const [name, , views, followers, age] of plan) {
      if (views === null) continue
      const factor = age === null ? 1 : Math.min(1, Math.log(1 + age) / Math.log(31))
      raw.set(name, Math.log((views + 1) / followers!) - Math.log(factor))
    }
    const medianOf = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b)
      return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2
    }
    const score = new Map<string, number>()
    for (const [name, value] of raw) {
      const platform = plan.find(entry => entry[0] === name)![1]
      score.set(name, value - medianOf(plan.filter(entry => entry[1] === platform && raw.has(entry[0])).map(entry => raw.get(entry[0])!)))
    }
    const meanOf = (names: string[]) => names.reduce((sum, name) => sum + score.get(name)!, 0) / names.length
    const expected = {
      // Analysed: A–G. Scored among them: A–F (G has no views).
      fast: { with: ['A', 'B', 'D'], without: ['C', 'E', 'F'] },
      slow: { with: ['C', 'E', 'F'], without: ['A', 'B', 'D'] },
      // Read: A, B, D, E. H was never analysed nor read, so it is in no group.
      question: { with: ['A', 'B', 'E'], without: ['D'] },
      story: { with: ['D'], without: ['A', 'B', 'E'] },
    }

    const response = await viewer.get(`/api/workspaces/${workspaceId}/patterns`)
    expect(response.status).toBe(404)
    const patterns = await owner.get<PatternsView>(`/api/workspaces/${workspaceId}/patterns`)
    expect(patterns.status).toBe(200)
    expect(patterns.body.rankedBy).toBe('reference-performance')
    expect(patterns.body.scoredReferences).toBe(7)
    for (const [key, groups] of Object.entries(expected)) {
      const pattern = patterns.body.patterns.find(each => each.key === `test.${key}`)!
      const withMean = meanOf(groups.with)
      const withoutMean = meanOf(groups.without)
      expect(pattern.performance.with.n, key).toBe(groups.with.length)
      expect(pattern.performance.without.n, key).toBe(groups.without.length)
      expect(pattern.performance.with.mean!, key).toBeCloseTo(withMean, 10)
      expect(pattern.performance.without.mean!, key).toBeCloseTo(withoutMean, 10)
      expect(pattern.performance.difference!, key).toBeCloseTo(withMean - withoutMean, 10)
      expect(pattern.performance.weak, key).toBe(groups.with.length < 3 || groups.without.length < 3)
    }
    const fast = patterns.body.patterns.find(each => each.key === 'test.fast')!
    // A, B, D, G and the footage; the deleted video is gone from "slow".
    expect(fast.n).toBe(5)
    expect(fast.videos.find(each => each.id === footage)).toMatchObject({ kind: 'footage', source: 'analysis', score: null })
    expect(patterns.body.patterns.find(each => each.key === 'test.slow')!.videos.map(each => each.id)).not.toContain(gone)
    const question = patterns.body.patterns.find(each => each.key === 'test.question')!
    expect(question.sources).toEqual(['semantic'])
    expect(question.videos[0]).toMatchObject({ source: 'semantic', note: 'the hook reads as question', reading: { provider: 'openai', model: 'gpt-5-mini', promptVersion: 'video-reading@1' } })
    // Comparisons with 3 on each side first, by lift; weak ones after.
    const order = patterns.body.patterns.map(each => each.key)
    const strong = ['test.fast', 'test.slow'].sort((a, b) => patterns.body.patterns.find(each => each.key === b)!.performance.difference! - patterns.body.patterns.find(each => each.key === a)!.performance.difference!)
    expect(order.slice(0, 2)).toEqual(strong)
    expect(order.slice(2).sort()).toEqual(['test.question', 'test.story'])

    // The video page lists measured and read buckets, each with its source.
    const detail = await owner.get<VideoDetail>(`/api/workspaces/${workspaceId}/videos/${ids.A}`)
    expect(detail.body.patterns.map(each => [each.key, each.source, each.reading?.model ?? null])).toEqual([['test.fast', 'analysis', null], ['test.question', 'semantic', 'gpt-5-mini']])
    expect(detail.body.performance!.score.value!).toBeCloseTo(score.get('A')!, 10)
  })
})
