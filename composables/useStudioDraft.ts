import { describeIssue } from '#shared/issues'
import { draftRecipeSchema, editRecipeSchema, expandVariations, VariationError } from '#shared/recipe'
import type { EditRecipe, Variant } from '#shared/recipe'
import type { RecipeSummary, StudioPreset } from '#shared/studio'
import { hookPlaceholder } from '#shared/studio-presets'
import { cueAfterClip } from '#shared/srt'

/**
 * The edit being made in the Studio: a saved draft (an EditRecipe row, `id` and `version`), autosaved by
 * useStudioDraftSaving. In the draft, `variations.hookText` and `variations.captionStyle` hold only the
 * alternatives to the main hook line and caption style, so editing the main one never leaves a stale copy behind;
 * `recipe` lists the main one first, as the recipe wants every alternative named.
 */
export interface StudioDraft {
  id: string
  /** The stored version this draft was last saved as, or loaded from; sent with every save. */
  version: number
  presetKey: string
  name: string
  recipe: EditRecipe
  /** The Library patterns the preset applies, sent with the renders for the learning loop. */
  patternKeys: string[]
}

function withoutMain<T>(alternatives: T[], main: T | undefined): T[] {
  return main === undefined ? alternatives : alternatives.filter(each => each !== main)
}

/** The draft as the editor holds it: the main hook line and caption style left out of the alternatives. */
function editable(recipe: EditRecipe): EditRecipe {
  const copy = structuredClone(toRaw(recipe))
  copy.variations.hookText = withoutMain(copy.variations.hookText, copy.hook?.text)
  copy.variations.captionStyle = withoutMain(copy.variations.captionStyle, copy.captions?.style)
  return copy
}

/** `durationSeconds` is the footage's length: captions it never reaches stop the render, as the API would. */
export function useStudioDraft(videoId: MaybeRefOrGetter<string>, durationSeconds: MaybeRefOrGetter<number> = 0) {
  const draft = useState<StudioDraft | null>(`studio-draft-${toValue(videoId)}`, () => null)
  const { current } = useWorkspace()
  const base = () => `/api/workspaces/${current.value?.id}/studio/recipes`

  /** Opens a saved draft in the editor. */
  function open(saved: RecipeSummary) {
    draft.value = {
      id: saved.id, version: saved.version, presetKey: saved.presetKey ?? 'blank', name: saved.name,
      recipe: editable(saved.recipe), patternKeys: saved.patternKeys,
    }
  }

  const startError = ref<string>()
  const starting = ref(false)
  /** A new draft from a preset, saved at once so a reload finds it; the draft open before stays in the list. */
  async function start(preset: StudioPreset): Promise<RecipeSummary | undefined> {
    startError.value = undefined
    // Captions need timed text only the creator has: presets leave `cues` empty, which a draft may be.
    const parsed = draftRecipeSchema.safeParse(preset.recipe)
    if (!parsed.success) {
      startError.value = `The preset “${preset.name}” could not be used (${describeIssue(parsed.error.issues[0]!)}). Pick another, or start blank.`
      return
    }
    starting.value = true
    try {
      const saved = await $fetch<RecipeSummary>(base(), {
        method: 'POST',
        body: { videoId: toValue(videoId), name: preset.name, recipe: parsed.data, presetKey: preset.key, patternKeys: preset.patternKeys },
      })
      open(saved)
      return saved
    }
    catch (error) {
      startError.value = apiErrorMessage(error, `The preset “${preset.name}” could not be opened as a draft. Try again.`)
    }
    finally {
      starting.value = false
    }
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

  return { draft, open, start, starting, startError, recipe, outcome }
}
