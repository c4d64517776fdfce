import { describeIssue } from '#shared/issues'
import { editRecipeSchema, expandVariations, VariationError } from '#shared/recipe'
import type { EditRecipe, Variant } from '#shared/recipe'
import type { StudioPreset } from '#shared/studio'
import { hookPlaceholder } from '#shared/studio-presets'
import { cueAfterClip } from '#shared/srt'

/**
 * The edit being made in the Studio. In the draft, `variations.hookText` and `variations.captionStyle` hold only the
 * alternatives to the main hook line and caption style, so editing the main one never leaves a stale copy behind;
 * `recipe` lists the main one first, as the recipe wants every alternative named.
 */
export interface StudioDraft {
  presetKey: string
  name: string
  recipe: EditRecipe
  /** The Library patterns the preset applies, sent with the renders for the learning loop. */
  patternKeys: string[]
}

function withoutMain<T>(alternatives: T[], main: T | undefined): T[] {
  return main === undefined ? alternatives : alternatives.filter(each => each !== main)
}

/** `durationSeconds` is the footage's length: captions it never reaches stop the render, as the API would. */
export function useStudioDraft(videoId: MaybeRefOrGetter<string>, durationSeconds: MaybeRefOrGetter<number> = 0) {
  const draft = useState<StudioDraft | null>(`studio-draft-${toValue(videoId)}`, () => null)

  const startError = ref<string>()
  function start(preset: StudioPreset) {
    startError.value = undefined
    // Captions need timed text only the creator has, so presets leave `cues` empty, which the schema refuses:
    // the defaults are filled around a stand-in cue, and the preset's (empty) list is put back.
    const captions = preset.recipe.captions
    const parsed = editRecipeSchema.safeParse({
      ...preset.recipe,
      captions: captions && { ...captions, cues: captions.cues.length ? captions.cues : [{ start: 0, end: 1, text: '…' }] },
    })
    if (!parsed.success) {
      startError.value = `The preset “${preset.name}” could not be used (${describeIssue(parsed.error.issues[0]!)}). Pick another, or start blank.`
      return
    }
    const recipe = parsed.data
    if (recipe.captions && !captions?.cues.length) recipe.captions.cues = []
    const { hookText, captionStyle } = recipe.variations
    recipe.variations.hookText = withoutMain(hookText, recipe.hook?.text)
    recipe.variations.captionStyle = withoutMain(captionStyle, recipe.captions?.style)
    draft.value = { presetKey: preset.key, name: preset.name, recipe, patternKeys: preset.patternKeys }
  }

  // What goes to the server: every alternative, the main one first.
  const recipe = computed(() => {
    const current = draft.value?.recipe
    if (!current) return null
    const { hookText, captionStyle } = current.variations
    return {
      ...current,
      variations: {
        ...current.variations,
        hookText: hookText.length && current.hook ? [current.hook.text, ...hookText] : hookText,
        captionStyle: captionStyle.length && current.captions ? [current.captions.style, ...withoutMain(captionStyle, current.captions.style)] : captionStyle,
      },
    }
  })

  /** The variants the recipe makes, or what stops it from rendering, in words. */
  const outcome = computed<{ variants: Variant[], error?: string }>(() => {
    if (!recipe.value) return { variants: [] }
    if (recipe.value.hook?.text.trim() === hookPlaceholder) return { variants: [], error: `Write your hook line: it still says “${hookPlaceholder}”.` }
    const parsed = editRecipeSchema.safeParse(recipe.value)
    if (!parsed.success) return { variants: [], error: describeIssue(parsed.error.issues[0]!) }
    const lateCue = parsed.data.captions?.cues.map((cue, index) => cueAfterClip(cue, `Caption ${index + 1}`, toValue(durationSeconds))).find(Boolean)
    if (lateCue) return { variants: [], error: `${lateCue} Move it earlier or remove it.` }
    try {
      return { variants: expandVariations(parsed.data) }
    }
    catch (error) {
      if (error instanceof VariationError) return { variants: [], error: error.message }
      throw error
    }
  })

  return { draft, start, startError, recipe, outcome }
}
