// Reference numbers: counts written the way platforms show them, the CSV read row by row with line numbers and
// problems named by column, rows matched to the Library, and the normalised score.
import { describe, expect, it } from 'vitest'
import { parseCount, parsePlatform, referencePerformanceInput, formatMultiple } from '#shared/references'
import { patternSentence } from '#shared/patterns'
import { matchRows, parseReferenceCsv, templateCsv, type LibraryEntry } from '../../server/services/references/csv'
import { readDate } from '../../server/services/references/dates'
import { ageFactor, normalisedScores, rawScore } from '../../server/services/patterns/performance'

const now = new Date('2026-11-30T15:00:00Z')

describe('counts as people write them', () => {
  it.each([
    ['12400', 12400], ['12,400', 12400], ['12 400', 12400], ['1,234,567', 1234567], ['1.234.567', 1234567],
    ['1.2K', 1200], ['1.2k', 1200], ['3.4M', 3400000], ['3,4M', 3400000], ['2B', 2e9], ['12.0', 12], [' 7 ', 7], ['0', 0],
  ])('%s → %d', (text, value) => {
    expect(parseCount(text)).toEqual({ ok: true, value })
  })

  it('reads blanks as not given', () => {
    for (const text of ['', ' ', '-', '—', 'n/a', 'N/A']) expect(parseCount(text)).toEqual({ ok: true, value: null })
    expect(parseCount(null)).toEqual({ ok: true, value: null })
  })

  it('names what is wrong with a count', () => {
    expect(parseCount('12.5')).toEqual({ ok: false, message: '“12.5” is not a whole number; write it as 12400, 12,400 or 12.4K.' })
    expect(parseCount('lots')).toMatchObject({ ok: false, message: expect.stringMatching(/“lots” is not a number/) })
    expect(parseCount('-5')).toMatchObject({ ok: false, message: expect.stringMatching(/negative/) })
    expect(parseCount(-5)).toMatchObject({ ok: false, message: expect.stringMatching(/negative/) })
    expect(parseCount('5000B')).toMatchObject({ ok: false, message: expect.stringMatching(/more than a trillion/) })
    // "12.400" could be 12.4 or 12400: refused rather than guessed.
    expect(parseCount('12.400').ok).toBe(false)
  })

  it('knows platforms by their usual names', () => {
    expect(parsePlatform('Instagram Reels')).toBe('instagram')
    expect(parsePlatform('TikTok')).toBe('tiktok')
    expect(parsePlatform('YT Shorts')).toBeUndefined()
    expect(parsePlatform('youtube shorts')).toBe('youtube')
    expect(parsePlatform('myspace')).toBeUndefined()
  })

  it('validates the typed form with a message per field', () => {
    const parsed = referencePerformanceInput.safeParse({ views: '1.2K', followers: 'many', postedAt: '01/11/2026' })
    expect(parsed.success).toBe(false)
    const issues = parsed.error!.issues.map(issue => [issue.path.join('.'), issue.message])
    expect(issues).toEqual([
      ['followers', expect.stringMatching(/“many” is not a number/)],
      ['postedAt', 'write the posting date as a date, e.g. 2026-11-01 (year-month-day).'],
    ])
    expect(referencePerformanceInput.safeParse({}).error?.issues[0]?.message).toMatch(/at least one number/)
    expect(referencePerformanceInput.parse({ views: '1.2K', followers: 5000, platform: 'tiktok' })).toMatchObject({ views: 1200, followers: 5000, likes: null, platform: 'tiktok' })
  })
})

describe('dates in the workspace zone', () => {
  it('takes a day alone at noon in the zone, and never after now', () => {
    expect(readDate('2026-11-01', 'Europe/Lisbon', now, 'posting date')).toEqual({ ok: true, value: new Date('2026-11-01T12:00:00Z') })
    expect(readDate('2026-07-01', 'Europe/Lisbon', now, 'posting date')).toEqual({ ok: true, value: new Date('2026-07-01T11:00:00Z') })
    expect(readDate('2026-11-01 18:30', 'America/New_York', now, 'posting date')).toEqual({ ok: true, value: new Date('2026-11-01T23:30:00Z') })
    expect(readDate('2026-11-01T18:30:00Z', 'Asia/Tokyo', now, 'posting date')).toEqual({ ok: true, value: new Date('2026-11-01T18:30:00Z') })
    // Today, read in Tokyo where noon has passed; and in Los Angeles, where it is 07:00: now.
    expect(readDate('2026-11-30', 'America/Los_Angeles', now, 'posting date')).toEqual({ ok: true, value: now })
  })

  it('refuses the future, other formats and days not in the calendar', () => {
    expect(readDate('2026-12-05', 'UTC', now, 'posting date')).toMatchObject({ ok: false, message: '“2026-12-05” is in the future.' })
    expect(readDate('01/11/2026', 'UTC', now, 'posting date')).toMatchObject({ ok: false, message: expect.stringMatching(/write the posting date as 2026-11-01/) })
    expect(readDate('2026-02-30', 'UTC', now, 'posting date')).toMatchObject({ ok: false, message: '“2026-02-30” is not a day of the calendar.' })
  })
})

const library: LibraryEntry[] = [
  { id: '0196a000-0000-7000-8000-000000000001', title: 'Knife skills', originalFilename: 'knife.mp4', kind: 'reference', hasPerformance: false },
  { id: '0196a000-0000-7000-8000-000000000002', title: 'Pasta in 30 s', originalFilename: 'IMG_0042.MOV', kind: 'reference', hasPerformance: true },
  { id: '0196a000-0000-7000-8000-000000000003', title: 'Twin', originalFilename: null, kind: 'reference', hasPerformance: false },
  { id: '0196a000-0000-7000-8000-000000000004', title: 'twin', originalFilename: null, kind: 'reference', hasPerformance: false },
  { id: '0196a000-0000-7000-8000-000000000005', title: 'My raw clip', originalFilename: null, kind: 'footage', hasPerformance: false },
]

describe('the CSV import', () => {
  it('reads common headers, numbers and dates, with the line each record starts on', () => {
    const csv = [
      'Video Title,Platform,View Count,Likes,Followers,Date,Notes',
      'knife skills,TikTok,"12,400",1.2K,8K,2026-11-01,great',
      '',
      'img_0042,reels,"3,4M",,120000,2026-10-01,',
      '"Pasta\nin two lines",IG,5,,,,',
    ].join('\n')
    const parsed = parseReferenceCsv(csv, 'UTC', now)
    expect(parsed.fileProblems).toEqual([])
    expect(parsed.columns).toEqual([
      { column: 'Video Title', field: 'title' }, { column: 'Platform', field: 'platform' }, { column: 'View Count', field: 'views' },
      { column: 'Likes', field: 'likes' }, { column: 'Followers', field: 'followers' }, { column: 'Date', field: 'postedAt' },
    ])
    expect(parsed.ignoredColumns).toEqual(['Notes'])
    expect(parsed.rows.map(row => row.line)).toEqual([2, 4, 5])
    expect(parsed.rows[0]).toMatchObject({ title: 'knife skills', values: { platform: 'tiktok', views: 12400, likes: 1200, followers: 8000, postedAt: '2026-11-01T12:00:00.000Z' }, problems: [] })
    expect(parsed.rows[1]!.values).toMatchObject({ platform: 'instagram', views: 3400000, followers: 120000 })
  })

  it('names the column and the reason of every bad cell', () => {
    const csv = 'title,views,followers,platform,posted_at\nKnife skills,12.5,lots,myspace,2027-01-01\nTwin,,,,\n'
    const parsed = parseReferenceCsv(csv, 'UTC', now)
    expect(parsed.rows[0]!.problems).toEqual([
      { column: 'views', message: '“12.5” is not a whole number; write it as 12400, 12,400 or 12.4K.' },
      { column: 'followers', message: expect.stringMatching(/“lots” is not a number/) },
      { column: 'platform', message: '“myspace” is not a platform we know; write Instagram, TikTok, YouTube, Facebook.' },
      { column: 'posted_at', message: '“2027-01-01” is in the future.' },
      { column: null, message: 'No numbers in this row: give at least views or followers.' },
    ])
    expect(parsed.rows[1]!.problems).toEqual([{ column: null, message: 'No numbers in this row: give at least views or followers.' }])
  })

  it('reads semicolon files where 12,400 needs no quotes, and tabs', () => {
    expect(parseReferenceCsv('title;views\nKnife skills;12,400\n', 'UTC', now).rows[0]!.values.views).toBe(12400)
    expect(parseReferenceCsv('title\tviews\nKnife skills\t9\n', 'UTC', now).rows[0]!.values.views).toBe(9)
  })

  it('refuses a file it cannot use, saying why', () => {
    expect(parseReferenceCsv('views,likes\n1,2\n', 'UTC', now).fileProblems).toEqual([expect.stringMatching(/^No column names the video\. Add an “id” or “title” column/)])
    expect(parseReferenceCsv('title,notes\nA,b\n', 'UTC', now).fileProblems).toEqual([expect.stringMatching(/^No column holds numbers/)])
    expect(parseReferenceCsv('title,views\n"Knife,1\nB,2\n', 'UTC', now).fileProblems).toEqual([expect.stringMatching(/^Line \d+: a quote \(“?"?\)? is opened and never closed|^Line \d+: a quote/)])
    const many = `title,views\n${Array.from({ length: 2001 }, (_, index) => `Video ${index},${index}`).join('\n')}\n`
    expect(parseReferenceCsv(many, 'UTC', now).fileProblems).toEqual(['The CSV has 2,001 rows; at most 2,000 are imported at a time. Split it into smaller files.'])
    expect(parseReferenceCsv(`title,views\n${'x'.repeat(1024 * 1024)}`, 'UTC', now).fileProblems[0]).toMatch(/^The CSV is 1\.0 MB; at most 1 MB/)
    expect(parseReferenceCsv('', 'UTC', now).fileProblems[0]).toMatch(/^The CSV is empty/)
  })

  it('matches rows by id, then by title or file name, and says when nothing or several match', () => {
    const csv = [
      'id,title,views,followers',
      `${library[0]!.id.toUpperCase()},Wrong title,100,10`,
      ',IMG_0042.mov,200,20',
      ',Twin,300,30',
      ',Nobody,400,40',
      ',My raw clip,500,50',
      ',knife skills,600,60',
      'not-an-id,,700,70',
    ].join('\n')
    const preview = matchRows(parseReferenceCsv(csv, 'UTC', now), library)
    const summary = preview.rows.map(row => [row.line, row.video?.title ?? null, row.problems.map(problem => problem.message)])
    expect(summary).toEqual([
      [2, 'Knife skills', []],
      [3, 'Pasta in 30 s', []],
      [4, null, ['“Twin” matches 2 videos (“Twin”, “twin”); add an id column to say which (the template has one).']],
      [5, null, ['No video titled “Nobody” (nor with that file name) is in the Library.']],
      [6, 'My raw clip', ['“My raw clip” is footage; only reference videos carry public numbers. Mark it as a reference on its page first.']],
      [7, 'Knife skills', ['Line 2 already gives the numbers of “Knife skills”; keep one row per video.']],
      [8, null, ['No video of this Library has the id “not-an-id”.']],
    ])
    expect(preview.rows[1]!.replaces).toBe(true)
    expect(preview.validRows).toBe(2)
  })

  it('writes a template with the references and their numbers, formulas escaped', () => {
    const csv = templateCsv([
      { id: 'a', title: '=HYPERLINK("x")', performance: null },
      { id: 'b', title: 'Pasta, fast', performance: { platform: 'tiktok', postedAt: new Date('2026-11-01T12:00:00Z'), views: 12400n, followers: 800n, likes: null } },
    ])
    expect(csv.replace(/^\uFEFF/, '').split('\n')).toEqual([
      'id,title,platform,views,likes,comments,shares,saves,followers,posted_at',
      'a,"\'=HYPERLINK(""x"")",,,,,,,,',
      'b,"Pasta, fast",tiktok,12400,,,,,800,2026-11-01',
      '',
    ])
    // What the template holds, the import reads back.
    const back = parseReferenceCsv(csv, 'UTC', now)
    expect(back.fileProblems).toEqual([])
    expect(back.rows[1]).toMatchObject({ id: 'b', values: { platform: 'tiktok', views: 12400, followers: 800 }, problems: [] })
  })
})

describe('the normalised score', () => {
  const day = 24 * 60 * 60 * 1000
  const numbers = (views: number | null, followers: number | null, ageDays: number | null, platform: string | null = 'tiktok') => ({
    platform, views, followers, observedAt: now, postedAt: ageDays === null ? null : new Date(now.getTime() - ageDays * day),
  })

  it('is log views per follower, lifted for young videos and settled from 30 days', () => {
    expect(ageFactor(30)).toBe(1)
    expect(ageFactor(90)).toBe(1)
    expect(ageFactor(3)).toBeCloseTo(Math.log(4) / Math.log(31), 12)
    expect(rawScore(numbers(10_000, 1000, 45))).toEqual({ value: Math.log(10_001 / 1000), ageDays: 45, note: null })
    const young = rawScore(numbers(10_000, 1000, 3))
    expect(young.value).toBeCloseTo(Math.log(10_001 / 1000) - Math.log(Math.log(4) / Math.log(31)), 12)
    expect(rawScore(numbers(10_000, 1000, null))).toMatchObject({ value: Math.log(10_001 / 1000), note: expect.stringMatching(/Posting date unknown/) })
  })

  it('is never invented: no views, no followers, 0 followers or under a day old gives none, and says why', () => {
    expect(rawScore(numbers(null, 1000, 10))).toMatchObject({ value: null, note: 'No score: the views are missing.' })
    expect(rawScore(numbers(500, null, 10))).toMatchObject({ value: null, note: expect.stringMatching(/follower count is missing/) })
    expect(rawScore(numbers(500, 0, 10))).toMatchObject({ value: null, note: expect.stringMatching(/0 followers/) })
    expect(rawScore(numbers(500, 10, 0.5))).toMatchObject({ value: null, note: expect.stringMatching(/less than a day/) })
  })

  it('takes off the median of the same platform, so TikTok\'s wider reach does not count as a pattern', () => {
    const scores = normalisedScores([
      { key: 'tiktok-a', numbers: numbers(40_000, 1000, 60) },
      { key: 'tiktok-b', numbers: numbers(10_000, 1000, 60) },
      { key: 'tiktok-c', numbers: numbers(20_000, 1000, 60) },
      { key: 'instagram-a', numbers: numbers(2000, 1000, 60, 'instagram') },
      { key: 'instagram-b', numbers: numbers(500, 1000, 60, 'instagram') },
      { key: 'unscored', numbers: numbers(null, 1000, 60) },
    ])
    expect(scores.get('tiktok-c')!.value).toBe(0)
    expect(scores.get('tiktok-a')!.value).toBeCloseTo(Math.log(40_001 / 20_001), 12)
    expect(scores.get('tiktok-a')!.platformPeers).toBe(3)
    // Two on Instagram: the median is their midpoint, so they sit either side of 0.
    expect(scores.get('instagram-a')!.value).toBeCloseTo(-scores.get('instagram-b')!.value!, 12)
    expect(scores.get('unscored')).toMatchObject({ value: null, platformPeers: 0 })
  })

  it('reads in plain words', () => {
    expect(formatMultiple(Math.log(1.8))).toBe('×1.8')
    expect(formatMultiple(Math.log(0.42))).toBe('×0.42')
    expect(patternSentence({ label: 'First cut within 1 s', performance: { with: { n: 4, mean: Math.log(1.8) }, without: { n: 3, mean: Math.log(0.7) }, difference: Math.log(1.8 / 0.7), weak: false } }))
      .toBe('Videos with “First cut within 1 s” reach ×1.8 the usual views per follower on their platform; those without, ×0.7 (mean score +0.59 vs −0.36, n = 4 vs 3).')
    expect(patternSentence({ label: 'Hook: a question', performance: { with: { n: 0, mean: null }, without: { n: 3, mean: 0 }, difference: null, weak: true } }))
      .toMatch(/^No reference video with “Hook: a question” has numbers yet/)
  })
})
