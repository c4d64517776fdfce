// The strategy's words cannot carry figures to the screen: the scrub takes statistics and numbers out of prose,
// hooks keep their counts but lose statistics, tokens name patterns from our rows, and the check drops what cites
// a pattern or video the workspace does not have.
import { describe, expect, it } from 'vitest'
import type { PatternEvidenceFigures, StrategyDetail } from '#shared/strategy'
import { compareStrategies } from '#shared/strategy'
import { strategyPrompt, postsPerWeekFrom, type StrategyBrandInput, type StrategyDraft } from '../../server/services/ai/prompts/strategy'
import { checkDraft } from '../../server/services/strategy/check'
import { resolveProse, scrubHook, scrubProse } from '../../server/services/strategy/prose'

const wrong = ['999', '87', '4.2', '%', '×', '3x', 'n=']

describe('the prose scrub', () => {
  it('takes every figure out of prose and says how many', () => {
    const scrubbed = scrubProse('Fast hooks got 87% more views (n=999) and 4.2× the saves; twelve percent fewer skips, 3x reach.')
    for (const figure of wrong) expect(scrubbed.text).not.toContain(figure)
    expect(scrubbed.text).not.toMatch(/\d|twelve/)
    expect(scrubbed.text).toBe('Fast hooks got more views and the saves; fewer skips, reach.')
    expect(scrubbed.removed).toBe(5)
  })

  it('leaves prose without figures as it is', () => {
    expect(scrubProse('Open on the result, then show how.')).toEqual({ text: 'Open on the result, then show how.', removed: 0 })
  })

  it('keeps a hook\'s counts but not its statistics', () => {
    expect(scrubHook('3 knife mistakes in 30 seconds').text).toBe('3 knife mistakes in 30 seconds')
    expect(scrubHook('This trick got 87% more views').text).toBe('This trick got more views')
    expect(scrubHook('4.2x faster onions').text).toBe('faster onions')
  })

  it('names patterns and the brand from our rows after the scrub, so a label keeps its numbers', () => {
    const labels = new Map([['hook.first_cut<=1s', 'First cut within 1 s']])
    const resolved = resolveProse('{{brand}} wins with {{hook.first_cut<=1s}}: 87% more views, unlike {{made.up}}.', { brand: '5 Minute Meals', labels })
    expect(resolved.text).toBe('5 Minute Meals wins with “First cut within 1 s”: more views, unlike a pattern.')
    expect(resolved.unknown).toEqual(['made.up'])
    expect(resolved.removed).toBe(1)
  })
})

const brand: StrategyBrandInput = { name: 'Knife Club', niche: 'home cooking', audience: 'busy parents', voice: 'warm', goals: [], pillars: ['Knife skills'], platforms: ['instagram', 'tiktok'], cadence: '5 reels a week', defaultCta: 'Follow for more' }
const video = (id: string, title: string) => ({ id, title })
const ids = ['0190a0b0-0000-7000-8000-000000000001', '0190a0b0-0000-7000-8000-000000000002', '0190a0b0-0000-7000-8000-000000000003']
const patterns: PatternEvidenceFigures[] = [
  { key: 'hook.first_cut<=1s', label: 'First cut within 1 s', kind: 'hook', videoCount: 2, n: { with: 2, without: 1 }, measure: 'score', with: 0.9, without: -0.7, weak: true, videos: [video(ids[0]!, 'Onions'), video(ids[1]!, 'Garlic')] },
  { key: 'hook.first_cut>3s', label: 'No cut in the first 3 s', kind: 'hook', videoCount: 1, n: { with: 1, without: 2 }, measure: 'score', with: -0.7, without: 0.9, weak: true, videos: [video(ids[2]!, 'Bread')] },
]

describe('the local strategy', () => {
  it('is built from the brand profile and the ranked patterns, with claims that follow the figures', () => {
    const draft = strategyPrompt.schema.parse(strategyPrompt.local({ brand, patterns, rankedBy: 'test' }))
    expect(draft.cadence).toEqual([
      expect.objectContaining({ platform: 'instagram', postsPerWeek: 5 }),
      expect.objectContaining({ platform: 'tiktok', postsPerWeek: 5 }),
    ])
    expect(draft.pillars.map(pillar => pillar.name)).toEqual(['Knife skills'])
    expect(draft.claims.find(claim => claim.patternKey === 'hook.first_cut<=1s')!.text).toContain('got more views per follower')
    expect(draft.claims.find(claim => claim.patternKey === 'hook.first_cut>3s')!.text).toContain('got fewer views per follower')
    expect(draft.experiments[0]).toMatchObject({ patternKey: 'hook.first_cut<=1s', againstKey: 'hook.first_cut>3s' })
    // Its prose carries no figure of its own.
    const checked = checkDraft(draft, { brand, patterns, rankedBy: 'test', videos: new Map(patterns.flatMap(pattern => pattern.videos).map(entry => [entry.id, entry])), now: new Date(0) })
    expect(checked.basis.dropped).toMatchObject({ unknownPatternKeys: [], unknownVideoIds: [], figuresRemoved: 0 })
  })

  it('reads a cadence from the brand\'s words', () => {
    expect(postsPerWeekFrom('3 reels a week')).toBe(3)
    expect(postsPerWeekFrom('daily')).toBe(7)
    expect(postsPerWeekFrom('2 a day')).toBe(14)
    expect(postsPerWeekFrom('8 a month')).toBe(2)
    expect(postsPerWeekFrom('when I can')).toBeNull()
  })
})

describe('the check against our rows', () => {
  const draft: StrategyDraft = {
    summary: 'Lead with {{hook.first_cut<=1s}}: 87% more views, n=999.',
    pillars: [{ name: 'knife skills', description: 'Cuts, 4.2× the saves.', patternKeys: ['hook.first_cut<=1s', 'invented.key'] }],
    cadence: [{ platform: 'instagram', postsPerWeek: 40, rationale: 'Post 5 times.' }, { platform: 'youtube', postsPerWeek: 2, rationale: 'Not a brand platform.' }],
    hooks: [{ line: '3 mistakes that cost 87% of views', patternKey: 'hook.first_cut<=1s' }, { line: 'Made up', patternKey: 'invented.key' }],
    experiments: [
      { name: 'Fast vs slow', patternKey: 'hook.first_cut<=1s', againstKey: 'hook.first_cut>3s', metric: 'views_per_follower', postsEach: 0, rationale: 'See.' },
      { name: 'Ghost', patternKey: 'hook.first_cut<=1s', againstKey: 'ghost.key', metric: 'views', postsEach: 3, rationale: 'x' },
    ],
    claims: [
      { text: 'Fast hooks win by 4.2×.', patternKey: 'hook.first_cut<=1s', videoIds: [ids[0]!, 'not-an-id', '0190a0b0-0000-7000-8000-0000000000ff'] },
      { text: 'Stickers work.', patternKey: 'sticker.count=9', videoIds: [] },
    ],
  }
  const checked = checkDraft(draft, { brand, patterns, rankedBy: 'test', videos: new Map([[ids[0]!, video(ids[0]!, 'Onions')]]), now: new Date(0) })

  it('drops what cites an unknown pattern and reports the keys', () => {
    expect(checked.basis.dropped.unknownPatternKeys).toEqual(['ghost.key', 'invented.key', 'sticker.count=9'])
    expect(checked.basis.dropped).toMatchObject({ claims: 1, hooks: 1, experiments: 1 })
    expect(checked.content.claims.map(claim => claim.patternKey)).toEqual(['hook.first_cut<=1s'])
    expect(checked.content.pillars[0]).toMatchObject({ name: 'Knife skills', patternKeys: ['hook.first_cut<=1s'] })
  })

  it('keeps only videos of the workspace', () => {
    expect(checked.content.claims[0]!.videos).toEqual([video(ids[0]!, 'Onions')])
    expect(checked.basis.dropped.unknownVideoIds).toEqual(['0190a0b0-0000-7000-8000-0000000000ff', 'not-an-id'])
  })

  it('lets no wrong figure through, clamps the plan\'s numbers and keeps the brand\'s platforms', () => {
    const text = JSON.stringify(checked.content)
    for (const figure of ['999', '87', '4.2', '%', '×']) expect(text).not.toContain(figure)
    expect(checked.content.hooks).toEqual([{ line: '3 mistakes that cost of views', patternKey: 'hook.first_cut<=1s' }])
    expect(checked.content.cadence).toEqual([{ platform: 'instagram', postsPerWeek: 21, rationale: 'Post.' }])
    expect(checked.content.experiments).toEqual([expect.objectContaining({ postsEach: 1, againstKey: 'hook.first_cut>3s' })])
    expect(checked.basis.patterns.map(pattern => pattern.key)).toEqual(['hook.first_cut<=1s', 'hook.first_cut>3s'])
  })

  it('compares two versions', () => {
    const detail = (content: StrategyDetail['content'], keys: string[]): StrategyDetail => ({ id: 'x', version: 1, title: '', status: 'draft', createdAt: '', createdBy: null, provenance: null, content, basis: { ...checked.basis, patterns: patterns.filter(pattern => keys.includes(pattern.key)) } })
    const before = detail(checked.content, ['hook.first_cut<=1s'])
    const after = detail({ ...checked.content, pillars: [{ name: 'Bread', description: '', patternKeys: [] }], cadence: [{ platform: 'tiktok', postsPerWeek: 3, rationale: '' }] }, ['hook.first_cut<=1s', 'hook.first_cut>3s'])
    const changes = compareStrategies(before, after)
    expect(changes.pillars).toEqual({ added: ['Bread'], removed: ['Knife skills'], kept: [] })
    expect(changes.cadence).toEqual([{ platform: 'instagram', from: 21, to: null }, { platform: 'tiktok', from: null, to: 3 }])
    expect(changes.patterns.added).toEqual(['hook.first_cut>3s'])
  })
})
