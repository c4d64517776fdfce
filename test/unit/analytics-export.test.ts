// The Analytics page's pure pieces: the query's days as instants in the workspace's zone (DST days included), the
// settings patch and its audit sentence, and the CSV's cells and name (the database side is in test/integration/analytics-view.test.ts).
import { describe, expect, it } from 'vitest'
import { explorationWords, learningSettingsPatch } from '../../shared/analytics'
import { auditSentence } from '../../shared/audit'
import { analyticsCsv, analyticsCsvName } from '../../server/services/analytics/csv'
import { dayAfter, dayStart, scoreFilterOf } from '../../server/services/analytics/filter'
import type { AnalyticsView } from '../../shared/analytics'

describe('days in the workspace zone', () => {
  it('starts a day at the zone\'s midnight, and ends the range at the next day\'s', () => {
    expect(dayStart('2026-06-01', 'America/New_York').toISOString()).toBe('2026-06-01T04:00:00.000Z')
    expect(scoreFilterOf({ from: '2026-06-01', to: '2026-06-01' }, 'Europe/Berlin')).toEqual({
      from: new Date('2026-05-31T22:00:00.000Z'), to: new Date('2026-06-01T22:00:00.000Z'),
    })
    expect(dayAfter('2026-12-31')).toBe('2027-01-01')
  })

  it('gives a DST day its 23 or 25 hours', () => {
    const hours = (day: string, zone: string) => (dayStart(dayAfter(day), zone).getTime() - dayStart(day, zone).getTime()) / 3_600_000
    expect(hours('2026-03-29', 'Europe/Berlin')).toBe(23)
    expect(hours('2026-10-25', 'Europe/Berlin')).toBe(25)
    // Santiago's clocks skip midnight in September: the day starts at 01:00, when they land.
    expect(dayStart('2026-09-06', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z')
  })

  it('passes the platform and account through and leaves out what was not asked', () => {
    expect(scoreFilterOf({}, 'UTC')).toEqual({})
    expect(scoreFilterOf({ platform: 'tiktok', accountId: '0191d6a4-0000-7000-8000-000000000000' }, 'UTC'))
      .toEqual({ platform: 'tiktok', socialAccountId: '0191d6a4-0000-7000-8000-000000000000' })
  })
})

describe('the settings patch', () => {
  it('takes any of the three and refuses an empty one or a horizon not offered', () => {
    expect(learningSettingsPatch.safeParse({ exploration: 0.25 }).success).toBe(true)
    expect(learningSettingsPatch.safeParse({}).success).toBe(false)
    expect(learningSettingsPatch.safeParse({ outcomeHorizonHours: 36 }).success).toBe(false)
    expect(learningSettingsPatch.safeParse({ exploration: 4 }).success).toBe(false)
  })

  it('tells a change in the audit trail in words', () => {
    const actor = { name: 'Ada', email: 'ada@example.test' }
    expect(auditSentence({ action: 'workspace.updated', actor, metadata: { outcomeMetric: 'saves_per_view', outcomeHorizonHours: 72 } }))
      .toBe('Ada set the outcome metric to “Saves per view” and set the outcome horizon (hours) to “72”')
    expect(auditSentence({ action: 'workspace.updated', actor, metadata: { exploration: 2.5 } })).toBe('Ada set the exploration to “2.5”')
  })

  it('words the exploration slider at its landmarks', () => {
    expect(explorationWords(0)).toBe('Always use the best so far')
    expect(explorationWords(1)).toBe('Balanced (Thompson sampling)')
    expect(explorationWords(3)).toBe('Test new patterns often')
    expect(explorationWords(0.5)).toMatch(/some testing/)
  })
})

describe('the CSV', () => {
  const posterior = (mean: number) => ({ mean, interval80: { lower: mean - 0.5, upper: mean + 0.5 }, interval95: { lower: mean - 1, upper: mean + 1 }, posts: 4, references: 2 })
  const view = {
    posts: [{
      id: 'p1', caption: '@everyone look', title: null, permalink: null, platform: 'youtube', accountId: 'a1', accountName: '+Chef', publishedAt: '2026-06-01T03:00:00.000Z', gone: false,
      snapshots: [{ capturedAt: '2026-06-01T05:00:00.000Z', ageHours: 2, views: 10, likes: 1, comments: null, shares: null, saves: null, watchTimeSec: null }],
      outcome: { metric: 'views', horizonHours: 48, logValue: 6.9, baseline: 7.2, baselinePosts: 3, outcome: -0.3, reason: null },
    }],
    patterns: [{ id: 'x', key: 'hook.type=question', kind: 'hook', label: '=Question', score: posterior(0.1), effect: posterior(-0.2), enough: true, evidence: [] }],
    experiments: [{
      id: 'b1', name: 'Knife', sourceVideoId: 'v1', status: 'too-thin', leader: null, verdict: 'B needs 2 more posts with 48 h numbers',
      arms: [{ renderId: 'r1', label: 'A', description: '-50% off: a shorter hook', posts: 2, scored: 1, outcome: posterior(0.3), probabilityBest: 0.62 }],
    }],
  } as unknown as AnalyticsView

  it('escapes text that a spreadsheet would run, and keeps negative numbers as numbers', () => {
    const lines = analyticsCsv(view).slice(1).split('\n')
    expect(lines[0]).toMatch(/^post_id,platform,account,published_at,caption/)
    expect(lines[1]).toBe('p1,youtube,\'+Chef,2026-06-01T03:00:00.000Z,\'@everyone look,false,2026-06-01T05:00:00.000Z,2,10,1,,,,')
    expect(lines).toContain('p1,youtube,\'+Chef,2026-06-01T03:00:00.000Z,views,48,6.9,7.2,3,-0.3,')
    expect(lines).toContain('\'=Question,hook,hook.type=question,true,4,2,-0.2,-0.7,0.3,-1.2,0.8,0.1,-0.4,0.6,-0.9,1.1')
    expect(lines).toContain('Knife,too-thin,B needs 2 more posts with 48 h numbers,A,\'-50% off: a shorter hook,2,1,0.62,0.3,-0.2,0.8,-0.7,1.3')
  })

  it('names the file from the filter\'s days', () => {
    expect(analyticsCsvName({})).toBe('analytics-all.csv')
    expect(analyticsCsvName({ from: '2026-06-01', to: '2026-06-30' })).toBe('analytics-2026-06-01-to-2026-06-30.csv')
    expect(analyticsCsvName({ from: '2026-06-01' })).toBe('analytics-2026-06-01-to-today.csv')
  })
})
