// Answers the fake OpenAI gives as a model could, per purpose (by the structured output's name): a strategy that cites a
// pattern the workspace has, scripts whose shots add up to the target the prompt names. Other purposes get the fake's
// default answer built from the schema. Shared by the AI journey (e2e) and bench/ai.ts.
import type { FakeOpenAi } from './fake-openai'

export function answerLikeAModel(fake: FakeOpenAi, patternKey: string) {
  fake.respondWith('responses', (request) => {
    const format = request.body?.text?.format?.name
    const prompt = String(request.body?.input?.[0]?.content ?? '')
    if (format === 'strategy_generate') {
      return { kind: 'answer', output: {
        summary: 'Lead with {{' + patternKey + '}} for {{brand}}.',
        pillars: [{ name: 'Knife skills', description: 'Short lessons with a fast open.', patternKeys: [patternKey] }],
        cadence: [{ platform: 'tiktok', postsPerWeek: 3, rationale: 'What the brand can keep up.' }],
        hooks: [{ line: 'Three knife mistakes you make daily', patternKey }],
        experiments: [{ name: 'Fast open against none', patternKey, againstKey: patternKey, metric: 'views_per_follower', postsEach: 3, rationale: 'Read it as a hint.' }],
        claims: [{ text: 'Videos with {{' + patternKey + '}} did better for their followers.', patternKey, videoIds: [] }],
      } }
    }
    if (format === 'script_generate') {
      const target = Number(/Target length: (\d+) s/.exec(prompt)?.[1] ?? 30)
      const shots = [
        { atSec: 0, durationSec: 0.8, shot: 'Close-up of the knife', onScreenText: 'Stop doing this', spoken: 'Stop doing this.', broll: '' },
        { atSec: 0.8, durationSec: Math.round((target - 3.8) * 10) / 10, shot: 'Talk to camera', onScreenText: '', spoken: 'Three knife mistakes.', broll: 'Hands at the board' },
        { atSec: Math.round((target - 3) * 10) / 10, durationSec: 3, shot: 'Call to action', onScreenText: 'Follow', spoken: 'Follow for more.', broll: '' },
      ]
      return { kind: 'answer', output: { title: 'Three knife mistakes', hook: 'Stop doing this', targetDurationSec: target, shots, callToAction: 'Follow for more', patterns: [] } }
    }
    return undefined
  })
}
