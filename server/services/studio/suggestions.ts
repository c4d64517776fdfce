// "Suggested variations" for the Studio: which caption styles to render, and whether to keep the hook line on screen,
// drawn by Thompson sampling over the posteriors of the workspace's posts that used them (studio.captions=*,
// studio.hook_text=*: learning.ts links each published render's choices). Honest without evidence: it says so and
// suggests a plain pair to start from. Every query is scoped by workspaceId.
import type { PrismaClient } from '../../generated/prisma/client'
import { captionStyleLabels, captionStyles, type CaptionStyle } from '#shared/recipe'
import { evidenceWords, type StudioSuggestions, type SuggestedOption } from '#shared/decisions'
import { evidenceFigures, hasEvidence, outcomeWords, workspaceExploration, type DecisionArm } from '../analytics/decisions'
import { emptyStats, summarise } from '../analytics/posterior'
import { patternArms } from '../analytics/scores'
import { bestMeanArm, chooseArm, createGenerator, seedFromText } from '../analytics/thompson'

/** Caption styles rendered side by side: two is the smallest test, and keeps a render batch short. */
export const SUGGESTED_STYLES = 2
// Without evidence: the default style and the one most unlike it.
const STARTING_STYLES: CaptionStyle[] = ['bold', 'clean']

const priorArm = (key: string): DecisionArm => ({ key, posterior: summarise(emptyStats()).posterior, stats: emptyStats() })

/**
 * `count` different arms: each round draws once from every arm not taken yet and takes the highest draw (Thompson
 * sampling without replacement), so the first is the usual Thompson choice and the others are the next most promising.
 */
export function drawDistinct(arms: DecisionArm[], count: number, seedText: string, exploration: number): string[] {
  const generator = createGenerator(seedFromText(seedText))
  const left = [...arms].sort((a, b) => a.key.localeCompare(b.key))
  const taken: string[] = []
  while (taken.length < count && left.length) {
    const { key } = chooseArm(left, generator, exploration)
    taken.push(key)
    left.splice(left.findIndex(arm => arm.key === key), 1)
  }
  return taken
}

export async function studioSuggestions(db: PrismaClient, workspaceId: string, day = new Date().toISOString().slice(0, 10)): Promise<StudioSuggestions> {
  const [arms, exploration, metric] = await Promise.all([patternArms(db, workspaceId), workspaceExploration(db, workspaceId), outcomeWords(db, workspaceId)])
  const armOf = (key: string) => arms.get(key) ?? priorArm(key)
  const option = (key: string, value: string, label: string, suggested: boolean, best: string | null): SuggestedOption => {
    const arm = armOf(key)
    return { key, value, label, suggested, figures: hasEvidence(arm) ? evidenceFigures(arm, key === best ? 'exploit' : 'explore', metric) : null }
  }

  const styleArms = captionStyles.map(style => armOf(`studio.captions=${style}`))
  const stylesKnown = styleArms.some(hasEvidence)
  const bestStyle = stylesKnown ? bestMeanArm(styleArms) : null
  const chosenStyles = stylesKnown
    ? drawDistinct(styleArms, SUGGESTED_STYLES, `${workspaceId}:${day}:studio.captions`, exploration)
    : STARTING_STYLES.map(style => `studio.captions=${style}`)
  const styleOptions = captionStyles.map(style => option(`studio.captions=${style}`, style, captionStyleLabels[style].split(':')[0]!, chosenStyles.includes(`studio.captions=${style}`), bestStyle))
  const captionsMessage = stylesKnown
    ? captionMessage(styleOptions, bestStyle)
    : 'No caption style has results yet: try two (Bold and Clean), and publish both.'

  const hookArms = [armOf('studio.hook_text=on'), armOf('studio.hook_text=off')]
  const hookKnown = hookArms.some(hasEvidence)
  const bestHook = hookKnown ? bestMeanArm(hookArms) : null
  const hookChoice = hookKnown ? drawDistinct(hookArms, 1, `${workspaceId}:${day}:studio.hook_text`, exploration)[0]! : 'studio.hook_text=on'
  const hookOptions = [
    option('studio.hook_text=on', 'on', 'Hook line on screen', hookChoice === 'studio.hook_text=on', bestHook),
    option('studio.hook_text=off', 'off', 'No hook line on screen', hookChoice === 'studio.hook_text=off', bestHook),
  ]
  const hookMessage = hookKnown
    ? hookSentence(hookOptions.find(item => item.suggested)!, bestHook)
    : 'No hook choice has results yet: keep the hook line on screen, and publish one version without it to compare.'
  return { captions: { options: styleOptions, message: captionsMessage }, hook: { options: hookOptions, message: hookMessage }, exploration }
}

function captionMessage(options: SuggestedOption[], best: string | null): string {
  const suggested = options.filter(item => item.suggested)
  const words = suggested.map(item => `${item.label}${item.figures ? ` (${evidenceWords(item.figures)})` : ' (no posts yet)'}`)
  const leader = options.find(item => item.key === best)
  const lead = leader ? `${leader.label} is ahead so far. ` : 'No caption style leads yet. '
  return `${lead}Render ${words.join(' and ')}.`
}

function hookSentence(choice: SuggestedOption, best: string | null): string {
  const evidence = choice.figures ? ` (${evidenceWords(choice.figures)})` : ' (no posts yet)'
  const what = choice.value === 'on' ? 'Keep the hook line on screen' : 'Try a version without the hook line on screen'
  return `${what}${evidence}: ${choice.key === best ? 'the best so far' : 'a test against the best so far'}.`
}
