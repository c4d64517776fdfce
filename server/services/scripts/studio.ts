// Send a script to the Studio: a new draft of a chosen footage video whose hook text, captions, opening, length and end
// card follow the script. The footage is assumed filmed in the script's order, so the script's shot timings place the
// captions (approximately: "Transcribe" in the Studio replaces them with measured word times). Each filled field is
// said back in words, and so is what was left for the creator.
import type { PrismaClient } from '../../generated/prisma/client'
import { draftRecipeSchema, type CaptionCue, type EditRecipeInput } from '#shared/recipe'
import { isPlaceholder, round1, type ScriptDetail, type SentToStudio } from '#shared/scripts'
import { conflict, notFound } from '../errors'
import { createRecipe } from '../studio/recipes'
import { getScript } from './scripts'

const HOOK_MAX = 120
const END_CARD_MAX = 80
// Words on screen at once: two short lines of a phone caption.
const WORDS_PER_CUE = 7

function clip(text: string, max: number): string {
  if (text.length <= max) return text
  const cut = text.slice(0, max - 1)
  return `${cut.slice(0, cut.lastIndexOf(' ') > max / 2 ? cut.lastIndexOf(' ') : cut.length).trimEnd()}…`
}

/** The spoken lines as caption cues at their shots' times (source seconds, shifted by `offset`), split into short cues. */
export function cuesFromShots(shots: ScriptDetail['shots'], offset: number, footageSeconds: number | null): { cues: CaptionCue[], placeholders: number } {
  const cues: CaptionCue[] = []
  let placeholders = 0
  for (const shot of shots) {
    const spoken = shot.spoken.trim()
    if (!spoken) continue
    // A bracketed placeholder is a note to the creator, never a caption.
    if (isPlaceholder(spoken)) {
      placeholders++
      continue
    }
    const words = spoken.split(/\s+/)
    const pieces: string[] = []
    for (let index = 0; index < words.length; index += WORDS_PER_CUE) pieces.push(words.slice(index, index + WORDS_PER_CUE).join(' '))
    // Each piece gets a share of the shot's time by its length, as a reader would pace it.
    const letters = pieces.reduce((sum, piece) => sum + piece.length, 0)
    let at = shot.atSec + offset
    for (const piece of pieces) {
      const length = shot.durationSec * (piece.length / letters)
      const start = round1(at)
      let end = round1(at + length)
      at += length
      if (footageSeconds !== null && start >= footageSeconds) break
      if (footageSeconds !== null) end = Math.min(end, footageSeconds)
      if (end - start < 0.1) continue
      cues.push({ start, end, text: piece.slice(0, 200) })
    }
  }
  return { cues, placeholders }
}

export async function sendToStudio(db: PrismaClient, input: { workspaceId: string, userId: string, scriptId: string, videoId: string }): Promise<SentToStudio> {
  const { workspaceId } = input
  const script = await getScript(db, workspaceId, input.scriptId)
  const video = await db.video.findFirst({
    where: { id: input.videoId, workspaceId, deletedAt: null },
    select: { id: true, kind: true, title: true, durationMs: true, width: true, height: true, analyses: { where: { status: 'succeeded' }, orderBy: { createdAt: 'desc' }, take: 1, select: { segments: true } } },
  })
  if (!video) throw notFound('This video')
  if (video.kind !== 'footage') throw conflict(`“${video.title}” is a reference video: the Studio edits your own footage. Pick a footage video, or mark this one as footage in the Library.`)

  const filled: string[] = []
  const left: string[] = []
  const footageSeconds = video.durationMs ? video.durationMs / 1000 : null
  const firstShot = script.shots[0]
  const fastHook = script.patterns.some(pattern => pattern.key === 'hook.first_cut<=1s' || pattern.key === 'hook.cuts_3s>=2')

  // The opening: the footage starts on the first word when the analysis measured silence before it.
  const silences = ((video.analyses[0]?.segments ?? {}) as { silences?: { start: number, end: number }[] }).silences ?? []
  const leading = silences.find(silence => silence.start <= 0.1)
  const trimStart = leading && leading.end > 0.3 && (footageSeconds === null || leading.end < footageSeconds - 1) ? round1(Math.max(0, leading.end - 0.1)) : 0
  if (trimStart > 0) filled.push(`Opening: starts at ${trimStart} s, on the first word (the analysis measured ${trimStart} s of silence before it)${fastHook ? ', for the fast hook the script follows' : ''}.`)
  else left.push(video.analyses[0] ? 'Opening: the footage starts on sound already, so it is kept from 0 s.' : 'Opening: kept from 0 s (analyse the footage to start it on the first word).')

  const hookText = script.hook.trim()
  const hookSeconds = Math.min(5, Math.max(2.5, round1(firstShot?.durationSec ?? 3)))
  let hook: EditRecipeInput['hook'] = null
  if (hookText && !isPlaceholder(hookText)) {
    hook = { text: clip(hookText, HOOK_MAX), seconds: hookSeconds, position: 'top' }
    filled.push(`Hook text: “${hook.text}” over the first ${hookSeconds} s${hookText.length > HOOK_MAX ? ` (shortened to ${HOOK_MAX} characters)` : ''}.`)
  }
  else left.push('Hook text: the script\'s hook is still a placeholder; write it in the Studio.')

  const { cues, placeholders } = cuesFromShots(script.shots, trimStart, footageSeconds)
  const captions = { style: 'bold' as const, position: 'bottom' as const, cues }
  if (cues.length) filled.push(`Captions: ${cues.length} from the spoken lines, timed from the script's shots (approximate: use Transcribe for the real word times).`)
  else left.push(placeholders ? 'Captions: the spoken lines are still placeholders, so the captions are empty; Transcribe fills them from the speech.' : 'Captions: the script has no spoken lines; Transcribe fills them from the speech.')

  const target = script.targetDurationSec
  const maxSeconds = target ? target + 2 : null
  if (maxSeconds) filled.push(`Length: at most ${maxSeconds} s (the script's ${target} s plus 2 s of slack).`)

  const cta = script.callToAction.trim()
  let endCard: EditRecipeInput['endCard'] = null
  if (cta && !isPlaceholder(cta)) {
    endCard = { text: clip(cta, END_CARD_MAX), seconds: 2.5, background: '#111111' }
    filled.push(`End card: “${endCard.text}”.`)
  }
  else left.push('End card: the script has no call to action yet.')

  // A horizontal or square video is cropped to the vertical frame short-form platforms show.
  const reframe = video.width && video.height && video.width >= video.height ? { mode: 'crop' as const, aspect: '9:16' as const, centerX: 0.5 } : { mode: 'none' as const }
  if (reframe.mode === 'crop') filled.push('Frame: cropped to 9:16 from the middle (move the crop in the Frame card).')
  if (script.platform) filled.push(`Platform: ${script.platform}'s export preset.`)

  const recipe = draftRecipeSchema.parse({
    trim: { start: trimStart },
    hook,
    captions,
    maxSeconds,
    endCard,
    reframe,
    platform: script.platform,
  })
  const created = await createRecipe(db, {
    workspaceId, userId: input.userId, videoId: video.id, name: clip(script.title, 120), recipe, patternKeys: script.patterns.map(pattern => pattern.key), scriptId: script.id,
  })
  return { recipeId: created.id, videoId: video.id, filled, left }
}
