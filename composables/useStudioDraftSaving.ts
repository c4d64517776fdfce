import { describeIssue } from '#shared/issues'
import { draftRecipeSchema } from '#shared/recipe'
import { createRendersSchema } from '#shared/studio'
import type { RecipeSummary } from '#shared/studio'
import type { StudioDraft } from './useStudioDraft'

/** Where the open draft stands: saved, changes on their way, or not saved and why. */
export interface DraftSaveState {
  state: 'saved' | 'saving' | 'failed' | 'conflict'
  /** Why it is not saved, in words; for a conflict, what changed elsewhere. */
  message?: string
}

// One per page (per Nuxt app, so never shared between server requests): the pending timer and the save under way.
interface SaveMachine { timer?: ReturnType<typeof setTimeout>, running?: Promise<void>, lastSaved?: string }

// A second after the last change: typing a caption saves once, not per keystroke.
const AUTOSAVE_DELAY_MS = 1000

const contentOf = (draft: StudioDraft, recipe: unknown) => JSON.stringify({ name: draft.name, recipe, patternKeys: draft.patternKeys })

/**
 * Autosaves the open draft: about a second after the last change, on leaving the page, and before a render or a
 * switch to another draft. A save names the version it was made from; when another tab saved first, the state is
 * `conflict` and nothing is overwritten until the creator loads the newer one (or keeps theirs as a copy).
 */
export function useStudioDraftSaving(videoId: MaybeRefOrGetter<string>) {
  const { draft, recipe, open } = useStudioDraft(videoId)
  const status = useState<DraftSaveState>(`studio-draft-save-${toValue(videoId)}`, () => ({ state: 'saved' }))
  const { current } = useWorkspace()
  const nuxtApp = useNuxtApp() as unknown as { _studioSaves?: Map<string, SaveMachine> }
  nuxtApp._studioSaves ??= new Map()
  const machine = nuxtApp._studioSaves.get(toValue(videoId)) ?? {}
  nuxtApp._studioSaves.set(toValue(videoId), machine)
  const url = (id: string) => `/api/workspaces/${current.value?.id}/studio/recipes/${id}`

  /** Marks what is open now as saved (just opened, or just rendered). */
  function markSaved() {
    if (draft.value) machine.lastSaved = contentOf(draft.value, recipe.value)
    status.value = { state: 'saved' }
  }

  /** Why the draft cannot be saved as it is, in the field's words; the field says it too. */
  function problem(): string | undefined {
    const name = createRendersSchema.shape.name.safeParse(draft.value?.name)
    if (!name.success) return `Name: ${name.error.issues[0]!.message}`
    const parsed = draftRecipeSchema.safeParse(recipe.value)
    return parsed.success ? undefined : describeIssue(parsed.error.issues[0]!)
  }

  async function saveNow(): Promise<void> {
    clearTimeout(machine.timer)
    const open = draft.value
    if (!open || status.value.state === 'conflict') return
    const content = contentOf(open, recipe.value)
    if (content === machine.lastSaved) {
      status.value = { state: 'saved' }
      return
    }
    const reason = problem()
    if (reason) {
      status.value = { state: 'failed', message: reason }
      return
    }
    status.value = { state: 'saving' }
    try {
      const saved = await $fetch<RecipeSummary>(url(open.id), { method: 'PATCH', body: { version: open.version, ...JSON.parse(content) } })
      if (draft.value?.id !== saved.id) return
      draft.value.version = saved.version
      machine.lastSaved = content
      // Changed again while this save was on its way: the next one follows.
      if (contentOf(draft.value, recipe.value) === content) status.value = { state: 'saved' }
      else schedule()
    }
    catch (error) {
      const statusCode = (error as { statusCode?: number }).statusCode
      status.value = statusCode === 409
        ? { state: 'conflict', message: apiErrorMessage(error) }
        : { state: 'failed', message: apiErrorMessage(error, 'The server could not be reached.') }
    }
  }

  /** Saves now, after any save already under way; resolves once nothing is left to save. */
  async function save(): Promise<void> {
    while (machine.running) await machine.running
    machine.running = saveNow().finally(() => {
      machine.running = undefined
    })
    await machine.running
  }

  /** Lets the save under way finish and drops the pending one: a render saves the draft itself. */
  async function settle(): Promise<void> {
    clearTimeout(machine.timer)
    while (machine.running) await machine.running
  }

  function schedule() {
    clearTimeout(machine.timer)
    if (status.value.state === 'conflict') return
    status.value = { state: 'saving' }
    machine.timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS)
  }

  /** Loads the stored draft over the open one (after a conflict). */
  async function loadNewer(): Promise<void> {
    if (!draft.value) return
    open(await $fetch<RecipeSummary>(url(draft.value.id)))
    markSaved()
  }

  /** Keeps what this tab has as a new draft, "… (copy)", and opens it (after a conflict). */
  async function keepAsCopy(): Promise<RecipeSummary | undefined> {
    if (!draft.value) return
    const saved = await $fetch<RecipeSummary>(`/api/workspaces/${current.value?.id}/studio/recipes`, {
      method: 'POST',
      body: { videoId: toValue(videoId), name: `${draft.value.name.slice(0, 113)} (copy)`, recipe: recipe.value, presetKey: draft.value.presetKey, patternKeys: draft.value.patternKeys },
    })
    open(saved)
    markSaved()
    return saved
  }

  /** Watches the open draft and saves it as it changes, and when the page is left or hidden. Call once, in the page. */
  function autosave() {
    watch(() => draft.value && { id: draft.value.id, content: contentOf(draft.value, recipe.value) }, (now, before) => {
      if (!now) return
      // A different draft opened: it is as stored.
      if (now.id !== before?.id) return markSaved()
      if (now.content !== machine.lastSaved) return schedule()
      // Back to what is stored (a problem undone): nothing is left to save.
      if (status.value.state !== 'conflict') {
        clearTimeout(machine.timer)
        status.value = { state: 'saved' }
      }
    }, { immediate: true })
    onBeforeRouteLeave(() => save())
    // A reload or a closed tab: the last changes go out with keepalive, which outlives the page. It is sent before
    // the next page is asked for (beforeunload), and once only.
    const flush = () => {
      const open = draft.value
      if (!open || status.value.state === 'conflict' || problem()) return
      const content = contentOf(open, recipe.value)
      if (content === machine.lastSaved) return
      clearTimeout(machine.timer)
      machine.lastSaved = content
      void fetch(url(open.id), { method: 'PATCH', keepalive: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: open.version, ...JSON.parse(content) }) })
    }
    // A tab put away (a phone switching apps) may never come back: save while it still runs.
    const hidden = () => {
      if (document.visibilityState === 'hidden') void save()
    }
    onMounted(() => {
      window.addEventListener('beforeunload', flush)
      window.addEventListener('pagehide', flush)
      document.addEventListener('visibilitychange', hidden)
      void catchUp()
    })
    onBeforeUnmount(() => {
      window.removeEventListener('beforeunload', flush)
      window.removeEventListener('pagehide', flush)
      document.removeEventListener('visibilitychange', hidden)
      clearTimeout(machine.timer)
    })
  }

  // The page was drawn on the server while the last page's final save was still on its way: once here, a newer
  // stored draft is taken, as long as nothing was changed here meanwhile.
  async function catchUp() {
    const shown = draft.value
    if (!shown || contentOf(shown, recipe.value) !== machine.lastSaved) return
    const stored = await $fetch<RecipeSummary>(url(shown.id)).catch(() => undefined)
    if (!stored || stored.version <= shown.version || draft.value !== shown || contentOf(shown, recipe.value) !== machine.lastSaved) return
    open(stored)
    markSaved()
  }

  return { status, save, settle, markSaved, loadNewer, keepAsCopy, autosave }
}
