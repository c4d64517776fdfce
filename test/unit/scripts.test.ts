// The script template's local answer applies the measured patterns literally and invents nothing; the timing checks
// refuse shot lists that do not add up; the Studio's captions come from the spoken lines, never from placeholders.
import { describe, expect, it } from 'vitest'
import { scriptPrompt, type ScriptPromptInput } from '../../server/services/ai/prompts/script'
import { planOf, type ChosenPattern } from '../../server/services/scripts/inputs'
import { cuesFromShots } from '../../server/services/scripts/studio'
import { scriptMarkdown } from '../../server/services/scripts/export'
import { outputJsonSchema } from '../../server/services/ai/generate'
import { retime, scriptOutputSchema, timingProblems, type ScriptDetail } from '#shared/scripts'

const patterns: ChosenPattern[] = [
  { key: 'hook.first_cut<=1s', label: 'First cut within 1 s', kind: 'hook', figures: ['first cut at 0.9 s (median of 4 videos)'], videoCount: 4, medians: { firstCutSeconds: 0.9 } },
  { key: 'pacing.median_shot<=1.5s', label: 'Median shot ≤ 1.5 s', kind: 'pacing', figures: ['shots of 1.4 s at the median (median of 4 videos)'], videoCount: 4, medians: { medianShotSeconds: 1.4 } },
  { key: 'duration=15-30s', label: 'Length 15-30s', kind: 'duration', figures: ['24 s long (median of 4 videos)'], videoCount: 4, medians: { durationSeconds: 24 } },
]

function input(overrides: Partial<ScriptPromptInput> = {}): ScriptPromptInput {
  return {
    brand: { name: 'Knife Club', niche: 'home cooking', audience: 'busy parents', voice: 'warm, direct', defaultCta: 'Follow for a recipe a day' },
    pillar: { name: 'Knife skills', description: '' },
    hookToTest: null,
    patterns: patterns.map(({ medians: _medians, ...pattern }) => pattern),
    plan: planOf(patterns),
    slot: 0,
    platform: 'instagram',
    targetDurationSec: 24,
    ...overrides,
  }
}

describe('the script template, local answer', () => {
  it('cuts the first shot at the measured first cut, keeps shots near the measured length, and lands on the target', () => {
    const script = scriptOutputSchema.parse(scriptPrompt.local(input()))
    expect(script.shots[0]!.durationSec).toBe(0.9)
    expect(script.shots[0]!.onScreenText).toBe(script.hook)
    expect(script.shots.reduce((sum, shot) => sum + shot.durationSec, 0)).toBeCloseTo(24, 5)
    const body = script.shots.slice(1, -1).map(shot => shot.durationSec)
    for (const length of body) expect(length).toBeGreaterThan(1.0)
    for (const length of body) expect(length).toBeLessThan(2.0)
    // The call to action is last, on screen and said.
    expect(script.shots.at(-1)!.onScreenText).toBe('Follow for a recipe a day')
    expect(script.callToAction).toBe('Follow for a recipe a day')
    expect(script.patterns.map(pattern => pattern.key)).toEqual(patterns.map(pattern => pattern.key))
    expect(script.patterns[0]!.how).toContain('0.9 s')
  })

  it('invents no facts: with no hook to test, the hook and the spoken lines are placeholders saying what to say', () => {
    const script = scriptPrompt.local(input())
    expect(script.hook).toBe('[Your one-line promise about Knife skills]')
    for (const shot of script.shots.slice(1, -1)) expect(shot.spoken).toMatch(/^\[.*\]$/)
    // No digits in what the creator is told to say, except the pillar's own words.
    expect(script.shots.slice(0, -1).map(shot => shot.spoken).join(' ')).not.toMatch(/\d+ ?%|\$\d/)
  })

  it('uses the strategy\'s hook line when there is one, varies the structure by slot, and is deterministic', () => {
    const first = scriptPrompt.local(input({ hookToTest: 'Stop dicing onions like this' }))
    expect(first.hook).toBe('Stop dicing onions like this')
    expect(scriptPrompt.local(input({ slot: 1 })).title).not.toBe(scriptPrompt.local(input({ slot: 0 })).title)
    expect(scriptPrompt.local(input({ slot: 3 }))).toEqual(scriptPrompt.local(input({ slot: 3 })))
  })

  it('stays valid at every length from 5 s to 180 s, with and without patterns', () => {
    for (const target of [5, 7, 12, 30, 61, 180]) {
      for (const withPatterns of [true, false]) {
        const made = scriptPrompt.local(input({ targetDurationSec: target, ...(withPatterns ? {} : { patterns: [], plan: planOf([]) }) }))
        const parsed = scriptOutputSchema.safeParse(made)
        expect(parsed.success, `${target} s: ${parsed.error?.message}`).toBe(true)
      }
    }
  })

  it('holds a slow opening for at least 3 s when that is the pattern', () => {
    const slow: ChosenPattern = { key: 'hook.first_cut>3s', label: 'No cut in the first 3 s', kind: 'hook', figures: [], videoCount: 2, medians: { firstCutSeconds: 4.2 } }
    const script = scriptPrompt.local(input({ plan: planOf([slow]), patterns: [] }))
    expect(script.shots[0]!.durationSec).toBeGreaterThanOrEqual(3)
  })
})

describe('the script template, as a model sees it', () => {
  it('sends a JSON schema with every field required (strict structured output) and the measured figures in the request', () => {
    const schema = outputJsonSchema(scriptPrompt.schema) as { required: string[], properties: { shots: { items: { required: string[] } } } }
    expect(schema.required.sort()).toEqual(['callToAction', 'hook', 'patterns', 'shots', 'targetDurationSec', 'title'])
    expect(schema.properties.shots.items.required.sort()).toEqual(['atSec', 'broll', 'durationSec', 'onScreenText', 'shot', 'spoken'])
    const request = scriptPrompt.render(input())
    expect(request).toContain('hook.first_cut<=1s "First cut within 1 s" (4 videos): first cut at 0.9 s (median of 4 videos)')
    expect(request).toContain('Target length: 24 s')
    // The slot changes the request, the batch's size does not: a bigger batch keeps the cached scripts.
    expect(scriptPrompt.render(input({ slot: 2 }))).not.toBe(request)
  })
})

describe('timing checks', () => {
  const shots = retime([{ durationSec: 0.9 }, { durationSec: 10 }, { durationSec: 10 }, { durationSec: 3 }])
  it('accepts back-to-back shots that add up to the target', () => {
    expect(timingProblems({ shots, targetDurationSec: 24, patterns: [{ key: 'hook.first_cut<=1s' }] })).toEqual([])
  })
  it('refuses gaps, a total off the target, and a slow first shot under a fast-hook pattern', () => {
    const gap = shots.map((shot, index) => index === 2 ? { ...shot, atSec: shot.atSec + 2 } : shot)
    expect(timingProblems({ shots: gap, targetDurationSec: 24 })[0]).toContain('Shot 3 starts at')
    expect(timingProblems({ shots, targetDurationSec: 40 })[0]).toContain('add up to 23.9 s; the target is 40 s')
    const slowFirst = retime([{ durationSec: 2 }, { durationSec: 19 }, { durationSec: 3 }])
    expect(timingProblems({ shots: slowFirst, targetDurationSec: 24, patterns: [{ key: 'hook.first_cut<=1s' }] })[0]).toContain('cut by 1 s')
  })
})

describe('captions from a script', () => {
  const shots = retime([
    { durationSec: 1, shot: 'Hook', onScreenText: '', spoken: 'Stop dicing onions like this', broll: '' },
    { durationSec: 4, shot: 'Body', onScreenText: '', spoken: '[Tip 1 about knives]', broll: '' },
    { durationSec: 4, shot: 'Body', onScreenText: '', spoken: 'Curl your fingers and let the blade rock forward through the whole onion slowly', broll: '' },
  ])
  it('times cues from the shots (shifted by the trimmed opening), splits long lines, and skips placeholders', () => {
    const { cues, placeholders } = cuesFromShots(shots, 0.5, null)
    expect(placeholders).toBe(1)
    expect(cues[0]).toEqual({ start: 0.5, end: 1.5, text: 'Stop dicing onions like this' })
    expect(cues.slice(1).map(cue => cue.text).join(' ')).toBe('Curl your fingers and let the blade rock forward through the whole onion slowly')
    expect(cues.length).toBe(3)
    expect(cues[1]!.start).toBe(5.5)
    expect(cues.at(-1)!.end).toBeCloseTo(9.5, 5)
  })
  it('drops cues past the end of the footage', () => {
    const { cues } = cuesFromShots(shots, 0, 3)
    expect(cues.map(cue => cue.text)).toEqual(['Stop dicing onions like this'])
  })
})

describe('Markdown export', () => {
  it('holds the hook, every shot and the call to action, with table cells escaped', () => {
    const script = {
      id: 'x', title: 'Onions | fast', status: 'draft', hook: 'Stop dicing onions like this', batchId: null, slot: 0, pillar: 'Knife skills', platform: 'tiktok',
      targetDurationSec: 9, shotCount: 2, patterns: [{ key: 'hook.first_cut<=1s', label: 'First cut within 1 s', how: 'First shot lasts 1 s.' }],
      provenance: { provider: 'local', model: 'reelwise-templates-1', promptVersion: 'script-1', cacheHit: true, at: '2026-11-30T19:00:00Z' },
      version: 1, createdAt: '', updatedAt: '', callToAction: 'Follow for more', strategyId: null, recipes: [], decisions: [],
      shots: retime([{ durationSec: 1, shot: 'Close-up | knife', onScreenText: 'Stop!', spoken: 'Stop dicing onions like this', broll: '' }, { durationSec: 8, shot: 'Board', onScreenText: '', spoken: 'Curl your fingers', broll: 'Hands, top down' }]),
    } satisfies ScriptDetail
    const markdown = scriptMarkdown(script)
    expect(markdown).toContain('**Hook:** Stop dicing onions like this')
    expect(markdown).toContain('| 1 | 0 s | 1 s | Close-up \\| knife | Stop! | Stop dicing onions like this | — |')
    expect(markdown).toContain('| 2 | 1 s | 8 s | Board |')
    expect(markdown).toContain('**Call to action:** Follow for more')
    expect(markdown).toContain('Local templates (no AI model; measured numbers only), from cache')
  })
})
